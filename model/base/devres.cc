// drivers/base/devres.c@6.11: managed resources. A device's devres list is
// a vector of nodes, newest last; each node's memory is a heap object (the
// action_devres, the devm_kzalloc'd object itself, or the group).
// Left out: devres names and logging, the devres_lock (single-threaded),
// groups other than the one i2c_device_probe opens.
#include <algorithm>

#include "model/kernel.h"

namespace dsifuzz::model {

// devres_add (devres.c:243@6.11) → add_dr: append at the tail.
void Kernel::devres_add(DevPtr d, devres_node node) {
  dev(d, "devres_add").devres_head.push_back(node);
  Emit(FactKind::kDevresAdd, node.node, static_cast<int>(node.action));
}

// __devm_add_action (devres.c:735@6.11): allocate the action node; on
// failure nothing is added and -ENOMEM returned.
int Kernel::__devm_add_action(DevPtr d, DevresAction action, ObjId data) {
  KFUNC();
  Ptr<action_devres> dr;
  {
    Frame alloc(this, "devres_alloc");
    if (FaultFires(FaultSite::kDevres, "devres")) return -ENOMEM;
    dr = NewObject<action_devres>();
  }
  devres_add(d, devres_node{DevresKind::kAction, action, dr.id, data});
  return 0;
}

// devm_add_action_or_reset (include/linux/device.h@6.11): when the node
// cannot be added, run the action at once and return the error.
int Kernel::devm_add_action_or_reset(DevPtr d, DevresAction action,
                                     ObjId data) {
  KFUNC();
  int ret = __devm_add_action(d, action, data);
  if (ret) {
    Emit(FactKind::kDevresRun, 0, static_cast<int>(action), "or_reset");
    devres_run_action(action, data);
  }
  return ret;
}

namespace {
// find_dr (devres.c@6.11): newest first, matching action and data.
int FindAction(const DevresList& head, DevresAction action, ObjId data) {
  for (int i = static_cast<int>(head.size()) - 1; i >= 0; --i) {
    const devres_node& n = head[i];
    if (n.kind == DevresKind::kAction && n.action == action && n.data == data)
      return i;
  }
  return -1;
}
}  // namespace

// devm_remove_action (devres.c:761@6.11): remove without running; WARN_ON
// if not found.
void Kernel::devm_remove_action(DevPtr d, DevresAction action, ObjId data) {
  KFUNC();
  DevresList& head = dev(d).devres_head;
  int i = FindAction(head, action, data);
  if (i < 0) {
    WARN(
        "drivers/base/devres.c:771@6.1 devm_remove_action: "
        "WARN_ON(devres_destroy(...))");
    return;
  }
  ObjId node = head[i].node;
  head.erase(head.begin() + i);
  Emit(FactKind::kDevresRemove, node);
  devres_free(node);
}

// devm_release_action (devres.c:783@6.11): remove and run; WARN_ON if not
// found.
void Kernel::devm_release_action(DevPtr d, DevresAction action, ObjId data) {
  KFUNC();
  DevresList& head = dev(d).devres_head;
  int i = FindAction(head, action, data);
  if (i < 0) {
    WARN(
        "drivers/base/devres.c:793@6.1 devm_release_action: "
        "WARN_ON(devres_release(...))");
    return;
  }
  devres_node n = head[i];
  head.erase(head.begin() + i);
  Emit(FactKind::kDevresRun, n.node, static_cast<int>(n.action));
  devres_run_action(n.action, n.data);
  devres_free(n.node);
}

// release_nodes (devres.c:493@6.1): newest first; each node's release, then
// kfree of the node. A devm_kzalloc'd object is its node; a group is freed
// at its open marker.
void Kernel::release_nodes(DevresList& todo) {
  KFUNC();
  // mutant-fifo-devres: the oldest node is released first.
  if (Mutated(Mutant::kFifoDevres)) [[unlikely]]
    std::reverse(todo.begin(), todo.end());
  for (auto it = todo.rbegin(); it != todo.rend(); ++it) {
    switch (it->kind) {
      case DevresKind::kAction:
        Emit(FactKind::kDevresRun, it->node, static_cast<int>(it->action));
        devres_run_action(it->action, it->data);  // devm_action_release
        devres_free(it->node);
        break;
      case DevresKind::kKmalloc:
        Emit(FactKind::kDevresRun, it->node);
        devres_free(it->node);  // devm_kmalloc_release is empty
        break;
      case DevresKind::kGroupOpen:
        devres_free(it->node);
        break;
      case DevresKind::kGroupClose:
        break;
    }
  }
}

// devres_release_all (devres.c:517@6.11): WARN_ON an uninitialised list;
// the whole list is detached first, so nodes added while releasing stay on
// the device for a later call.
int Kernel::devres_release_all(DevPtr d) {
  KFUNC();
  device& dv = dev(d);
  if (!dv.devres_initialized) {
    WARN(
        "drivers/base/devres.c:521@6.1 devres_release_all: "
        "WARN_ON(dev->devres_head.next == NULL)");
    return -ENODEV;
  }
  if (dv.devres_head.empty()) return 0;
  DevresList todo;
  todo.swap(dv.devres_head);
  int count = static_cast<int>(todo.size());
  release_nodes(todo);
  return count;
}

// devm_kzalloc (include/linux/device.h@6.11 → devm_kmalloc, devres.c):
// the object lives inside a devres node on `d`.
template <class T>
Ptr<T> Kernel::devm_kzalloc(DevPtr d) {
  KFUNC();
  if (FaultFires(FaultSite::kDevres, "devres")) return Ptr<T>{};
  Ptr<T> p = NewObject<T>();
  s_.heap.slot(p.id).devm = true;
  devres_add(d,
             devres_node{DevresKind::kKmalloc, DevresAction::kNone, p.id, 0});
  return p;
}
template Ptr<dsi_controller> Kernel::devm_kzalloc<dsi_controller>(DevPtr);
template Ptr<bridge_priv> Kernel::devm_kzalloc<bridge_priv>(DevPtr);
template Ptr<panel_priv> Kernel::devm_kzalloc<panel_priv>(DevPtr);

// devres_open_group (devres.c:549@6.1): returns the group id, 0 on ENOMEM.
// Model: the group is never closed (i2c_device_probe leaves it open).
ObjId Kernel::devres_open_group(DevPtr d) {
  KFUNC();
  if (FaultFires(FaultSite::kDevres, "devres")) return 0;
  Ptr<devres_group> grp = NewObject<devres_group>();
  devres_add(
      d, devres_node{DevresKind::kGroupOpen, DevresAction::kNone, grp.id, 0});
  return grp.id;
}

// devres_release_group (devres.c:669@6.11): from the open marker to the
// close marker or, for an open group, to the end; LIFO. Not found: silent
// if the list is empty, WARN_ON(1) otherwise.
int Kernel::devres_release_group(DevPtr d, ObjId id) {
  KFUNC();
  DevresList& head = dev(d).devres_head;
  size_t first = 0;
  while (first < head.size() && !(head[first].kind == DevresKind::kGroupOpen &&
                                  head[first].node == id))
    ++first;
  if (first == head.size()) {
    if (!head.empty())
      WARN("drivers/base/devres.c:695@6.1 devres_release_group: WARN_ON(1)");
    return 0;
  }
  size_t end = first + 1;
  while (end < head.size() &&
         !(head[end].kind == DevresKind::kGroupClose && head[end].node == id))
    ++end;
  if (end < head.size()) ++end;
  DevresList todo(head.begin() + static_cast<ptrdiff_t>(first),
                  head.begin() + static_cast<ptrdiff_t>(end));
  head.erase(head.begin() + static_cast<ptrdiff_t>(first),
             head.begin() + static_cast<ptrdiff_t>(end));
  int count = static_cast<int>(todo.size());
  release_nodes(todo);
  return count;
}

// The release of an action node: devm_action_release calls action(data).
void Kernel::devres_run_action(DevresAction action, ObjId data) {
  switch (action) {
    case DevresAction::kDevmMipiDsiDeviceUnregister:
      devm_mipi_dsi_device_unregister(data);
      break;
    case DevresAction::kDevmMipiDsiDetach:
      devm_mipi_dsi_detach(data);
      break;
    case DevresAction::kNone:
      break;
  }
}

}  // namespace dsifuzz::model
