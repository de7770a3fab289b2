// drivers/base/driver.c@6.11: driver registration, as module_init and
// module_exit of a driver module reach it.
#include "model/kernel.h"

namespace dsifuzz::model {

// driver_register (driver.c:222@6.1): a driver of the same name is -EBUSY.
int Kernel::driver_register(DriverId drv) {
  KFUNC();
  if (s_.drivers[drv].registered) {
    printk("Error: Driver is already registered, aborting...", 0, -EBUSY);
    return -EBUSY;
  }
  return bus_add_driver(drv);
}

// driver_unregister (driver.c:267@6.1): WARNs on a driver that is not
// registered ("Unexpected driver unregister!").
void Kernel::driver_unregister(DriverId drv) {
  KFUNC();
  if (!s_.drivers[drv].registered) {
    WARN(
        "drivers/base/driver.c:270@6.1 driver_unregister: Unexpected "
        "driver unregister!");
    return;
  }
  bus_remove_driver(drv);
}

}  // namespace dsifuzz::model
