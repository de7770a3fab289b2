// The canonical form of a State, for the explorer (tools/explore.h): the
// same situation reached through different allocation histories becomes
// the same State, so that a search can reach a fixed point.
//
//   std::string key;
//   Renaming r;
//   EncodeCanonical(state, key, r);   // state_hash.h: `state` unchanged
//   property.SaveMemory(key, r);      // what observers remember, renamed
//   Canonicalize(state, r);           // or the canonical State itself
//
// The canonical form does three things, all invisible to the model:
//
//  1. It drops every freed object that nothing refers to any more: no live
//     object, no freed object still referred to, and no global (driver and
//     bus lists, the DSI host list, the deferred-probe lists, the world's
//     topology devices, sysfs) holds its id. No model code can reach such
//     an object again (ids come only from the State, and a new allocation
//     gets a fresh one), so no future event reads it, frees it or names it
//     in a fact. Live objects are never dropped, reachable or not: a leak
//     is a fact at teardown. Freed objects that something still points at
//     are kept with their stale contents, which a use-after-free reads.
//  2. It renumbers the objects kept 1, 2, 3... in the order a
//     breadth-first walk meets them: from the globals in a fixed order
//     (driver, bus, host and deferred-probe lists, the world's devices,
//     sysfs), each object's id fields in a fixed order, then the live
//     objects nothing reaches (by type, then old order). So the numbering
//     says nothing of the order objects were allocated in.
//  3. It sorts the sysfs names (a set: kobject_add looks for a duplicate,
//     kobject_del removes the one match).
//
// Why the model cannot tell: it compares ids only for equality, except in
// two places that iterate the heap in id order. World::DeviceOf finds a
// panel on the mipi-dsi bus's device list instead (as bind_store does), and
// ReportLeaks emits its leak facts in id order: only the order of those
// facts changes, so a refcount-balance verdict does not, though its first
// title (which leak comes first) may. A new object still gets an id above
// every existing one. So the model's run from a canonical State is the run
// from the original with ids renamed: same branches, same facts up to the
// renaming and the order of the leak facts (state_canon_test checks it on
// random runs of every variant). The canonical State keeps no allocation
// or free records, ordinals or labels: names for reports, not part of the
// state key (state_hash.h).
//
// Every field holding an ObjId is marked in state_fields.h; the size
// asserts in state_hash.cc fail the build when a struct gains a field.
#ifndef DSIFUZZ_MODEL_STATE_CANON_H_
#define DSIFUZZ_MODEL_STATE_CANON_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "model/state.h"

namespace dsifuzz::model {

// Old id -> new id. 0 for an object dropped (nothing will name it again);
// NULL and ERR_PTR values map to themselves.
class Renaming {
 public:
  Renaming() = default;
  // to[old] = new (for tests of what observers do with a renaming).
  explicit Renaming(std::vector<ObjId> to) : to_(std::move(to)) {}
  ObjId operator()(ObjId id) const { return id < to_.size() ? to_[id] : id; }
  // Nothing was dropped: every id maps to itself.
  bool identity() const { return to_.empty(); }
  // Live objects that nothing reaches (leaks) whose walks were started
  // from their old order: while there are any, the canonical form may
  // still depend on the history.
  size_t orphans() const { return orphans_; }

 private:
  friend size_t EncodeCanonicalAt(const State& s, std::string& out, size_t at,
                                  Renaming& r);
  std::vector<ObjId> to_;  // empty: the identity
  size_t orphans_ = 0;
};

// Puts `s` in canonical form and says in `r` how ids moved: the State
// decoded from its canonical encoding (EncodeCanonical, DecodeState in
// state_hash.h), so without allocation and free records.
void Canonicalize(State& s, Renaming& r);

// sysfs names (a set) in canonical order: by name, then by parent.
bool SysfsBefore(const State::SysfsEntry& a, const State::SysfsEntry& b);
// The same order on one integer (name base, name suffix, parent id, each
// mapped so that unsigned order is theirs), for sorting without a call per
// comparison; SysfsEntryOf() takes it back.
inline uint64_t SysfsKey(const State::SysfsEntry& e) {
  auto u16 = [](int16_t v) {
    return static_cast<uint64_t>(static_cast<uint16_t>(v) ^ 0x8000u);
  };
  return u16(e.name.base) << 48 | u16(e.name.suffix) << 32 | e.parent.id;
}
inline State::SysfsEntry SysfsEntryOf(uint64_t key) {
  auto s16 = [](uint64_t v) {
    return static_cast<int16_t>(static_cast<uint16_t>(v ^ 0x8000u));
  };
  State::SysfsEntry e;
  e.name.base = s16(key >> 48 & 0xFFFF);
  e.name.suffix = s16(key >> 32 & 0xFFFF);
  e.parent.id = static_cast<ObjId>(key);
  return e;
}

}  // namespace dsifuzz::model

#endif  // DSIFUZZ_MODEL_STATE_CANON_H_
