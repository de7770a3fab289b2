// drivers/base/bus.c@6.11: bus membership of devices and drivers, and the
// sysfs unbind file. Left out: subsystem interfaces, sysfs links and
// groups, driver kobjects.
#include "model/kernel.h"

namespace dsifuzz::model {

// unbind_store (bus.c:235@6.11): bus_find_device_by_name takes a reference
// for the duration; the device is detached if bound to this driver.
int Kernel::unbind_store(DriverId drv, DevPtr d) {
  KFUNC();
  int err = -ENODEV;
  d = get_device(d);
  if (d && dev(d).driver == drv) {
    device_driver_detach(d);
    err = 0;
  }
  put_device(d);
  return err;
}

// bus_add_device (bus.c:443@6.1): the bus klist takes a device reference
// through its get hook.
int Kernel::bus_add_device(DevPtr d) {
  KFUNC();
  Bus bus = dev(d).bus;
  if (bus == Bus::kNone) return 0;
  klist_add_tail(dev(d).p, KnodeField::kBus, static_cast<ObjId>(bus));
  return 0;
}

// bus_probe_device (bus.c:480@6.1): probe now if the bus autoprobes.
void Kernel::bus_probe_device(DevPtr d) {
  KFUNC();
  Bus bus = dev(d).bus;
  if (bus == Bus::kNone) return;
  if (s_.buses[static_cast<int>(bus)].drivers_autoprobe)
    device_initial_probe(d);
}

// bus_remove_device (bus.c:508@6.1): off the bus klist (drops its device
// reference), then unbind the driver.
void Kernel::bus_remove_device(DevPtr d) {
  KFUNC();
  if (dev(d).bus == Bus::kNone) return;
  ObjId p = dev(d).p;
  if (klist_node_attached(p, KnodeField::kBus)) klist_del(p, KnodeField::kBus);
  device_release_driver(d);
}

// bus_add_driver (bus.c:592@6.1): the driver is listed, and attached to
// matching devices only when the bus autoprobes.
int Kernel::bus_add_driver(DriverId drv) {
  KFUNC();
  device_driver& driver = s_.drivers[drv];
  driver.registered = true;
  if (s_.buses[static_cast<int>(driver.bus)].drivers_autoprobe)
    driver_attach(drv);
  return 0;
}

// bus_remove_driver (bus.c:668@6.1): unbind every bound device (LIFO).
void Kernel::bus_remove_driver(DriverId drv) {
  KFUNC();
  driver_detach(drv);
  s_.drivers[drv].registered = false;
}

}  // namespace dsifuzz::model
