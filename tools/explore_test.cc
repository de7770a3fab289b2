// The explorer (tools/explore.h): the seed use-after-free found as the
// shortest sequence, dsifuzz-fix clean to depth 7 and at its fixed point,
// merging of identical states, symmetry folding, agreement with a
// brute-force search that merges nothing, with Judge(), with the
// shrinker's bounded search and with fuzz + shrink.
#include "tools/explore.h"

#include <random>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "model/state_hash.h"
#include "model/world.h"
#include "properties/property.h"
#include "shrinkers/shrink.h"
#include "tools/explore_states.h"
#include "tools/fuzz.h"
#include "tools/judge.h"
#include "tools/scenario.h"

namespace dsifuzz {
namespace {

using model::Event;
using model::EventKind;

ExploreResult MustExplore(const ExploreOptions& o) {
  absl::StatusOr<ExploreResult> r = Explore(o);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : ExploreResult{};
}

const ExploreFinding* FindingOf(const ExploreResult& r,
                                const std::string& property) {
  for (const ExploreFinding& f : r.findings) {
    if (f.property == property) return &f;
  }
  return nullptr;
}

// The seed topology with a second bridge on channel 1, of `style`.
model::Topology TwoBridges(model::Style style = model::Style::kDevmProbe) {
  model::Topology t = model::SeedTopology();
  t.devices.push_back(t.devices[1]);
  t.devices[2].name = "bridge1";
  t.devices[2].channel = 1;
  t.devices[2].style = style;
  return t;
}

// Two searches that must agree: the same states, transitions, merges and
// findings (each the same sequence).
void ExpectSameSearch(const ExploreResult& a, const ExploreResult& b) {
  EXPECT_EQ(a.states, b.states);
  EXPECT_EQ(a.transitions, b.transitions);
  EXPECT_EQ(a.merged, b.merged);
  EXPECT_EQ(a.depth_reached, b.depth_reached);
  ASSERT_EQ(a.findings.size(), b.findings.size());
  for (size_t i = 0; i < a.findings.size(); ++i)
    EXPECT_EQ(a.findings[i].scenario.events, b.findings[i].scenario.events);
}

TEST(Explore, FindsTheSeedUseAfterFreeInThreeEvents) {
  ExploreOptions o;
  o.topology = model::SeedTopology();
  o.max_depth = 6;
  o.properties = {"use-after-free"};
  ExploreResult r = MustExplore(o);
  ASSERT_EQ(r.findings.size(), 1u);
  const ExploreFinding& f = r.findings[0];
  EXPECT_EQ(f.title, "use-after-free in mipi_dsi_detach");
  const std::vector<Event> want = {
      {EventKind::kBind, 0}, {EventKind::kBind, 1}, {EventKind::kUnbind, 0}};
  EXPECT_EQ(f.scenario.events, want);
  // Once every property is found, the search stops.
  EXPECT_EQ(r.depth_reached, 3);
  EXPECT_FALSE(r.complete);
  // The finding fails that property when judged from scratch.
  Verdict v = Judge(f.scenario, {"use-after-free"});
  EXPECT_TRUE(v.valid);
  EXPECT_EQ(v.title, f.title);
}

TEST(Explore, FixIsCleanUpToDepthSeven) {
  ExploreOptions o;
  o.variant = "dsifuzz-fix";
  o.topology = model::SeedTopology();
  o.max_depth = 7;
  ExploreResult r = MustExplore(o);
  EXPECT_TRUE(r.findings.empty());
  EXPECT_TRUE(r.complete);
  EXPECT_FALSE(r.truncated);
  EXPECT_EQ(r.depth_reached, 7);
  // Hashing merges: many transitions reach a state already known.
  EXPECT_GT(r.merged, 0u);
  EXPECT_LT(r.states, r.transitions + 1);
  ASSERT_EQ(r.per_depth.size(), 8u);
  uint64_t states = 0, transitions = 0;
  for (const ExploreDepth& d : r.per_depth) {
    states += d.states;
    transitions += d.transitions;
  }
  EXPECT_EQ(states, r.states);
  EXPECT_EQ(transitions, r.transitions);
}

// Without a depth bound, the seed topology's canonical states run out: a
// proof for every length.
TEST(Explore, FixReachesAFixedPointOnTheSeedTopology) {
  ExploreOptions o;
  o.variant = "dsifuzz-fix";
  o.topology = model::SeedTopology();
  ExploreResult r = MustExplore(o);
  EXPECT_TRUE(r.findings.empty());
  EXPECT_TRUE(r.fixed_point);
  EXPECT_TRUE(r.complete);
  EXPECT_FALSE(r.truncated);
  ASSERT_FALSE(r.per_depth.empty());
  EXPECT_EQ(r.per_depth.back().states, 0u);
  EXPECT_LT(r.states, 10000u);
  // The baseline never gets there: every property it fails is found, at
  // the latest when a violation ends the search.
  o.variant = "upstream-6.11";
  o.properties = {"use-after-free"};
  EXPECT_FALSE(MustExplore(o).fixed_point);
}

TEST(Explore, IsDeterministic) {
  ExploreOptions o;
  o.topology = model::SeedTopology();
  o.max_depth = 5;
  ExploreResult a = MustExplore(o), b = MustExplore(o);
  EXPECT_EQ(a.states, b.states);
  EXPECT_EQ(a.transitions, b.transitions);
  EXPECT_EQ(a.merged, b.merged);
  ASSERT_EQ(a.findings.size(), b.findings.size());
  for (size_t i = 0; i < a.findings.size(); ++i) {
    EXPECT_EQ(a.findings[i].title, b.findings[i].title);
    EXPECT_EQ(a.findings[i].scenario.events, b.findings[i].scenario.events);
  }
}

TEST(Explore, MaxStatesStopsTheSearch) {
  ExploreOptions o;
  o.variant = "dsifuzz-fix";
  o.topology = model::SeedTopology();
  o.max_depth = 8;
  o.max_states = 50;
  ExploreResult r = MustExplore(o);
  EXPECT_TRUE(r.truncated);
  EXPECT_FALSE(r.complete);
  EXPECT_EQ(r.states, 50u);
}

// Folding interchangeable bridges: fewer states, the same verdicts and the
// same shortest lengths (each finding replays from scratch in Explore()).
TEST(Explore, SymmetryFoldsStatesAndKeepsVerdicts) {
  const model::Topology t = TwoBridges();
  for (const char* variant :
       {"upstream-6.11", "tomi-v1", "maxime", "dsifuzz-fix"}) {
    SCOPED_TRACE(variant);
    ExploreOptions o;
    o.variant = variant;
    o.topology = t;
    o.max_depth = 5;
    ExploreResult plain = MustExplore(o);
    o.symmetry = true;
    ExploreResult folded = MustExplore(o);
    EXPECT_EQ(folded.symmetric_classes, 1u);
    EXPECT_LT(folded.states, plain.states);
    ASSERT_EQ(folded.findings.size(), plain.findings.size());
    for (size_t i = 0; i < plain.findings.size(); ++i) {
      EXPECT_EQ(folded.findings[i].property, plain.findings[i].property);
      EXPECT_EQ(folded.findings[i].scenario.events.size(),
                plain.findings[i].scenario.events.size())
          << plain.findings[i].property;
    }
  }
}

// A teardown verdict shared with the states the teardown passes through
// is the verdict of running each of their teardowns whole: the same states,
// transitions and findings, on variants that fail and one that does not.
TEST(Explore, SharedTeardownsJudgeLikeWholeOnes) {
  const model::Topology two = TwoBridges(model::Style::kManual);
  for (const char* variant :
       {"upstream-6.11", "pre-detach", "maxime", "dsifuzz-fix"}) {
    for (const std::string& p : PropertyNames()) {
      SCOPED_TRACE(std::string(variant) + " " + p);
      ExploreOptions o;
      o.variant = variant;
      o.topology = two;
      o.max_depth = 4;
      o.properties = {p};
      const ExploreResult shared = MustExplore(o);
      o.share_teardowns = false;
      ExpectSameSearch(shared, MustExplore(o));
    }
  }
}

// Arming a fault by rewriting the parent's key finds what running the
// event and encoding the child finds.
TEST(Explore, FaultsArmedInPlaceLikeByTheEvent) {
  for (const char* variant : {"upstream-6.11", "tomi-v1", "dsifuzz-fix"}) {
    for (const std::string& p : PropertyNames()) {
      SCOPED_TRACE(std::string(variant) + " " + p);
      ExploreOptions o;
      o.variant = variant;
      o.topology = model::SeedTopology();
      o.max_depth = 5;
      o.properties = {p};
      if (p == "use-after-free") {
        // And with symmetry, on two interchangeable bridges.
        o.topology = TwoBridges();
        o.symmetry = true;
      }
      // Without arming in place nothing commutes with a fault (below):
      // off on both sides, so that they take the same transitions.
      o.commute_faults = false;
      const ExploreResult in_place = MustExplore(o);
      o.fault_in_place = false;
      ExpectSameSearch(in_place, MustExplore(o));
    }
  }
}

// Transitions lent by a state's siblings with the same countdowns at the
// sites the event calls and by teardowns find what running every event
// finds, with and without symmetry.
TEST(Explore, ReusedTransitionsLikeRunOnes) {
  for (const char* variant : {"upstream-6.11", "maxime", "dsifuzz-fix"}) {
    for (bool symmetry : {false, true}) {
      for (const std::string& p : PropertyNames()) {
        SCOPED_TRACE(std::string(variant) + " " + p +
                     (symmetry ? " symmetry" : ""));
        ExploreOptions o;
        o.variant = variant;
        o.topology = TwoBridges();
        o.max_depth = 5;
        o.symmetry = symmetry;
        o.properties = {p};
        // What commutes with a fault is known from the fault-free
        // siblings' blocks, which reuse_transitions = false turns off
        // (below): off on both sides.
        o.commute_faults = false;
        const ExploreResult reused = MustExplore(o);
        o.reuse_transitions = false;
        const ExploreResult run = MustExplore(o);
        EXPECT_EQ(run.reused, 0u);
        ExpectSameSearch(reused, run);
        if (std::string(variant) == "dsifuzz-fix") {
          EXPECT_GT(reused.reused, 0u);
        }
      }
    }
  }
}

// Leaving out the transitions that commute with arming a fault keeps
// every state at its depth and every finding (the same sequence: the one
// left out is never the first in order), and leaves out exactly the
// transitions the full search takes and it does not.
TEST(Explore, CommutingWithFaultsKeepsEveryState) {
  const std::vector<std::pair<const char*, model::Topology>> topologies = {
      {"seed", model::SeedTopology()},
      {"two devm bridges", TwoBridges()},
      {"devm and manual bridges", TwoBridges(model::Style::kManual)}};
  for (const char* variant :
       {"upstream-6.11", "maxime", "tomi-v1", "dsifuzz-fix"}) {
    for (const auto& [name, topo] : topologies) {
      for (bool symmetry : {false, true}) {
        for (const std::string& p : PropertyNames()) {
          SCOPED_TRACE(std::string(variant) + " " + name + " " + p +
                       (symmetry ? " symmetry" : ""));
          ExploreOptions o;
          o.variant = variant;
          o.topology = topo;
          o.max_depth = 6;
          o.symmetry = symmetry;
          o.properties = {p};
          const ExploreResult reduced = MustExplore(o);
          o.commute_faults = false;
          const ExploreResult full = MustExplore(o);
          EXPECT_EQ(full.commuted, 0u);
          EXPECT_GT(reduced.commuted, 0u);
          EXPECT_EQ(reduced.transitions + reduced.commuted, full.transitions);
          ASSERT_EQ(reduced.per_depth.size(), full.per_depth.size());
          for (size_t d = 0; d < full.per_depth.size(); ++d)
            EXPECT_EQ(reduced.per_depth[d].states, full.per_depth[d].states)
                << "depth " << d;
          EXPECT_EQ(reduced.states, full.states);
          EXPECT_EQ(reduced.depth_reached, full.depth_reached);
          EXPECT_EQ(reduced.fixed_point, full.fixed_point);
          ASSERT_EQ(reduced.findings.size(), full.findings.size());
          for (size_t i = 0; i < full.findings.size(); ++i) {
            EXPECT_EQ(reduced.findings[i].scenario.events,
                      full.findings[i].scenario.events);
            EXPECT_EQ(reduced.findings[i].title, full.findings[i].title);
          }
        }
      }
    }
  }
}

TEST(Explore, RejectsUnknownNames) {
  ExploreOptions o;
  o.topology = model::SeedTopology();
  o.variant = "no-such-kernel";
  EXPECT_FALSE(Explore(o).ok());
  o.variant = "upstream-6.11";
  o.properties = {"no-such-property"};
  EXPECT_FALSE(Explore(o).ok());
}

// Equal states encode equally, whatever the order of the events that made
// them; a state after an extra bind does not.
TEST(StateHash, SameStateSameEncodingDifferentStateDifferent) {
  model::Topology topo = model::SeedTopology();
  auto run = [&](const std::vector<Event>& events) {
    model::World w(topo, model::FindVariant("upstream-6.11"), nullptr);
    w.Setup();
    for (const Event& e : events) EXPECT_TRUE(w.Apply(e).ok());
    std::string out;
    model::EncodeState(w.state(), out);
    return out;
  };
  // An armed host-attach fault and a controller bind commute (binding the
  // controller calls no ops->attach): same state either way.
  const std::string a = run({{EventKind::kFail, 2}, {EventKind::kBind, 0}});
  const std::string b = run({{EventKind::kBind, 0}, {EventKind::kFail, 2}});
  const std::string c = run({{EventKind::kBind, 0}});
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_FALSE(model::FingerprintOf(a) == model::FingerprintOf(c));
  // Copies encode equally.
  model::World w(topo, model::FindVariant("upstream-6.11"), nullptr);
  w.Setup();
  ASSERT_TRUE(w.Apply({EventKind::kBind, 0}).ok());
  model::State copy = w.Save();
  std::string x, y;
  model::EncodeState(w.state(), x);
  model::EncodeState(copy, y);
  EXPECT_EQ(x, y);
}

// Fingerprints are XXH3-128, whichever vector unit computes them: the
// reference value of the empty input, and one longer than a stripe.
TEST(StateHash, FingerprintsAreXxh3OfTheKey) {
  const model::Fingerprint empty = model::FingerprintOf("");
  EXPECT_EQ(empty.lo, 0x6001C324468D497FULL);
  EXPECT_EQ(empty.hi, 0x99AA06D3014798D8ULL);
  const std::string key(1000, 'k');
  EXPECT_TRUE(model::FingerprintOf(key) == model::FingerprintOf(key));
  EXPECT_FALSE(model::FingerprintOf(key) ==
               model::FingerprintOf(key.substr(1)));
}

// The table of states: flags set per fingerprint, kept through growth; a
// fingerprint is told from one that differs anywhere in its 112 kept bits.
TEST(FingerprintTable, KeepsFlagsPerFingerprintThroughGrowth) {
  FingerprintTable t;
  std::mt19937_64 rng(7);
  std::vector<model::Fingerprint> fps(200000);
  for (auto& fp : fps) fp = model::Fingerprint{rng(), rng()};
  for (size_t i = 0; i < fps.size(); ++i) {
    EXPECT_EQ(t.Or(fps[i], static_cast<uint16_t>(1u << (i % 16))), 0u);
  }
  EXPECT_EQ(t.size(), fps.size());
  for (size_t i = 0; i < fps.size(); ++i) {
    ASSERT_EQ(t.Flags(fps[i]), 1u << (i % 16)) << i;
  }
  // Or() adds bits and returns the old ones.
  EXPECT_EQ(t.Or(fps[3], 1), 1u << 3);
  EXPECT_EQ(t.Flags(fps[3]), (1u << 3) | 1u);
  EXPECT_EQ(t.size(), fps.size());
  // Absent: no flags. Differing in the high word only, or with lo == 0.
  EXPECT_EQ(t.Flags(model::Fingerprint{fps[0].lo, fps[0].hi ^ (1ull << 63)}),
            0u);
  const model::Fingerprint zero{0, 12345ull << 16};
  EXPECT_EQ(t.Flags(zero), 0u);
  t.Or(zero, 2);
  EXPECT_EQ(t.Flags(zero), 2u);
}

// The transition cache keeps the last transitions put: once a generation
// fills, it is kept as the old one and the one before is dropped.
TEST(TransitionCache, KeepsTheLastTransitionsPut) {
  TransitionCache cache(/*max_log2=*/4);  // 11 entries per generation
  const model::Event bind{model::EventKind::kBind, 1};
  const model::Event unbind{model::EventKind::kUnbind, 1};
  auto parent = [](uint64_t i) {
    return model::Fingerprint{i * 0x9E3779B97F4A7C15ULL, i << 20};
  };
  for (uint64_t i = 1; i <= 40; ++i) {
    TransitionCache::Entry e;
    e.child_rest = model::Fingerprint{i, i};
    e.violated = static_cast<uint16_t>(i);
    cache.Put(parent(i), bind, e);
  }
  // The last ones are found with what was put; the first are gone.
  for (uint64_t i = 30; i <= 40; ++i) {
    const TransitionCache::Entry* e = cache.Find(parent(i), bind);
    ASSERT_NE(e, nullptr) << i;
    EXPECT_EQ(e->violated, i);
    EXPECT_TRUE(e->child_rest == (model::Fingerprint{i, i}));
    EXPECT_EQ(cache.Find(parent(i), unbind), nullptr) << "another event";
  }
  for (uint64_t i = 1; i <= 5; ++i)
    EXPECT_EQ(cache.Find(parent(i), bind), nullptr) << i;
  // Put again: replaced in place.
  TransitionCache::Entry e;
  e.violated = 99;
  cache.Put(parent(40), bind, e);
  EXPECT_EQ(cache.Find(parent(40), bind)->violated, 99);
}

// A state with faults armed has its fault-free sibling's teardown verdict
// only if that teardown calls none of its armed sites.
TEST(States, TeardownOfAFaultFreeSiblingCountsUnlessItCallsAnArmedSite) {
  const model::Topology topo = model::SeedTopology();
  ExploreSink sink(MakeAllProperties());
  model::World world(topo, model::FindVariant("dsifuzz-fix"), &sink);
  States states(world, sink, /*share_teardowns=*/true);
  const model::Fingerprint rest{0x1234, 0x5678ULL << 16};
  const uint8_t kzalloc = 1u << static_cast<int>(model::FaultSite::kKzalloc);
  states.RecordTeardown(model::WithFaults(rest, {}), /*verdict=*/0b101,
                        kzalloc);
  model::Faults attach_armed;
  attach_armed.attach = 1;
  uint32_t verdict = 0;
  const model::Fingerprint with_attach = model::WithFaults(rest, attach_armed);
  ASSERT_TRUE(states.KnownTeardown(with_attach, rest, attach_armed, &verdict));
  EXPECT_EQ(verdict, 0b101u);
  // Kept for that state too.
  verdict = 0;
  EXPECT_TRUE(states.KnownTeardown(with_attach, model::Fingerprint{9, 9 << 16},
                                   attach_armed, &verdict));
  EXPECT_EQ(verdict, 0b101u);
  model::Faults kzalloc_armed;
  kzalloc_armed.kzalloc = 1;
  EXPECT_FALSE(states.KnownTeardown(model::WithFaults(rest, kzalloc_armed),
                                    rest, kzalloc_armed, &verdict));
  // Without faults there is no sibling; without a record, no verdict.
  EXPECT_FALSE(states.KnownTeardown(model::Fingerprint{1, 1 << 16},
                                    model::Fingerprint{1, 1 << 16}, {},
                                    &verdict));
}

// The shortest failing sequence of each property by brute force: every
// sequence of enabled events up to `depth`, each judged from scratch
// (replay + teardown), nothing merged. Ties: the first in enabled order.
std::map<std::string, std::vector<Event>> BruteForce(
    const model::Topology& topo, const std::string& variant, int depth) {
  std::map<std::string, std::vector<Event>> shortest;
  std::vector<std::vector<Event>> layer = {{}};
  for (int len = 0; len <= depth; ++len) {
    std::vector<std::vector<Event>> next;
    for (const std::vector<Event>& seq : layer) {
      Scenario s;
      s.SetVariant(variant);
      s.topology = topo;
      s.events = seq;
      Verdict v = Judge(s, {});
      EXPECT_TRUE(v.valid);
      for (const std::string& p : v.failed) shortest.emplace(p, seq);
      if (len == depth) continue;
      model::World w(topo, model::FindVariant(variant), nullptr);
      w.Setup();
      for (const Event& e : seq) EXPECT_TRUE(w.Apply(e).ok());
      std::vector<Event> enabled;
      w.EnabledEvents(enabled);
      for (const Event& e : enabled) {
        next.push_back(seq);
        next.back().push_back(e);
      }
    }
    layer.swap(next);
  }
  return shortest;
}

// Merging identical states loses nothing: on the seed topology, up to
// depth 4, the explorer finds exactly the shortest (and first) failing
// sequence of every property that the merge-free brute force finds.
TEST(Explore, AgreesWithBruteForce) {
  const model::Topology topo = model::SeedTopology();
  for (const std::string variant :
       {"upstream-6.11", "pre-attached-flag", "idempotent", "dsifuzz-fix"}) {
    SCOPED_TRACE(variant);
    const int depth = 4;
    std::map<std::string, std::vector<Event>> want =
        BruteForce(topo, variant, depth);
    // One exploration per property, so that finding one property does not
    // stop the search for another.
    for (const std::string& p : PropertyNames()) {
      SCOPED_TRACE(p);
      ExploreOptions o;
      o.variant = variant;
      o.topology = topo;
      o.max_depth = depth;
      o.properties = {p};
      ExploreResult r = MustExplore(o);
      const ExploreFinding* f = FindingOf(r, p);
      auto it = want.find(p);
      if (it == want.end()) {
        EXPECT_EQ(f, nullptr);
        continue;
      }
      ASSERT_NE(f, nullptr);
      EXPECT_EQ(f->scenario.events, it->second);
    }
  }
}

// The shrinker's bounded search and the fuzz + shrink pipeline agree with
// the explorer on the length of the shortest failure (issue 5's yardstick),
// for the seed cell: upstream-6.11, use-after-free, seed topology.
TEST(Explore, ShortestMatchesTheShrinker) {
  ExploreOptions o;
  o.topology = model::SeedTopology();
  o.max_depth = 6;
  o.properties = {"use-after-free"};
  ExploreResult r = MustExplore(o);
  ASSERT_EQ(r.findings.size(), 1u);
  const ExploreFinding& f = r.findings[0];
  const int len = static_cast<int>(f.scenario.events.size());

  Shrinker sh(f.title, {"use-after-free"});
  std::optional<Scenario> shortest = sh.Shortest(f.scenario, 6, 100000);
  ASSERT_TRUE(shortest.has_value());
  EXPECT_EQ(static_cast<int>(shortest->events.size()), len);

  FuzzOptions fo;
  fo.seed = 1;
  fo.runs = 200;
  fo.max_events = 12;
  fo.properties = {"use-after-free"};
  fo.topology = o.topology;
  fo.write = false;
  FuzzResult fr = Fuzz(fo, nullptr, std::cerr);
  // The campaign finds several titles of the property; the shortest of
  // them is the property's shortest failure.
  int fuzz_shortest = -1;
  for (const Finding& found : fr.findings) {
    if (found.property != "use-after-free") continue;
    if (fuzz_shortest < 0 || found.shrunk_events < fuzz_shortest)
      fuzz_shortest = found.shrunk_events;
  }
  EXPECT_EQ(fuzz_shortest, len);
}

}  // namespace
}  // namespace dsifuzz
