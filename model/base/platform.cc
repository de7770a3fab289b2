// drivers/base/platform.c@6.11: the platform bus as the DSI controller
// uses it. Left out: resources, PM domains, clocks, driver_override, ids.
// Model: the device-tree node of a platform device is set without taking a
// reference (of_platform_device_create's node reference and its put are
// left out, so OF counts only track what the DSI core does).
#include "model/kernel.h"

namespace dsifuzz::model {

// platform_probe (platform.c:1375@6.1): drv->probe.
int Kernel::platform_probe(DevPtr d) {
  KFUNC();
  return dsictl_probe(d);
}

// platform_remove (platform.c:1414@6.1): drv->remove.
void Kernel::platform_remove(DevPtr d) {
  KFUNC();
  dsictl_remove(d);
}

// platform_device_release (platform.c:555@6.1): frees the platform object.
void Kernel::platform_device_release(DevPtr d) {
  KFUNC();
  kfree(d.id);
}

// platform_device_alloc + platform_device_add (platform.c:656@6.1), for a
// device of the topology. Returns NULL on failure.
DevPtr Kernel::platform_device_register(int topo) {
  KFUNC();
  Ptr<platform_device> pdev = kzalloc<platform_device>();
  if (!pdev) return DevPtr{};
  DevPtr d{pdev.id};
  deref(pdev).topo = static_cast<int16_t>(topo);
  device_initialize(d);
  dev(d).release = DevRelease::kPlatformDeviceRelease;
  dev(d).bus = Bus::kPlatform;
  dev(d).of_node = static_cast<OfNode>(topo);
  dev_set_name(d, Label{static_cast<int16_t>(topo), -1});
  if (device_add(d) != 0) {
    put_device(d);
    return DevPtr{};
  }
  return d;
}

// platform_device_unregister (platform.c:791@6.1): del, then put.
void Kernel::platform_device_unregister(DevPtr d) {
  KFUNC();
  device_del(d);
  put_device(d);
}

}  // namespace dsifuzz::model
