// kfree() and the access checks of the shadow heap (mm/slab_common.c and
// mm/kasan at v6.11, as far as a report needs them). kzalloc() and deref()
// are templates in model/kernel.h.
#include "model/kernel.h"

namespace dsifuzz::model {

// A bad access. KASAN reports the first one and (with kasan.fault=report)
// lets the kernel go on with whatever the memory holds; the model goes on
// with the stale object, so a run continues to its end and can be shrunk.
// A NULL or ERR_PTR dereference is a page fault: the task oopses.
void Kernel::BadAccess(ObjId id, const char* what) {
  Emit(FactKind::kBadAccess, id, 0, what);
  if (!s_.heap.Valid(id) && !(sink_ != nullptr && sink_->Done()))
    throw KernelOops{};
}

void Kernel::Oops(const char* what, ObjId obj) {
  Emit(FactKind::kOops, obj, 0, what);
  if (sink_ != nullptr && sink_->Done()) return;  // see kernel.h
  throw KernelOops{};
}

void Kernel::kfree(ObjId id) {
  KFUNC();
  if (id == 0) return;  // kfree(NULL) is a no-op
  if (!s_.heap.Valid(id)) {
    Emit(FactKind::kInvalidFree, id);
    return;
  }
  Slot& slot = s_.heap.slot(id);
  if (!slot.live) {
    Emit(FactKind::kDoubleFree, id);
    return;
  }
  if (slot.devm) {
    // devm memory sits inside a devres node: kfree() of it is a free of a
    // pointer kmalloc never returned (KASAN: invalid-free).
    Emit(FactKind::kInvalidFree, id);
    return;
  }
  s_.heap.Retire(id, event_, RecordStack());
  Emit(FactKind::kFree, id);
}

void Kernel::devres_free(ObjId node) {
  Frame f(this, "kfree");
  Slot& slot = s_.heap.slot(node);
  if (!slot.live) {
    Emit(FactKind::kDoubleFree, node);
    return;
  }
  s_.heap.Retire(node, event_, RecordStack());
  Emit(FactKind::kFree, node);
}

device& Kernel::BadDev(DevPtr d, const char* what) {
  if (!s_.heap.Valid(d.id)) [[unlikely]] {
    BadAccess(d.id, what);
    return Dummy<platform_device>().dev;
  }
  device* dv = s_.dev(d.id);
  if (dv == nullptr) [[unlikely]] {
    // Not a device at all: the memory is read as one anyway.
    BadAccess(d.id, "type confusion: not a struct device");
    return Dummy<platform_device>().dev;
  }
  if (!s_.heap.slot(d.id).live) [[unlikely]]
    BadAccess(d.id, what);
  return *dv;
}

}  // namespace dsifuzz::model
