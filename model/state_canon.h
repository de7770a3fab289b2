// The canonical form of a State, for the explorer (tools/explore.h): the
// same situation reached through different allocation histories becomes
// the same State, so that a search can reach a fixed point.
//
//   Renaming r;
//   Canonicalize(state, r);       // garbage dropped, ids renumbered
//   property.RenameObjects(r);    // what observers remember follows
//
// Canonicalize() does two things, both invisible to the model:
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
//  2. It renumbers the objects kept 1, 2, 3... in their old order, and
//     their storage indices likewise, rewriting every id held anywhere in
//     the State. The renaming preserves order, so every comparison,
//     iteration order and search the model does over ids (World::DeviceOf
//     takes the first match, ReportLeaks goes in id order) gives the same
//     answer, and a new object still gets an id above every existing one.
//
// So the model's run from a canonical State is the run from the original
// with ids renamed: same branches, same facts up to the renaming. The
// allocation and free records of the objects kept are kept (reports print
// them); their ordinals ("struct mipi_dsi_device#3") are left as they were
// and are not part of the state key (state_hash.h).
//
// Every field holding an ObjId is listed in state_canon.cc; the size
// asserts in state_hash.cc fail the build when a struct gains a field, to
// be added to both files.
#ifndef DSIFUZZ_MODEL_STATE_CANON_H_
#define DSIFUZZ_MODEL_STATE_CANON_H_

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

 private:
  friend void Canonicalize(State& s, Renaming& r);
  std::vector<ObjId> to_;  // empty: the identity
};

// Puts `s` in canonical form and says in `r` how ids moved.
void Canonicalize(State& s, Renaming& r);

}  // namespace dsifuzz::model

#endif  // DSIFUZZ_MODEL_STATE_CANON_H_
