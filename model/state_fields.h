// The fields of a State, listed once: every struct's encoded fields in a
// fixed order, with the fields that hold an ObjId marked. Internal to the
// explorer's state code: state_hash.cc runs these lists with its archives
// (the plain encoding, the canonical encoding, whose walk numbers the
// objects as it meets their ids, and the decoder), so that they cannot
// disagree on what a State holds or where its ids are.
//
// An archive `a` has:
//   a(v)          one integral or enum field that is not an id;
//   a.id(v)       one ObjId field (a pointer to a heap object);
//   a.Reserve(n)  room for n more bytes (a writer's; no run of fields
//                 between two calls is longer than a few hundred bytes);
//   A::kReading   whether it fills the fields (the decoder) or reads them;
//   a.Plausible(n), for a reader: whether a list length read can be right;
//   a.ok(), for a reader: whether it has read no further than its input
//                 (checked before each element of a list).
//
// Fields left out are history (state_hash.h says which and why); each
// struct's size is asserted in state_hash.cc so that a new field breaks the
// build until it is listed here or said to be history.
#ifndef DSIFUZZ_MODEL_STATE_FIELDS_H_
#define DSIFUZZ_MODEL_STATE_FIELDS_H_

#include <cstdint>
#include <type_traits>

#include "model/state.h"

