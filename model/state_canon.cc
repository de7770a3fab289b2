#include "model/state_canon.h"

#include <algorithm>
#include <tuple>
#include <utility>

#include "model/state_fields.h"

namespace dsifuzz::model {
namespace {

// The archive of the canonical walk: f(id) on every ObjId field, in the
// order of the field lists (model/state_fields.h); other fields ignored.
template <class F>
class IdVisitor {
 public:
  static constexpr bool kReading = false;
  explicit IdVisitor(F& f) : f_(f) {}
  template <fields::Scalar T>
  void operator()(T&) {}
  void id(ObjId& v) { f_(v); }
  void Reserve(size_t) {}

 private:
  F& f_;
};

// Buffers reused from call to call (the explorer numbers every state it
// reaches): the sysfs order and the leaked objects; and, for
// Canonicalize(), per store the objects being moved.
struct Scratch {
  std::vector<State::SysfsEntry> sysfs;
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

Scratch& TheScratch() {
  thread_local Scratch scratch;
  return scratch;
}

}  // namespace

bool SysfsBefore(const State::SysfsEntry& a, const State::SysfsEntry& b) {
  return std::tie(a.name.base, a.name.suffix, a.parent.id) <
         std::tie(b.name.base, b.name.suffix, b.parent.id);
}

void CanonicalOrder(const State& cs, Renaming& r, std::vector<ObjId>& order) {
  // The walk only reads; the field lists take mutable references.
  State& s = const_cast<State&>(cs);
  Scratch& scratch = TheScratch();
  const auto n = static_cast<ObjId>(s.heap.size());
  // Number the objects in the order a breadth-first walk meets them: from
  // the globals (in a fixed order, the world's devices first, sysfs by
  // name), then the dummies, each object's fields in a fixed order; then
  // the live objects nothing reaches (leaks), in their old order.
  order.clear();
  std::vector<ObjId>& to = r.to_;
  to.assign(n, 0);
  auto reach = [&](ObjId& id) {
    if (id != 0 && id < n && to[id] == 0) {
      order.push_back(id);
      to[id] = static_cast<ObjId>(order.size());
    }
  };
  IdVisitor<decltype(reach)> visit(reach);
  auto walk = [&](size_t from) {
    for (size_t k = from; k < order.size(); ++k) {
      fields::WithObject(s, order[k], [&](auto& o) { fields::Io(visit, o); });
    }
  };
  fields::IoGlobals(visit, s);
  std::vector<State::SysfsEntry>& sysfs = scratch.sysfs;
  sysfs.assign(s.sysfs.begin(), s.sysfs.end());
  std::sort(sysfs.begin(), sysfs.end(), SysfsBefore);
  for (State::SysfsEntry& e : sysfs) fields::Io(visit, e);
  // The dummy element 0 of each store: a type-confused write may have put
  // ids there, and a type-confused read may find them.
  if (s.dummies_used)
    fields::ForEachStore(s, [&](auto& store) { fields::Io(visit, store[0]); });
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
  if (identity) to.clear();
}

void Canonicalize(State& s, Renaming& r) {
  Scratch& scratch = TheScratch();
  thread_local std::vector<ObjId> order;
  CanonicalOrder(s, r, order);
  if (!r.identity()) {
    auto rename = [&](ObjId& id) { id = r(id); };
    IdVisitor<decltype(rename)> renamer(rename);
    // Each store gets its dummy and the objects kept, in their new order,
    // with their ids rewritten; then the slots, then the globals. A store
    // already in that order is only rewritten in place.
    std::vector<uint32_t>& index = scratch.index;
    index.assign(order.size(), 0);
    fields::ForEachStore(s, [&](auto& st) {
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
        for (T& o : st) fields::Io(renamer, o);
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
        fields::Io(renamer, st[k]);
      }
    });
    s.heap.Compact(order);
    for (size_t k = 0; k < order.size(); ++k)
      s.heap.slot(static_cast<ObjId>(k + 1)).index = index[k];
    fields::IoGlobals(renamer, s);
    for (State::SysfsEntry& e : s.sysfs) fields::Io(renamer, e);
  }
  std::sort(s.sysfs.begin(), s.sysfs.end(), SysfsBefore);
}

}  // namespace dsifuzz::model
