// lib/klist.c@6.11 (unchanged in substance since long before; line numbers
// from 6.1.192, where the file is the same). A klist is a vector of the
// device_private objects whose knode (of the given field) is on it; the
// knode's own state lives in that device_private, so touching the node of a
// freed device is a checked access like any other.
//
// Lists with get/put hooks: the parent's klist_children
// (klist_children_get/put, core.c) and a bus's klist_devices
// (klist_devices_get/put, bus.c) take a device reference per node. A
// driver's klist_devices has no hooks.
#include <algorithm>

#include "model/kernel.h"

namespace dsifuzz::model {

namespace {
bool HasHooks(KnodeField f) { return f != KnodeField::kDriver; }
}  // namespace

klist_node& Kernel::knode(ObjId p, KnodeField f) {
  device_private& dp = priv(p, "klist_node");
  switch (f) {
    case KnodeField::kParent:
      return dp.knode_parent;
    case KnodeField::kBus:
      return dp.knode_bus;
    case KnodeField::kDriver:
      break;
  }
  return dp.knode_driver;
}

ObjList& Kernel::klist_of(KnodeField f, ObjId owner) {
  switch (f) {
    case KnodeField::kParent:
      return priv(owner, "klist").klist_children;
    case KnodeField::kBus:
      return s_.buses[owner].klist_devices;
    case KnodeField::kDriver:
      break;
  }
  return s_.drivers[owner].klist_devices;
}

// klist_add_tail (klist.c:134): klist_node_init (kref 1, the get hook takes
// a device reference), then append.
void Kernel::klist_add_tail(ObjId p, KnodeField f, ObjId owner) {
  klist_node& n = knode(p, f);
  n.attached = true;
  n.dead = false;
  n.ref = 1;
  n.klist = owner;
  if (HasHooks(f)) get_device(priv(p).device);
  klist_of(f, owner).push_back(p);
}

// klist_release (klist.c:183) as reached from klist_dec_and_del: unlink
// the node and clear its klist pointer (which also clears the dead bit).
static void KlistRelease(klist_node& n, ObjList& list, ObjId p) {
  n.attached = false;
  n.dead = false;
  n.klist = 0;
  auto it = std::find(list.begin(), list.end(), p);
  if (it != list.end()) list.erase(it);  // absent only after an oops
}

// klist_put (klist.c:209): reads k->put through n_klist first, so a node
// whose klist pointer was cleared by klist_release oopses on a NULL klist;
// then kills the node if asked (knode_kill WARNs on a second kill, :65),
// drops the node's kref and, when that was the last one, unlinks the node
// and calls the put hook outside the lock.
void Kernel::klist_put(ObjId p, KnodeField f, bool kill) {
  KFUNC();
  klist_node& n = knode(p, f);
  if (!n.attached) {
    Oops(
        "NULL pointer dereference: n_klist was cleared when the node was "
        "released",
        p);
    return;
  }
  if (kill) {
    if (n.dead)
      WARN("lib/klist.c:68@6.1 knode_kill: WARN_ON(knode_dead(knode))");
    n.dead = true;
  }
  if (--n.ref > 0) return;
  if (!n.dead)
    WARN("lib/klist.c:188@6.1 klist_release: WARN_ON(!knode_dead(n))");
  KlistRelease(n, klist_of(f, n.klist), p);
  if (HasHooks(f)) put_device(priv(p).device);
}

// klist_del (klist.c:228)
void Kernel::klist_del(ObjId p, KnodeField f) {
  KFUNC();
  klist_put(p, f, true);
}

// klist_remove (klist.c:238): klist_del, then sleep until the node is
// released. Model: only driver knodes are removed this way and no iterator
// ever holds one, so the wait never blocks.
void Kernel::klist_remove(ObjId p, KnodeField f) { klist_del(p, f); }

bool Kernel::klist_node_attached(ObjId p, KnodeField f) {
  return knode(p, f).attached;
}

// klist_iter_init (klist.c:297): start before the first node.
void Kernel::klist_iter_init(klist_iter& i, KnodeField f, ObjId owner) {
  i.field = f;
  i.owner = owner;
  i.cur = 0;
}

// klist_next (klist.c:375): the successor of the current node is found
// before the iterator's reference on it is dropped; dead nodes are skipped
// and the next live one gets a kref; the put hook of the old node (which
// may be the final put_device of its device) runs last, outside the lock.
ObjId Kernel::klist_next(klist_iter& i) {
  KFUNC();
  ObjList& list = klist_of(i.field, i.owner);
  ObjId last = i.cur;
  size_t pos = 0;
  bool put_last = false;
  if (last != 0) {
    pos = static_cast<size_t>(std::find(list.begin(), list.end(), last) -
                              list.begin());
    pos = pos < list.size() ? pos + 1 : list.size();  // absent: after an oops
    klist_node& n = knode(last, i.field);
    // mutant-no-iter-ref: the iterator holds no reference to drop.
    if (!Mutated(Mutant::kNoIterRef) && --n.ref == 0) {  // klist_dec_and_del
      if (!n.dead)
        WARN("lib/klist.c:188@6.1 klist_release: WARN_ON(!knode_dead(n))");
      if (pos > 0 && list[pos - 1] == last) --pos;
      KlistRelease(n, list, last);
      put_last = HasHooks(i.field);
    }
  }
  i.cur = 0;
  for (; pos < list.size(); ++pos) {
    klist_node& n = knode(list[pos], i.field);
    if (!n.dead) {
      i.cur = list[pos];
      // mutant-no-iter-ref: the iterator does not pin the node it returns.
      if (Mutated(Mutant::kNoIterRef)) [[unlikely]]
        break;
      ++n.ref;
      break;
    }
  }
  if (put_last) put_device(priv(last).device);
  return i.cur;
}

// klist_iter_exit (klist.c:311): drop the reference on the current node.
void Kernel::klist_iter_exit(klist_iter& i) {
  if (i.cur == 0) return;
  KFUNC();
  ObjId p = i.cur;
  i.cur = 0;
  // mutant-no-iter-ref: the iterator holds no reference to drop.
  if (Mutated(Mutant::kNoIterRef)) [[unlikely]]
    return;
  klist_put(p, i.field, false);
}

}  // namespace dsifuzz::model
