// drivers/i2c/i2c-core-base.c@6.11: the i2c bus as a DSI bridge uses it.
// The bus probe opens a devres group that it never closes and the bus
// remove releases it after the driver's remove, so an i2c bridge's devm
// actions run inside the bus remove, before device_unbind_cleanup.
// Left out: adapters, irqs, wakeup, clocks, PM domains. As for platform
// devices, the client's own of_node reference is left out.
#include "model/kernel.h"

namespace dsifuzz::model {

// i2c_device_probe (i2c-core-base.c:489@6.1, :577 opens the group): a
// failed probe releases the group.
int Kernel::i2c_device_probe(DevPtr d) {
  KFUNC();
  ObjId group = devres_open_group(d);
  if (group == 0) return -ENOMEM;
  deref(Ptr<i2c_client>{d.id}).devres_group_id = group;
  int status = bridge_probe(d);
  if (status) devres_release_group(d, group);
  return status;
}

// i2c_device_remove (i2c-core-base.c:623@6.1): driver remove, then the
// probe's devres group (:635).
void Kernel::i2c_device_remove(DevPtr d) {
  KFUNC();
  bridge_remove(d);
  devres_release_group(d, deref(Ptr<i2c_client>{d.id}).devres_group_id);
}

// i2c_client_dev_release (i2c-core-base.c:661@6.1): kfree(client).
void Kernel::i2c_client_dev_release(DevPtr d) {
  KFUNC();
  kfree(d.id);
}

// i2c_new_client_device (i2c-core-base.c:961@6.1) for a topology device.
// Model: a failed device_add drops the initial reference with put_device.
DevPtr Kernel::i2c_new_client_device(int topo) {
  KFUNC();
  Ptr<i2c_client> client = kzalloc<i2c_client>();
  if (!client) return DevPtr{};
  DevPtr d{client.id};
  deref(client).topo = static_cast<int16_t>(topo);
  device_initialize(d);
  dev(d).release = DevRelease::kI2cClientDevRelease;
  dev(d).bus = Bus::kI2c;
  dev(d).of_node = static_cast<OfNode>(topo);
  dev_set_name(d, Label{static_cast<int16_t>(topo), -1});
  if (device_add(d) != 0) {
    put_device(d);
    return DevPtr{};
  }
  return d;
}

// i2c_unregister_device (i2c-core-base.c:1054@6.1): device_unregister.
void Kernel::i2c_unregister_device(DevPtr d) {
  KFUNC();
  device_unregister(d);
}

}  // namespace dsifuzz::model
