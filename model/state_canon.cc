#include "model/state_canon.h"

#include <tuple>
#include <utility>

namespace dsifuzz::model {
namespace {

// Every ObjId field of each struct, passed to f(ObjId&). Fields that hold
// something else (klist_node::klist of the bus and driver knodes holds a
// Bus or DriverId, OfNode is a topology index, Label a name) are not.
template <class F>
void Ids(kobject& k, F& f) {
  f(k.name);
  f(k.parent.id);
}
template <class F>
void Ids(device& d, F& f) {
  Ids(d.kobj, f);
  f(d.parent.id);
  f(d.p);
  f(d.driver_data);
  for (devres_node& n : d.devres_head) {
    f(n.node);
    f(n.data);
  }
}
template <class F>
void Ids(platform_device& o, F& f) {
  Ids(o.dev, f);
}
template <class F>
void Ids(i2c_client& o, F& f) {
  Ids(o.dev, f);
  f(o.devres_group_id);
}
template <class F>
void Ids(mipi_dsi_device& o, F& f) {
  f(o.host.id);
  Ids(o.dev, f);
  f(o.devres_register_dev.id);
  f(o.devres_attach_dev.id);
}
template <class F>
void Ids(device_private& o, F& f) {
  for (ObjId& c : o.klist_children) f(c);
  f(o.knode_parent.klist);  // the parent's device_private
  f(o.device.id);
}
template <class F>
void Ids(kobj_name&, F&) {}
template <class F>
void Ids(action_devres&, F&) {}
template <class F>
void Ids(devres_group&, F&) {}
template <class F>
void Ids(dsi_controller& o, F& f) {
  f(o.host.dev.id);
}
template <class F>
void Ids(bridge_priv& o, F& f) {
  f(o.dsi.id);
}
template <class F>
void Ids(panel_priv& o, F& f) {
  f(o.dsi.id);
}

// The ids held outside objects.
template <class F>
void GlobalIds(State& s, F& f) {
  for (device_driver& d : s.drivers)
    for (ObjId& id : d.klist_devices) f(id);
  for (bus_state& b : s.buses)
    for (ObjId& id : b.klist_devices) f(id);
  for (ObjId& id : s.host_list) f(id);
  for (ObjId& id : s.deferred_pending) f(id);
  for (ObjId& id : s.deferred_active) f(id);
  for (ObjId& id : s.topo_dev) f(id);
  for (State::SysfsEntry& e : s.sysfs) f(e.parent.id);
}

// The ids held by object `id`.
template <class F>
void ObjectIds(State& s, ObjId id, F& f) {
  const Slot& slot = s.heap.slot(id);
  std::apply(
      [&](auto&... store) {
        (
            [&](auto& st) {
              using T = typename std::decay_t<decltype(st)>::value_type;
              if (slot.type == TypeOf<T>::value) Ids(st[slot.index], f);
            }(store),
            ...);
      },
      s.objs);
}

// The dummy element 0 of each store: a type-confused write may have put
// ids there, and a type-confused read may find them.
template <class F>
void DummyIds(State& s, F& f) {
  std::apply([&](auto&... store) { (Ids(store[0], f), ...); }, s.objs);
}

}  // namespace

void Canonicalize(State& s, Renaming& r) {
  const auto n = static_cast<ObjId>(s.heap.size());
  // Mark: the live objects and every id held by the globals, the dummies
  // and (transitively) the objects marked.
  std::vector<uint8_t> mark(n, 0);
  std::vector<ObjId> work;
  auto reach = [&](ObjId& id) {
    if (id != 0 && id < n && !mark[id]) {
      mark[id] = 1;
      work.push_back(id);
    }
  };
  for (ObjId id = 1; id < n; ++id) {
    if (s.heap.slot(id).live) {
      mark[id] = 1;
      work.push_back(id);
    }
  }
  GlobalIds(s, reach);
  DummyIds(s, reach);
  while (!work.empty()) {
    ObjId id = work.back();
    work.pop_back();
    ObjectIds(s, id, reach);
  }

  std::vector<ObjId> kept;
  kept.reserve(n);
  for (ObjId id = 1; id < n; ++id) {
    if (mark[id]) kept.push_back(id);
  }
  r.to_.clear();
  if (kept.size() + 1 == n) return;  // nothing to drop: the identity

  // Renumber, in the old order.
  r.to_.assign(n, 0);
  for (size_t i = 0; i < kept.size(); ++i)
    r.to_[kept[i]] = static_cast<ObjId>(i + 1);
  auto rename = [&](ObjId& id) { id = r(id); };

  // Rebuild each store with its dummy and the objects kept, in order, with
  // their ids rewritten; then the slots, then the globals.
  std::vector<uint32_t> index(kept.size());
  std::apply(
      [&](auto&... store) {
        (
            [&](auto& st) {
              using Store = std::decay_t<decltype(st)>;
              using T = typename Store::value_type;
              Store out;
              out.push_back(std::move(st[0]));
              Ids(out.back(), rename);
              for (size_t i = 0; i < kept.size(); ++i) {
                const Slot& slot = s.heap.slot(kept[i]);
                if (slot.type != TypeOf<T>::value) continue;
                index[i] = static_cast<uint32_t>(out.size());
                out.push_back(std::move(st[slot.index]));
                Ids(out.back(), rename);
              }
              st.swap(out);
            }(store),
            ...);
      },
      s.objs);
  s.heap.Compact(kept);
  for (size_t i = 0; i < kept.size(); ++i) {
    const auto id = static_cast<ObjId>(i + 1);
    s.heap.slot(id).index = index[i];
    s.Bind(id);
  }
  GlobalIds(s, rename);
}

}  // namespace dsifuzz::model
