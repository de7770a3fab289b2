// drivers/base/dd.c@6.11: probing, binding, unbinding and deferred probe.
// Line numbers are of 6.1.192, whose dd.c matches 6.11 in these paths
// (6.1.192's later "ready_to_probe" backport is not modelled). Left out:
// async probing, device links, pinctrl, DMA, PM domains, probe timeouts,
// CONFIG_DEBUG_TEST_DRIVER_REMOVE.
#include <algorithm>

#include "model/kernel.h"

namespace dsifuzz::model {

namespace {
void ListErase(ObjList& list, ObjId p) {
  auto it = std::find(list.begin(), list.end(), p);
  if (it != list.end()) list.erase(it);
}
}  // namespace

// driver_deferred_probe_add (dd.c:132@6.1): only a device that some driver
// matched (can_match) goes to the tail of the pending list; no reference.
void Kernel::driver_deferred_probe_add(DevPtr d) {
  KFUNC();
  if (!dev(d).can_match) return;
  ObjId p = dev(d).p;
  device_private& dp = priv(p);
  if (dp.deferred != DeferredList::kNone) return;
  dp.deferred = DeferredList::kPending;
  s_.deferred_pending.push_back(p);
}

// driver_deferred_probe_del (dd.c:145@6.1)
void Kernel::driver_deferred_probe_del(DevPtr d) {
  KFUNC();
  ObjId p = dev(d).p;
  device_private& dp = priv(p);
  if (dp.deferred == DeferredList::kPending) ListErase(s_.deferred_pending, p);
  if (dp.deferred == DeferredList::kActive) ListErase(s_.deferred_active, p);
  dp.deferred = DeferredList::kNone;
}

// driver_deferred_probe_trigger (dd.c:175@6.1): the whole pending list
// moves to the tail of the active list and the work is queued. Model: the
// work runs only as the `deferred-probe` event.
void Kernel::driver_deferred_probe_trigger() {
  KFUNC();
  ++s_.deferred_trigger_count;
  for (ObjId p : s_.deferred_pending) {
    priv(p).deferred = DeferredList::kActive;
    s_.deferred_active.push_back(p);
  }
  s_.deferred_pending.clear();
}

// deferred_probe_work_func (dd.c:81@6.1): drains the active list, including
// devices that a trigger moves there while it runs; each retry holds a
// device reference.
void Kernel::deferred_probe_work_func() {
  KFUNC();
  while (!s_.deferred_active.empty()) {
    ObjId p = s_.deferred_active.front();
    s_.deferred_active.erase(s_.deferred_active.begin());
    priv(p).deferred = DeferredList::kNone;
    DevPtr d = get_device(priv(p).device);
    bus_probe_device(d);
    put_device(d);
  }
}

// driver_bound (dd.c:392@6.1): onto the driver's klist (no reference), off
// the deferred lists, and every pending device is triggered.
void Kernel::driver_bound(DevPtr d) {
  KFUNC();
  ObjId p = dev(d).p;
  if (klist_node_attached(p, KnodeField::kDriver)) {
    printk("driver_bound: device already bound", d.id);
    return;
  }
  klist_add_tail(p, KnodeField::kDriver, static_cast<ObjId>(dev(d).driver));
  driver_deferred_probe_del(d);
  driver_deferred_probe_trigger();
}

// call_driver_probe (dd.c:552@6.1): the bus probe if the bus has one, else
// the driver's. The DSI bus has none (drm_mipi_dsi.c:92@6.11).
int Kernel::call_driver_probe(DevPtr d, DriverId drv) {
  KFUNC();
  int ret = 0;
  switch (s_.drivers[drv].bus) {
    case Bus::kPlatform:
      ret = platform_probe(d);
      break;
    case Bus::kI2c:
      ret = i2c_device_probe(d);
      break;
    case Bus::kMipiDsi:
      ret = mipi_dsi_drv_probe(d);
      break;
    default:
      break;
  }
  if (ret == -EPROBE_DEFER) {
    printk("Driver requests probe deferral", d.id, ret);
  } else if (ret != 0) {
    printk("probe failed", d.id, ret);
  }
  return ret;
}

// really_probe (dd.c:602@6.11): leftover devres refuses the probe (-EBUSY);
// dev->driver is set before the probe; a failed probe is undone by
// device_unbind_cleanup (devres LIFO) without calling remove, and is
// returned as a positive value.
int Kernel::really_probe(DevPtr d, DriverId drv) {
  KFUNC();
  if (!dev(d).devres_head.empty()) {
    printk("Resources present before probing", d.id, -EBUSY);
    return -EBUSY;
  }
  dev(d).driver = drv;
  int ret = call_driver_probe(d, drv);
  Emit(FactKind::kProbeResult, d.id, ret);
  if (ret != 0) {
    device_unbind_cleanup(d);
    return -ret;
  }
  driver_bound(d);
  return 0;
}

// __driver_probe_device (dd.c:763@6.1): -ENODEV for a dead or unregistered
// device, -EBUSY if a driver is bound; sets can_match.
int Kernel::__driver_probe_device(DriverId drv, DevPtr d) {
  KFUNC();
  bool registered = dev(d).kobj.state_in_sysfs;
  if (priv(dev(d).p).dead || !registered) return -ENODEV;
  if (dev(d).driver >= 0) return -EBUSY;
  dev(d).can_match = true;
  return really_probe(d, drv);
}

// driver_probe_device (dd.c:828@6.1): a deferral puts the device on the
// pending list; if a trigger happened during the probe, trigger again.
int Kernel::driver_probe_device(DriverId drv, DevPtr d) {
  KFUNC();
  int trigger_count = s_.deferred_trigger_count;
  int ret = __driver_probe_device(drv, d);
  if (ret == -EPROBE_DEFER || ret == EPROBE_DEFER) {
    driver_deferred_probe_add(d);
    if (trigger_count != s_.deferred_trigger_count)
      driver_deferred_probe_trigger();
  }
  return ret;
}

bool Kernel::driver_match_device(DriverId drv, DevPtr d) {
  const device_driver& driver = s_.drivers[drv];
  if (driver.bus != dev(d).bus) return false;
  if (driver.bus == Bus::kMipiDsi) return mipi_dsi_device_match(d, drv) != 0;
  // platform and i2c: the model has one driver per bus, matching every
  // device of its bus (cf. platform_match / i2c_device_match).
  return true;
}

// __device_attach_driver (dd.c:925@6.1): success stops the walk (returns 1).
int Kernel::__device_attach_driver(DriverId drv, DevPtr d) {
  if (!driver_match_device(drv, d)) return 0;
  int ret = driver_probe_device(drv, d);
  if (ret < 0) return ret;
  return ret == 0;
}

// __device_attach (dd.c:1004@6.1): under the device lock, try each
// registered driver of the bus.
int Kernel::__device_attach(DevPtr d) {
  KFUNC();
  int ret = 0;
  device_lock(d);
  if (priv(dev(d).p).dead) {
    device_unlock(d);
    return 0;
  }
  if (dev(d).driver >= 0) {
    device_unlock(d);
    return 1;
  }
  for (DriverId drv = 0; drv < static_cast<DriverId>(s_.drivers.size());
       ++drv) {
    if (!s_.drivers[drv].registered) continue;
    ret = __device_attach_driver(drv, d);
    if (ret != 0) break;
  }
  device_unlock(d);
  return ret;
}

// device_attach (dd.c:1075@6.1) and device_initial_probe (dd.c:1081@6.1).
int Kernel::device_attach(DevPtr d) {
  KFUNC();
  return __device_attach(d);
}

void Kernel::device_initial_probe(DevPtr d) {
  KFUNC();
  __device_attach(d);
}

// __driver_attach (dd.c:1160@6.1): probes every matching device, bound or
// not (a bound one just gets -EBUSY); errors never stop the walk.
int Kernel::__driver_attach(DevPtr d, DriverId drv) {
  KFUNC();
  if (!driver_match_device(drv, d)) return 0;
  device_lock(d);
  driver_probe_device(drv, d);
  device_unlock(d);
  return 0;
}

// driver_attach (dd.c:1235@6.1): bus_for_each_dev over the bus klist; the
// iterator holds a reference on the current device's node.
int Kernel::driver_attach(DriverId drv) {
  KFUNC();
  klist_iter i;
  klist_iter_init(i, KnodeField::kBus, static_cast<ObjId>(s_.drivers[drv].bus));
  for (ObjId p = klist_next(i); p != 0; p = klist_next(i)) {
    __driver_attach(priv(p).device, drv);
  }
  klist_iter_exit(i);
  return 0;
}

// device_unbind_cleanup (dd.c:527@6.1): devres released LIFO, then
// dev->driver and drvdata cleared.
void Kernel::device_unbind_cleanup(DevPtr d) {
  KFUNC();
  devres_release_all(d);
  dev(d).driver = -1;
  dev(d).driver_data = 0;
}

// device_remove (dd.c:541@6.1): the bus remove if there is one, else the
// driver's.
void Kernel::device_remove(DevPtr d) {
  KFUNC();
  switch (dev(d).bus) {
    case Bus::kPlatform:
      platform_remove(d);
      break;
    case Bus::kI2c:
      i2c_device_remove(d);
      break;
    case Bus::kMipiDsi:
      mipi_dsi_drv_remove(d);
      break;
    default:
      break;
  }
}

// __device_release_driver (dd.c:1241@6.11): remove, then devres (LIFO),
// then off the driver's klist.
void Kernel::__device_release_driver(DevPtr d) {
  KFUNC();
  if (dev(d).driver < 0) return;
  device_remove(d);
  device_unbind_cleanup(d);
  klist_remove(dev(d).p, KnodeField::kDriver);
}

// device_release_driver_internal (dd.c:1298@6.1)
void Kernel::device_release_driver_internal(DevPtr d, DriverId drv) {
  KFUNC();
  device_lock(d);
  DriverId bound = dev(d).driver;
  if (bound >= 0 && (drv < 0 || drv == bound)) __device_release_driver(d);
  device_unlock(d);
}

// device_release_driver (dd.c:1321@6.1), device_driver_detach (:1339)
void Kernel::device_release_driver(DevPtr d) {
  KFUNC();
  device_release_driver_internal(d, -1);
}

void Kernel::device_driver_detach(DevPtr d) {
  KFUNC();
  device_release_driver_internal(d, -1);
}

// driver_detach (dd.c:1348@6.1): the last bound device first, each under a
// reference.
void Kernel::driver_detach(DriverId drv) {
  KFUNC();
  ObjList& list = s_.drivers[drv].klist_devices;
  ObjId previous = 0;
  while (!list.empty()) {
    ObjId p = list.back();
    if (p == previous) {  // the unbind did not take it off: a hang
      Oops("driver_detach: the device stays bound (the kernel loops here)", p);
      return;
    }
    previous = p;
    DevPtr d = get_device(priv(p).device);
    device_release_driver_internal(d, drv);
    put_device(d);
  }
}

}  // namespace dsifuzz::model
