// Symmetry: which bridges are interchangeable, and that a world with them
// renamed runs like the original (same facts, devices and ids renamed).
#include "model/state_symmetry.h"

#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "model/state_canon.h"
#include "model/state_hash.h"
#include "model/testing.h"
#include "model/world.h"

namespace dsifuzz {
namespace {

using namespace dsifuzz::model;  // NOLINT(build/namespaces)
using test::Bridge;
using test::Controller;
using test::FactLog;
using test::Panel;
using test::RenamedRun;

// Three interchangeable devm bridges on host0 (channels 0, 1, 3), two
// no-unregister ones on host1, and devices that must not be folded.
Topology Folding() {
  Topology t;
  t.devices = {Controller("host0"),
               Controller("host1"),
               Bridge("bridge0", 0),
               Bridge("bridge1", 0, Style::kDevmProbe, 1),
               Panel("panel0", 0, Style::kAttach, 2),
               Bridge("bridge2", 0, Style::kDevmProbe, 3),
               Bridge("bridge3", 1, Style::kNoUnregister, 0),
               Bridge("bridge4", 1, Style::kNoUnregister, 2),
               Bridge("bridge5", 1, Style::kManual, 1),
               Bridge("bridge6", 1, Style::kNoUnregister, 5)};
  return t;
}

TEST(Symmetry, ClassesAreBridgesThatDifferOnlyInNameAndChannel) {
  const Topology t = Folding();
  Symmetry sym(t);
  ASSERT_EQ(sym.classes().size(), 2u);
  EXPECT_EQ(sym.classes()[0], (std::vector<int16_t>{2, 3, 5}));
  EXPECT_EQ(sym.classes()[1], (std::vector<int16_t>{6, 7}));
  // A channel another device on the host uses is not folded.
  Topology clash = t;
  clash.devices[4].channel = 1;  // panel0 takes bridge1's channel
  EXPECT_EQ(Symmetry(clash).classes()[0], (std::vector<int16_t>{2, 5}));
  EXPECT_TRUE(Symmetry(SeedTopology()).trivial());
}

std::string Encode(const State& s) {
  std::string out;
  EncodeState(s, out);
  return out;
}

// The state after `events`, normalized and canonical.
std::string FoldedAfter(const Topology& topo,
                        const std::vector<Event>& events) {
  FactLog log;
  World w(topo, FindVariant("dsifuzz-fix"), &log);
  w.Setup();
  for (const Event& e : events) EXPECT_TRUE(w.Apply(e).ok());
  Symmetry sym(topo);
  State s = w.state();
  sym.Permute(s, sym.Normalizing(s));
  Renaming r;
  Canonicalize(s, r);
  return Encode(s);
}

Event On(EventKind kind, int i) { return Event{kind, static_cast<int16_t>(i)}; }

TEST(Symmetry, OneBridgeOrAnotherIsOneState) {
  const Topology t = Folding();
  // Bridge 2 or bridge 3 removed and added back (to the end of the i2c
  // bus's device list), then bound: the same state up to their names.
  auto readd = [&](int i) {
    return FoldedAfter(t, {On(EventKind::kBind, 0), On(EventKind::kRemove, i),
                           On(EventKind::kAdd, i)});  // add probes it
  };
  EXPECT_TRUE(readd(2) == readd(3));
  EXPECT_TRUE(readd(2) == readd(5));
  // Not folded: a bridge of another style.
  EXPECT_FALSE(readd(2) == readd(8));
  // Nor bridges in different places on the bus's list: binding the first
  // or the second one is not the same state (insmod would bind them in
  // that order).
  EXPECT_FALSE(
      FoldedAfter(t, {On(EventKind::kBind, 0), On(EventKind::kBind, 2)}) ==
      FoldedAfter(t, {On(EventKind::kBind, 0), On(EventKind::kBind, 3)}));
}

size_t FirstDifference(const std::string& a, const std::string& b) {
  size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  return i;
}

// World `folded` is renamed to its normal form after every event, then put
// in canonical form; `plain` is not. The same events (renamed) must give
// the same facts (ids renamed). The teardown is left out: it goes in
// topology order, which the renaming does not keep.
void RunFolded(const Topology& topo, const std::string& variant, uint32_t seed,
               int length) {
  SCOPED_TRACE(variant + " seed " + std::to_string(seed));
  const Symmetry sym(topo);
  FactLog plain_log, folded_log;
  World plain(topo, FindVariant(variant), &plain_log);
  World folded(topo, FindVariant(variant), &folded_log);
  plain.Setup();
  folded.Setup();
  // to_folded[i]: the index in `folded` of device i of `plain`.
  DevicePerm to_folded = sym.Normalizing(plain.state());
  for (size_t i = 0; i < to_folded.size(); ++i)
    to_folded[i] = static_cast<int16_t>(i);
  RenamedRun run(plain_log, folded_log, folded.state().heap.size());
  std::mt19937 rng(seed);
  std::vector<Event> enabled;
  for (int i = 0; i < length; ++i) {
    enabled.clear();
    plain.EnabledEvents(enabled);
    const Event e = enabled[rng() % enabled.size()];
    ASSERT_TRUE(plain.Apply(e).ok());
    ASSERT_TRUE(folded.Apply(Symmetry::Map(e, to_folded)).ok())
        << folded.Format(Symmetry::Map(e, to_folded));
    ASSERT_NO_FATAL_FAILURE(run.Compare());
    // Normalize and canonicalize `folded`, following the renamings.
    State s = folded.state();
    const DevicePerm p = sym.Normalizing(s);
    sym.Permute(s, p);
    for (int16_t& d : to_folded) d = p[d];
    Renaming r;
    const size_t old_size = s.heap.size();
    Canonicalize(s, r);
    run.Renamed(r, old_size, s.heap.size());
    folded.Restore(s, &folded_log);
    // And `plain` renamed the same way is the same state.
    State copy = plain.state();
    sym.Permute(copy, to_folded);
    Canonicalize(copy, r);
    // Leaked objects nothing reaches are ordered by their history: then
    // the two may differ in that order only.
    if (r.orphans() == 0) {
      ASSERT_TRUE(Encode(copy) == Encode(folded.state()))
          << "after event " << i << " " << plain.Format(e)
          << ", first difference at byte "
          << FirstDifference(Encode(copy), Encode(folded.state()));
    }
  }
}

TEST(Symmetry, AFoldedWorldRunsLikeTheOriginal) {
  for (const std::string& variant : VariantNames()) {
    for (uint32_t seed = 1; seed <= 30; ++seed) {
      RunFolded(Folding(), variant, seed, 30);
      if (HasFatalFailure()) return;
    }
  }
}

}  // namespace
}  // namespace dsifuzz
