#include "model/state_canon.h"

#include <algorithm>
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

// Buffers reused from call to call (Canonicalize runs after every event
// the explorer applies): the walk and, per store, the objects being moved.
struct Scratch {
  std::vector<ObjId> order;
  std::vector<ObjId> orphans;
  std::vector<uint32_t> index;
  std::tuple<std::vector<platform_device>, std::vector<i2c_client>,
             std::vector<mipi_dsi_device>, std::vector<device_private>,
             std::vector<kobj_name>, std::vector<action_devres>,
             std::vector<devres_group>, std::vector<dsi_controller>,
             std::vector<bridge_priv>, std::vector<panel_priv>>
      moved;
};
static_assert(std::tuple_size_v<decltype(Scratch::moved)> ==
              std::tuple_size_v<decltype(State::objs)>);

}  // namespace

void Canonicalize(State& s, Renaming& r) {
  thread_local Scratch scratch;
  const auto n = static_cast<ObjId>(s.heap.size());
  // Number the objects in the order a breadth-first walk meets them: from
  // the globals (in a fixed order, the world's devices first), then the
  // dummies, each object's fields in a fixed order; then the live objects
  // nothing reaches (leaks), in their old order. order[k] = old id of the
  // object numbered k + 1.
  std::vector<ObjId>& order = scratch.order;
  order.clear();
  std::vector<ObjId>& to = r.to_;
  to.assign(n, 0);
  auto reach = [&](ObjId& id) {
    if (id != 0 && id < n && to[id] == 0) {
      order.push_back(id);
      to[id] = static_cast<ObjId>(order.size());
    }
  };
  auto walk = [&](size_t from) {
    for (size_t k = from; k < order.size(); ++k) ObjectIds(s, order[k], reach);
  };
  // sysfs is a set of names (kobject_add looks for a duplicate, kobject_del
  // removes the one match): sorted, by name first, so that neither the
  // order names were added in nor the old numbering orders the walk.
  auto by_name = [](const State::SysfsEntry& a, const State::SysfsEntry& b) {
    return std::tie(a.name.base, a.name.suffix, a.parent.id) <
           std::tie(b.name.base, b.name.suffix, b.parent.id);
  };
  std::sort(s.sysfs.begin(), s.sysfs.end(), by_name);
  GlobalIds(s, reach);
  DummyIds(s, reach);
  walk(0);
  // Leaked objects: by type, then in their old order (which is history:
  // two states that differ only in it stay apart, which costs states,
  // never soundness).
  std::vector<ObjId>& orphans = scratch.orphans;
  orphans.clear();
  for (ObjId id = 1; id < n; ++id) {
    if (s.heap.slot(id).live && to[id] == 0) orphans.push_back(id);
  }
  std::stable_sort(orphans.begin(), orphans.end(), [&](ObjId a, ObjId b) {
    return s.heap.slot(a).type < s.heap.slot(b).type;
  });
  r.orphans_ = 0;
  for (ObjId id : orphans) {
    if (to[id] != 0) continue;  // reached from an earlier one
    ++r.orphans_;
    const size_t from = order.size();
    reach(id);
    walk(from);
  }
  bool identity = order.size() + 1 == n;
  for (size_t k = 0; identity && k < order.size(); ++k)
    identity = order[k] == k + 1;
  if (identity) {
    to.clear();
  } else {
    auto rename = [&](ObjId& id) { id = r(id); };
    // Each store gets its dummy and the objects kept, in their new order,
    // with their ids rewritten; then the slots, then the globals. A store
    // already in that order is only rewritten in place.
    std::vector<uint32_t>& index = scratch.index;
    index.assign(order.size(), 0);
    std::apply(
        [&](auto&... store) {
          (
              [&](auto& st) {
                using T = typename std::decay_t<decltype(st)>::value_type;
                bool in_place = true;
                uint32_t next = 1;
                for (size_t k = 0; k < order.size(); ++k) {
                  const Slot& slot = s.heap.slot(order[k]);
                  if (slot.type != TypeOf<T>::value) continue;
                  in_place = in_place && slot.index == next;
                  index[k] = next++;
                }
                in_place = in_place && next == st.size();
                if (in_place) {
                  for (T& o : st) Ids(o, rename);
                  return;
                }
                auto& moved = std::get<std::vector<T>>(scratch.moved);
                moved.clear();
                moved.push_back(std::move(st[0]));
                for (size_t k = 0; k < order.size(); ++k) {
                  const Slot& slot = s.heap.slot(order[k]);
                  if (slot.type == TypeOf<T>::value)
                    moved.push_back(std::move(st[slot.index]));
                }
                st.resize(moved.size());
                for (size_t k = 0; k < moved.size(); ++k) {
                  st[k] = std::move(moved[k]);
                  Ids(st[k], rename);
                }
              }(store),
              ...);
        },
        s.objs);
    s.heap.Compact(order);
    for (size_t k = 0; k < order.size(); ++k) {
      const auto id = static_cast<ObjId>(k + 1);
      s.heap.slot(id).index = index[k];
      s.Bind(id);
    }
    GlobalIds(s, rename);
  }
  std::sort(s.sysfs.begin(), s.sysfs.end(), by_name);
}

}  // namespace dsifuzz::model