namespace dsifuzz::model::fields {

// The lists run in the explorer's inner loop, once per field of every
// state it meets: each is inlined into its archive's loop.
#define DSIFUZZ_FIELDS_INLINE [[gnu::always_inline]] inline

template <class T>
concept Scalar = std::is_integral_v<T> || std::is_enum_v<T>;

// Every struct's list, declared first so that the lists of lists find
// them.
template <class A>
void Io(A& a, DevPtr& p);
template <class A, class T>
void Io(A& a, Ptr<T>& p);
template <class A>
void Io(A& a, Label& l);
template <class A>
void Io(A& a, devres_node& n);
template <class A>
void Io(A& a, platform_device& o);
template <class A>
void Io(A& a, i2c_client& o);
template <class A>
void Io(A& a, mipi_dsi_device& o);
template <class A>
void Io(A& a, device_private& o);
template <class A>
void Io(A& a, kobj_name& o);
template <class A>
void Io(A& a, action_devres& o);
template <class A>
void Io(A& a, devres_group& o);
template <class A>
void Io(A& a, dsi_controller& o);
template <class A>
void Io(A& a, bridge_priv& o);
template <class A>
void Io(A& a, panel_priv& o);
template <class A>
void Io(A& a, State::SysfsEntry& e);

template <class A>
DSIFUZZ_FIELDS_INLINE void Io(A& a, DevPtr& p) {
  a.id(p.id);
}
template <class A, class T>
DSIFUZZ_FIELDS_INLINE void Io(A& a, Ptr<T>& p) {
  a.id(p.id);
}
template <class A>
DSIFUZZ_FIELDS_INLINE void Io(A& a, Label& l) {
  a(l.base);
  a(l.suffix);
}

// A list's length, then (for a reader) fresh elements; false when a reader
// finds a length that cannot be right. A writer reserves room for the
// length and `each` bytes per element.
template <class A, class L>
DSIFUZZ_FIELDS_INLINE bool IoLength(A& a, L& list, size_t each) {
  auto n = static_cast<uint32_t>(list.size());
  a.Reserve(sizeof(n) + each * n);
  a(n);
  if constexpr (A::kReading) {
    list.clear();
    if (!a.Plausible(n)) return false;
    list.resize(n);
  }
  return true;
}
// A list of plain values or of plain structs with their own Io (no
// lists inside: trivially copyable), whose encoding is at most their
// size: room for the whole list is reserved with its length.
template <class A, class L>
DSIFUZZ_FIELDS_INLINE void IoList(A& a, L& list) {
  using T = typename L::value_type;
  static_assert(std::is_trivially_copyable_v<T>);
  if (!IoLength(a, list, sizeof(T))) return;
  for (T& x : list) {
    if constexpr (A::kReading) {
      if (!a.ok()) return;  // a length longer than the input
    }
    if constexpr (Scalar<T>) {
      a(x);
    } else {
      Io(a, x);
    }
  }
}
// A list of ObjIds.
template <class A, class L>
DSIFUZZ_FIELDS_INLINE void IoIdList(A& a, L& list) {
  if (!IoLength(a, list, sizeof(ObjId))) return;
  for (ObjId& x : list) {
    if constexpr (A::kReading) {
      if (!a.ok()) return;  // a length longer than the input
    }
    a.id(x);
  }
}

template <class A>
DSIFUZZ_FIELDS_INLINE void Io(A& a, kobject& k) {
  a.id(k.name);
  a(k.refcount);
  a(k.state_initialized);
  a(k.state_in_sysfs);
  Io(a, k.parent);
}
// knode_parent's klist is the parent's device_private (an id); the bus and
// driver knodes name a Bus or a DriverId.
template <class A>
DSIFUZZ_FIELDS_INLINE void Io(A& a, klist_node& n, bool klist_is_id) {
  a(n.attached);
  a(n.dead);
  a(n.ref);
  if (klist_is_id) {
    a.id(n.klist);
  } else {
    a(n.klist);
  }
}
template <class A>
DSIFUZZ_FIELDS_INLINE void Io(A& a, devres_node& n) {
  a(n.kind);
  a(n.action);
  a.id(n.node);
  a.id(n.data);
}
template <class A>
DSIFUZZ_FIELDS_INLINE void Io(A& a, device& d) {
  Io(a, d.kobj);
  Io(a, d.parent);
  a.id(d.p);
  a(d.bus);
  a(d.type);
  a(d.release);
  a(d.driver);
  a.id(d.driver_data);
  a(d.of_node);
  a(d.can_match);
  a(d.devres_initialized);
  IoList(a, d.devres_head);
  a(d.mutex_dead);
}
template <class A>
DSIFUZZ_FIELDS_INLINE void Io(A& a, platform_device& o) {
  Io(a, o.dev);
  a(o.topo);
}
template <class A>
DSIFUZZ_FIELDS_INLINE void Io(A& a, i2c_client& o) {
  Io(a, o.dev);
  a(o.topo);
  a.id(o.devres_group_id);
}
template <class A>
DSIFUZZ_FIELDS_INLINE void Io(A& a, mipi_dsi_device& o) {
  Io(a, o.host);
  Io(a, o.dev);
  a(o.attached);
  a(o.channel);
  a(o.mode_flags);
  a(o.name);
  Io(a, o.devres_register_dev);
  Io(a, o.devres_attach_dev);
  a(o.unregistered);
  a(o.released);
}
template <class A>
DSIFUZZ_FIELDS_INLINE void Io(A& a, device_private& o) {
  IoIdList(a, o.klist_children);
  Io(a, o.knode_parent, true);
  Io(a, o.knode_driver, false);
  Io(a, o.knode_bus, false);
  a(o.deferred);
  a(o.dead);
  Io(a, o.device);
}
template <class A>
DSIFUZZ_FIELDS_INLINE void Io(A& a, kobj_name& o) {
  Io(a, o.label);
}
template <class A>
DSIFUZZ_FIELDS_INLINE void Io(A&, action_devres&) {}
template <class A>
DSIFUZZ_FIELDS_INLINE void Io(A&, devres_group&) {}
template <class A>
DSIFUZZ_FIELDS_INLINE void Io(A& a, dsi_controller& o) {
  Io(a, o.host.dev);
  a(o.host.ops);
  a(o.host.on_host_list);
  a(o.bridges);
  a(o.mode_flags);
  // o.transfers: incremented by ops->transfer, never read (history).
}
template <class A>
DSIFUZZ_FIELDS_INLINE void Io(A& a, bridge_priv& o) {
  Io(a, o.dsi);
}
template <class A>
DSIFUZZ_FIELDS_INLINE void Io(A& a, panel_priv& o) {
  Io(a, o.dsi);
}
template <class A>
DSIFUZZ_FIELDS_INLINE void Io(A& a, State::SysfsEntry& e) {
  Io(a, e.parent);
  Io(a, e.name);
}

// The State's globals, sysfs and the faults excepted (sysfs's order is the
// caller's: the canonical encoding sorts it, the plain encoding keeps it;
// the canonical encoding puts the faults first, at a fixed place).
template <class A>
DSIFUZZ_FIELDS_INLINE void IoGlobals(A& a, State& s) {
  a.Reserve(0);
  for (device_driver& d : s.drivers) {
    // d.name is fixed by d.kind.
    a(d.kind);
    a(d.bus);
    a(d.registered);
    IoIdList(a, d.klist_devices);
  }
  for (bus_state& b : s.buses) {
    IoIdList(a, b.klist_devices);
    a(b.drivers_autoprobe);
  }
  IoIdList(a, s.host_list);
  IoIdList(a, s.deferred_pending);
  IoIdList(a, s.deferred_active);
  // s.deferred_trigger_count: only compared with a copy taken in the same
  // event (dd.c), so its absolute value is history.
  IoList(a, s.of_refcount);
  IoIdList(a, s.topo_dev);
}

// The armed fault countdowns, in the order of FaultSite (model/state.h).
template <class A>
DSIFUZZ_FIELDS_INLINE void IoFaults(A& a, State& s) {
  a(s.faults.kzalloc);
  a(s.faults.devres);
  a(s.faults.attach);
  a(s.faults.device_add);
}

// Runs f(store) on each typed store of `s`, in State::objs order.
template <class S, class F>
DSIFUZZ_FIELDS_INLINE void ForEachStore(S& s, F&& f) {
  std::apply([&](auto&... store) { (f(store), ...); }, s.objs);
}

// Runs f(store) on the store of `type`: one jump on the type (nothing for
// kNull and kCount).
template <class S, class F>
DSIFUZZ_FIELDS_INLINE void WithStore(S& s, ObjType type, F&& f) {
  static_assert(std::tuple_size_v<std::decay_t<decltype(s.objs)>> == 10);
  auto& o = s.objs;
  switch (type) {
    case ObjType::kPlatformDevice:
      return f(std::get<Store<platform_device>>(o));
    case ObjType::kI2cClient:
      return f(std::get<Store<i2c_client>>(o));
    case ObjType::kMipiDsiDevice:
      return f(std::get<Store<mipi_dsi_device>>(o));
    case ObjType::kDevicePrivate:
      return f(std::get<Store<device_private>>(o));
    case ObjType::kKobjName:
      return f(std::get<Store<kobj_name>>(o));
    case ObjType::kActionDevres:
      return f(std::get<Store<action_devres>>(o));
    case ObjType::kDevresGroup:
      return f(std::get<Store<devres_group>>(o));
    case ObjType::kDsiController:
      return f(std::get<Store<dsi_controller>>(o));
    case ObjType::kBridgePriv:
      return f(std::get<Store<bridge_priv>>(o));
    case ObjType::kPanelPriv:
      return f(std::get<Store<panel_priv>>(o));
    case ObjType::kNull:
    case ObjType::kCount:
      return;
  }
}

// Runs f(object) on heap object `id`, whatever its type.
template <class S, class F>
DSIFUZZ_FIELDS_INLINE void WithObject(S& s, ObjId id, F&& f) {
  const Slot& slot = s.heap.slot(id);
  WithStore(s, slot.type, [&](auto& store) { f(store[slot.index]); });
}

}  // namespace dsifuzz::model::fields

#undef DSIFUZZ_FIELDS_INLINE

#endif  // DSIFUZZ_MODEL_STATE_FIELDS_H_
