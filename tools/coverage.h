// Model-state coverage: which abstract states of each device a run
// reached, which (state, event) transitions it took and how often, and,
// against the explorer's set of what is reachable within N events, which
// reachable ones it never took.
//
// The abstract state of a device is what a kernel developer would say of
// it, read from the model's state without a checked access:
//   controller: removed / unbound / deferred / bound, its host on the
//               host_list or not, how many DSI devices are attached to it;
//   bridge:     removed / unbound / deferred / bound, and its DSI device:
//               none, registered, unregistered (alive, out of sysfs) or
//               freed (a bound bridge still points at it), attached or
//               not, its host struct freed or not;
//   panel:      absent (no DSI device registered for its node) / unbound /
//               deferred / bound, attached or not, its host freed or not;
//   kernel:     how many fault sites are armed (for the `fail SITE`
//               events).
// Devices are counted by role (kind and style), so a table is the same
// shape on every topology: "bridge (devm-probe)" in state "bound; dsi
// attached" took `unbind` 1234 times.
//
//   Coverage c;
//   c.Visit(world);       // each state the run is in
//   c.Take(world, e);     // an event, from the state last visited
//   world.Apply(e);
//
// The counters are dense arrays indexed by role, state bits and event (a
// few hundred kilobytes), so counting costs a few adds per event.
#ifndef DSIFUZZ_TOOLS_COVERAGE_H_
#define DSIFUZZ_TOOLS_COVERAGE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "model/world.h"
#include "nlohmann/json_fwd.hpp"

namespace dsifuzz {

class Coverage {
 public:
  Coverage();
  // Counts every device's abstract state (and the kernel's), and keeps
  // them for Take().
  void Visit(const model::World& w);
  // Counts the transitions `e` takes from the state last visited: from its
  // device's state, or for rmmod/insmod from each device of the driver,
  // for deferred-probe from each deferred device, for `fail` from the
  // kernel's.
  void Take(const model::World& w, const model::Event& e);
  void Merge(const Coverage& other);

  // The counts that are not zero, by key (role, state and, for
  // transitions, event, packed).
  absl::flat_hash_map<uint32_t, uint64_t> states() const;
  absl::flat_hash_map<uint32_t, uint64_t> transitions() const;

 private:
  std::vector<uint64_t> state_counts_;       // by state index
  std::vector<uint64_t> transition_counts_;  // by state index and event
  std::vector<uint32_t> last_;  // each device's state index at Visit()
};

// One row of a coverage table, in the words of the table.
struct CoverageRow {
  std::string device;  // role: "controller", "bridge (devm-probe)", "kernel"
  std::string state;   // "bound; dsi attached"
  std::string event;   // "unbind", "fail attach"; empty for a state row
  uint64_t count = 0;  // times the run took it (reached)
  bool reachable = false;  // the reference (explorer) reaches it
};

struct CoverageTable {
  // What the reference is ("explorer, upstream-6.11, 6 events, topology of
  // seed.dsi"); empty when there is none.
  std::string reference;
  // Sorted by device, state, event; transitions the run took or the
  // reference reaches.
  std::vector<CoverageRow> states;
  std::vector<CoverageRow> transitions;
  size_t reachable_states = 0, reached_reachable_states = 0;
  size_t reachable_transitions = 0, reached_reachable_transitions = 0;
};

// The table of `run` against `reference` (nullptr: no reference).
CoverageTable MakeCoverageTable(const Coverage& run, const Coverage* reference,
                                const std::string& reference_name);
// Plain text: a summary line, the transitions, then the never-reached ones.
std::string FormatCoverage(const CoverageTable& t);
nlohmann::json CoverageJson(const CoverageTable& t);

// The reference: every (state, event) the explorer takes on `topo` within
// `depth` events on `variant` (ExploreOptions::coverage).
Coverage ReachableCoverage(const model::Topology& topo,
                           const std::string& variant, int depth);

}  // namespace dsifuzz

#endif  // DSIFUZZ_TOOLS_COVERAGE_H_
