// drivers/base/core.c@6.11: device life cycle and references.
// Left out: sysfs attributes and links, uevents, device links and
// fw_devlink, power management, classes and glue directories, devt.
#include "model/kernel.h"

namespace dsifuzz::model {

// device_release (core.c:2558@6.11), the kobject release of every device:
// devres left over after device_del is released, then exactly one of
// dev->release, type->release (or a WARN), then dev->p is freed — p was
// read before the release callback freed the container.
void Kernel::device_release(DevPtr d) {
  KFUNC();
  Emit(FactKind::kRelease, d.id);
  ObjId p = dev(d).p;
  devres_release_all(d);
  device& dv = dev(d);
  if (dv.release == DevRelease::kPlatformDeviceRelease) {
    platform_device_release(d);
  } else if (dv.release == DevRelease::kI2cClientDevRelease) {
    i2c_client_dev_release(d);
  } else if (dv.type == DevType::kMipiDsiDevice) {
    mipi_dsi_dev_release(d);
  } else {
    WARN(
        "drivers/base/core.c:2510@6.1 device_release: Device does not "
        "have a release() function, it is broken and must be fixed");
  }
  kfree(p);
}

// device_initialize (core.c:3146@6.11): kobject refcount 1, empty devres
// list. Allocates nothing (dev->p comes with device_add).
void Kernel::device_initialize(DevPtr d) {
  KFUNC();
  kobject_init(d);
  device& dv = dev(d);
  dv.devres_initialized = true;
  dv.devres_head.clear();
}

// dev_set_name (core.c:3480@6.1) → kobject_set_name_vargs: allocates the
// name string (kvasprintf_const) and frees the old one. Model: the name is
// a Label; its allocation is not a `kzalloc` fault site.
int Kernel::dev_set_name(DevPtr d, Label name) {
  KFUNC();
  Ptr<kobj_name> n;
  {
    Frame alloc(this, "kvasprintf_const");
    n = NewObject<kobj_name>();
  }
  deref(n).label = name;
  s_.heap.slot(n.id).label = name;
  s_.heap.slot(d.id).label = name;  // for reports only
  ObjId old = dev(d).kobj.name;
  dev(d).kobj.name = n.id;
  kfree(old);
  return 0;
}

Label Kernel::dev_name(DevPtr d) {
  ObjId name = dev(d, "dev_name").kobj.name;
  if (name == 0) return Label{};
  return deref(Ptr<kobj_name>{name}, "dev_name").label;
}

// device_private_init (core.c:3540@6.1): kzalloc of dev->p.
int Kernel::device_private_init(DevPtr d) {
  KFUNC();
  Ptr<device_private> p = kzalloc<device_private>();
  if (!p) return -ENOMEM;
  deref(p).device = d;
  dev(d).p = p.id;
  return 0;
}

// device_add (core.c:3561@6.11). The order that matters: a reference on
// the parent (held until device_del), kobject_add (a second, kobject,
// reference on the parent), bus_add_device (the bus klist's device
// reference), bus_probe_device (a synchronous probe), and only then the
// parent's klist_children (a device reference through its get hook). On
// failure the parent reference and dev->p are dropped; the caller keeps
// the initial reference and must put_device() it.
int Kernel::device_add(DevPtr d) {
  KFUNC();
  DevPtr parent;
  int error = -EINVAL;
  d = get_device(d);
  if (!d) return error;
  if (dev(d).p == 0) {
    error = device_private_init(d);
    if (error) goto done;
  }
  if (dev_name(d).base < 0) {
    error = -EINVAL;
    goto name_error;
  }
  parent = get_device(dev(d).parent);
  // Model: `fail device_add` makes kobject_add fail as an allocation would.
  if (FaultFires(FaultSite::kDeviceAdd, "device_add")) {
    error = -ENOMEM;
    goto Error;
  }
  error = kobject_add(d, parent);
  if (error) goto Error;
  error = bus_add_device(d);
  if (error) goto BusError;
  Emit(FactKind::kDeviceAdd, d.id);
  bus_probe_device(d);
  if (parent) klist_add_tail(dev(d).p, KnodeField::kParent, dev(parent).p);
done:
  put_device(d);
  return error;
BusError:
  kobject_del(d);
Error:
  put_device(parent);
name_error:
  kfree(dev(d).p);
  dev(d).p = 0;
  goto done;
}

// kill_device (core.c:3825@6.1): marks dev->p dead, false if it already was.
bool Kernel::kill_device(DevPtr d) {
  device_private& p = priv(dev(d).p, "kill_device");
  if (p.dead) return false;
  p.dead = true;
  return true;
}

// device_del (core.c:3822@6.11): dead; off the parent's klist (the child's
// reference goes now, or when an iterator lets go of the node); off the bus
// and unbound (bus_remove_device); off the deferred lists; leftover devres;
// out of sysfs (the parent's kobject reference); the parent reference.
// Not idempotent: a second call finds its klist node released.
void Kernel::device_del(DevPtr d) {
  KFUNC();
  Emit(FactKind::kDeviceDel, d.id);
  DevPtr parent = dev(d).parent;
  device_lock(d);
  kill_device(d);
  device_unlock(d);
  // mutant-no-parent-klist-del: the node stays on the parent's children.
  if (parent && !Mutated(Mutant::kNoParentKlistDel)) [[likely]]
    klist_del(dev(d).p, KnodeField::kParent);
  bus_remove_device(d);
  driver_deferred_probe_del(d);
  devres_release_all(d);
  kobject_del(d);
  put_device(parent);
}

// device_unregister (core.c:3906@6.11): device_del, then the initial put.
void Kernel::device_unregister(DevPtr d) {
  KFUNC();
  device_del(d);
  // mutant-no-put-device: the initial reference is never dropped.
  if (Mutated(Mutant::kNoPutDevice)) [[unlikely]]
    return;
  put_device(d);
}

// get_device / put_device (core.c:3807, 3817@6.1): NULL-safe kobject refs.
DevPtr Kernel::get_device(DevPtr d) {
  if (!d) return d;
  KFUNC();
  // mutant-get-no-increment: the reference is handed out but not counted.
  if (Mutated(Mutant::kGetNoIncrement)) [[unlikely]]
    return d;
  kobject_get(d);
  return d;
}

void Kernel::put_device(DevPtr d) {
  if (!d) return;
  KFUNC();
  kobject_put(d);
}

// device_for_each_child (core.c:3996@6.11): the klist iterator holds a
// reference on the current child's node, so a child that fn unregisters is
// freed only when the iterator moves on (klist_next) or exits.
int Kernel::device_for_each_child(DevPtr parent, void* data, ChildFn fn) {
  KFUNC();
  ObjId p = dev(parent).p;
  if (p == 0) return 0;
  klist_iter i;
  klist_iter_init(i, KnodeField::kParent, p);
  int error = 0;
  while (error == 0) {
    ObjId child = klist_next(i);
    if (child == 0) break;
    error = (this->*fn)(priv(child, "next_device").device, data);
  }
  klist_iter_exit(i);
  return error;
}

// device_lock / device_unlock (include/linux/device.h@6.11): the device
// mutex. Model: one task at a time, so the lock never waits for a live
// task; what it models is the task that dies holding it. An oops kills the
// task (make_task_dead) and its mutexes are never released: a later
// mutex_lock() blocks forever, and the hung-task detector reports it.
void Kernel::device_lock(DevPtr d) {
  device& dv = dev(d, "mutex_lock(&dev->mutex)");
  if (dv.mutex_dead) [[unlikely]] {
    Emit(FactKind::kHung, d.id, 0,
         "task blocked forever in mutex_lock(&dev->mutex): the mutex is "
         "held by a task that died");
    if (sink_ == nullptr || !sink_->Done()) throw KernelOops{};
  }
  // Nesting is shallow (a device and its parent); deeper is not modelled.
  if (locks_held_ < static_cast<int>(locks_.size()))
    locks_[locks_held_++] = d.id;
}

void Kernel::device_unlock(DevPtr d) {
  for (int i = locks_held_ - 1; i >= 0; --i) {
    if (locks_[i] != d.id) continue;
    for (int j = i; j + 1 < locks_held_; ++j) locks_[j] = locks_[j + 1];
    --locks_held_;
    return;
  }
}

void Kernel::TaskDied() {
  for (int i = 0; i < locks_held_; ++i) {
    if (Alive(locks_[i])) dev(DevPtr{locks_[i]}).mutex_dead = true;
  }
  locks_held_ = 0;
}

}  // namespace dsifuzz::model
