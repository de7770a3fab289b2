// The kobject life cycle of lib/kobject.c@6.11 for the kobject embedded in a
// struct device. Model: ktype is always device_ktype, so kobject release is
// device_release(); uevents and ksets are left out. Names live in
// State::sysfs to detect the duplicate-name failure of kobject_add.
#include "model/kernel.h"

namespace dsifuzz::model {

// kobject_init (lib/kobject.c:325@6.1): refcount 1, state_initialized.
void Kernel::kobject_init(DevPtr d) {
  kobject& kobj = dev(d).kobj;
  if (kobj.state_initialized) {
    // lib/kobject.c:339@6.1: a pr_err and dump_stack, not a WARN
    printk("kobject: tried to init an initialized object", d.id);
  }
  kobj.refcount = 1;
  kobj.state_initialized = true;
  kobj.state_in_sysfs = false;
}

// kobject_add (lib/kobject.c:402@6.1) through kobject_add_internal (:201):
// takes a reference on the parent, creates the sysfs directory; a name that
// already exists under the parent fails with -EEXIST, after which the parent
// reference is dropped again and sysfs_warn_dup() dumps the stack (a
// pr_warn, not a WARN).
int Kernel::kobject_add(DevPtr d, DevPtr parent) {
  KFUNC();
  Label name = dev_name(d);
  if (name.base < 0) return -EINVAL;
  for (const State::SysfsEntry& e : s_.sysfs) {
    if (e.parent == parent && e.name.base == name.base &&
        e.name.suffix == name.suffix) {
      printk("sysfs: cannot create duplicate filename", d.id, -EEXIST);
      printk(
          "kobject_add_internal failed with -EEXIST, don't try to "
          "register things with the same name in the same directory.",
          d.id, -EEXIST);
      return -EEXIST;
    }
  }
  if (parent) kobject_get(parent);
  kobject& kobj = dev(d).kobj;
  kobj.parent = parent;
  kobj.state_in_sysfs = true;
  s_.sysfs.push_back({parent, name});
  return 0;
}

// __kobject_del (lib/kobject.c:578@6.1): out of sysfs, kobj->parent = NULL.
static void SysfsRemove(State& s, DevPtr parent, Label name) {
  for (size_t i = 0; i < s.sysfs.size(); ++i) {
    const State::SysfsEntry& e = s.sysfs[i];
    if (e.parent == parent && e.name.base == name.base &&
        e.name.suffix == name.suffix) {
      s.sysfs.erase(s.sysfs.begin() + static_cast<ptrdiff_t>(i));
      return;
    }
  }
}

// kobject_del (lib/kobject.c:611@6.1): __kobject_del, then drop the parent
// reference taken by kobject_add.
void Kernel::kobject_del(DevPtr d) {
  KFUNC();
  kobject& kobj = dev(d).kobj;
  DevPtr parent = kobj.parent;
  if (kobj.state_in_sysfs) SysfsRemove(s_, parent, dev_name(d));
  kobj.state_in_sysfs = false;
  kobj.parent = DevPtr{};
  if (parent) kobject_put(parent);
}

// kobject_get (lib/kobject.c:628@6.1) and kref_get → refcount_inc.
void Kernel::kobject_get(DevPtr d) {
  kobject& kobj = dev(d, "kobject_get").kobj;
  if (!kobj.state_initialized) {
    // WARN at lib/kobject.c:632@6.1
    WARN(
        "lib/kobject.c:632@6.1 kobject_get: is not initialized, yet "
        "kobject_get() is being called");
  }
  if (kobj.refcount == 0) {
    // refcount_inc() on 0 saturates and warns (lib/refcount.c).
    WARN("lib/refcount.c: refcount_t: addition on 0; use-after-free");
    return;
  }
  ++kobj.refcount;
  Emit(FactKind::kGet, d.id, kobj.refcount);
}

// kobject_put (lib/kobject.c:722@6.1): kref_put with kobject_release →
// kobject_cleanup (no CONFIG_DEBUG_KOBJECT_RELEASE delay in the model).
void Kernel::kobject_put(DevPtr d) {
  KFUNC();
  kobject& kobj = dev(d, "kobject_put").kobj;
  if (!kobj.state_initialized) {
    // WARN at lib/kobject.c:726@6.1
    WARN(
        "lib/kobject.c:726@6.1 kobject_put: is not initialized, yet "
        "kobject_put() is being called");
  }
  if (kobj.refcount <= 0) {
    // refcount_dec_and_test() on 0 saturates and warns (lib/refcount.c).
    WARN("lib/refcount.c: refcount_t: underflow; use-after-free");
    return;
  }
  int now = --kobj.refcount;
  Emit(FactKind::kPut, d.id, now);
  if (now == 0) kobject_cleanup(d);
}

// kobject_cleanup (lib/kobject.c:655@6.1): an object still in sysfs is
// deleted first (without dropping the parent here); then ktype->release
// (device_release); then the name is freed; the parent reference goes last.
void Kernel::kobject_cleanup(DevPtr d) {
  KFUNC();
  kobject& kobj = dev(d).kobj;
  DevPtr parent = kobj.parent;
  ObjId name = kobj.name;
  if (kobj.state_in_sysfs) {
    SysfsRemove(s_, parent, dev_name(d));
    kobj.state_in_sysfs = false;
    kobj.parent = DevPtr{};
  } else {
    parent = DevPtr{};
  }
  device_release(d);
  kfree(name);
  if (parent) kobject_put(parent);
}

}  // namespace dsifuzz::model
