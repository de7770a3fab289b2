// Exhaustive exploration (`dsifuzz explore`): a breadth-first search over
// the world states reached from the post-setup state by enabled events
// (faults included). After each event the state is put in canonical form
// (model/state_canon.h; with `symmetry`, interchangeable bridges renamed
// too, model/state_symmetry.h), and states with equal keys (encoding,
// model/state_hash.h, plus what the properties remember) are merged, so
// that each is expanded once. A depth that brings no new state is a fixed
// point: the verdict then holds at any depth.
//
//   ExploreOptions o;
//   o.topology = scenario.topology;
//   o.max_depth = 8;
//   absl::StatusOr<ExploreResult> r = Explore(o);
//   // r->findings: the shortest failing sequence of each violated
//   // property; none means no failing sequence of up to 8 events.
//
// A sequence fails a property when its run followed by the end-of-run
// teardown violates it, as Judge() says. Children are made by decoding the
// parent's key and applying one event, never by replaying from the start;
// the teardown of each new state runs on the working world after its key
// is kept. BFS order gives the shortest failing sequence; on equal length,
// the first in World::EnabledEvents order at each step. Each finding is
// replayed from scratch (its title is the replay's). docs/explore.md says
// what the state key holds and why merging is sound.
#ifndef DSIFUZZ_TOOLS_EXPLORE_H_
#define DSIFUZZ_TOOLS_EXPLORE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "model/topology.h"
#include "tools/scenario.h"

namespace dsifuzz {

class Coverage;

struct ExploreOptions {
  std::string variant = "upstream-6.11";
  model::Topology topology;
  // Longest event sequence; -1: until no new state appears (fixed point)
  // or max_states.
  int max_depth = -1;
  // Fold interchangeable bridges (model/state_symmetry.h): states equal up
  // to a renaming of them are one state. docs/explore.md says what a
  // verdict then proves.
  bool symmetry = false;
  // Judge each state's end-of-run teardown once, and share the verdict
  // with the states the teardown passes through (docs/explore.md); false:
  // run every teardown whole (for tests, which compare the two).
  bool share_teardowns = true;
  // Arm a fault by rewriting its parent's key (docs/explore.md); false:
  // run the event and encode its child like any other (for tests).
  bool fault_in_place = true;
  // Keep what each event of a state with no fault armed calls, for its
  // siblings with faults armed (what commute_faults needs), and reuse a
  // transition for the siblings with the same countdowns at the sites it
  // calls, and a teardown's steps for the search (docs/explore.md);
  // false: run every event (for tests).
  bool reuse_transitions = true;
  // Leave out the transitions of a state S with faults armed that commute
  // with arming them: an event that calls none of S's armed sites (known
  // from its fault-free sibling's block, so only with reuse_transitions),
  // and the arming of a site below one S arms. Their children are reached
  // at the same depth another way (docs/explore.md, "Events that commute
  // with a fault"); false: take them (for tests, which compare the two).
  bool commute_faults = true;
  // Properties that count (empty: all).
  std::vector<std::string> properties;
  // Stop after this many distinct states (the last depth is then partial).
  uint64_t max_states = 100000000;  // about 2 GiB of fingerprints and nodes
  // Also stop once this much time has passed or the process's peak
  // resident memory exceeds this (0: no limit). Checked every few thousand
  // states: a run stopped by them is not deterministic.
  double max_seconds = 0;
  uint64_t max_rss_mib = 0;
  // Model-state coverage (tools/coverage.h): every (state, event) the
  // search takes and every state it reaches, to the last depth whatever
  // it finds. Every event then runs on the world (no fault armed in
  // place, no transition reused), so each child's state is read.
  Coverage* coverage = nullptr;
  // Called after each depth is finished (progress for long runs).
  std::function<void(const struct ExploreDepth&, double seconds,
                     uint64_t peak_rss_kib)>
      on_depth;
};

struct ExploreFinding {
  std::string property;
  std::string title;  // that property's first violation on the sequence
  Scenario scenario;  // the topology and the shortest sequence
};

struct ExploreDepth {
  int depth = 0;
  uint64_t states = 0;       // new distinct states at this depth
  uint64_t transitions = 0;  // events applied from the previous depth
};

struct ExploreResult {
  uint64_t states = 0;           // distinct states, the post-setup one included
  uint64_t transitions = 0;      // events applied
  uint64_t merged = 0;           // transitions that reached a known state
  uint64_t reused = 0;           // transitions lent by a sibling or a teardown
  uint64_t commuted = 0;         // left out: they commute with arming a fault
  size_t symmetric_classes = 0;  // with symmetry: classes of bridges folded
  int depth_reached = 0;         // deepest depth with every state expanded
  bool complete = false;         // depth_reached is max_depth, or fixed point
  bool fixed_point = false;      // a depth brought no new state
  bool truncated = false;        // stopped by a limit, before the depth ended
  std::string stopped_by;  // "--max-states", "--max-seconds", "--max-memory"
  std::vector<ExploreDepth> per_depth;
  // In property registry order; only the violated properties.
  std::vector<ExploreFinding> findings;
  // Not deterministic: wall time and peak resident memory.
  double seconds = 0;
  uint64_t peak_rss_kib = 0;
};

// Errors: an unknown variant or property.
absl::StatusOr<ExploreResult> Explore(const ExploreOptions& opts);

// `dsifuzz explore` (tools/explore_cli.cc).
int ExploreCommand(const std::vector<std::string>& args);

}  // namespace dsifuzz

#endif  // DSIFUZZ_TOOLS_EXPLORE_H_
