// Scenario files, format v1: one or more variants, a topology, events and
// each variant's expected verdict, as line-oriented text.
//
//   # dsifuzz v1
//   variant upstream-6.11
//   device host0 dsi-controller
//   device bridge0 i2c-bridge host=host0 style=devm-probe
//   bind host0
//   bind bridge0
//   unbind host0
//   expect use-after-free
//
// A file naming several variants qualifies every expect line with the
// variant it is for ("expect tomi-v1: clean"). The grammar is in
// docs/scenario.md. ParseScenario() reports an error as InvalidArgument
// "FILE:LINE: what was expected".
#ifndef DSIFUZZ_TOOLS_SCENARIO_H_
#define DSIFUZZ_TOOLS_SCENARIO_H_

#include <string>
#include <vector>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
#include "model/topology.h"
#include "model/world.h"

namespace dsifuzz {

inline constexpr absl::string_view kScenarioHeader = "# dsifuzz v1";
// The variant of a file without variant lines.
inline constexpr absl::string_view kDefaultVariant = "upstream-6.11";

// What a scenario expects of its run on one variant: one expect line (or,
// with a single variant, the unqualified expect lines added up).
struct Expectation {
  // Property names that must fail, in file order; empty for `clean`.
  std::vector<std::string> failing;
  bool clean = false;  // `expect clean`: no property may fail
  // Whether there is an expectation at all; without one any outcome goes.
  bool given() const { return clean || !failing.empty(); }
  // The expectation a run with these failing properties meets.
  static Expectation Of(const std::vector<std::string>& failed) {
    return Expectation{failed, failed.empty()};
  }
  bool operator==(const Expectation&) const = default;
};

// One `variant` line and what the scenario expects of that variant.
struct ScenarioVariant {
  std::string name;
  Expectation expect;
  bool operator==(const ScenarioVariant&) const = default;
};

struct Scenario {
  std::string path;
  // The variants the events are replayed on, in file order: never empty,
  // each named once. In a parsed scenario either every variant has an
  // expectation or none has; FormatScenario() writes what there is.
  std::vector<ScenarioVariant> variants = {
      {std::string(kDefaultVariant), Expectation{}}};
  model::Topology topology;
  std::vector<model::Event> events;
  std::vector<int> event_lines;  // source line of each event

  // For single-variant callers: the first variant and its expectation.
  const std::string& variant() const { return variants.front().name; }
  const Expectation& expect() const { return variants.front().expect; }
  Expectation& expect() { return variants.front().expect; }
  // Makes this a single-variant scenario on `name`, without expectation.
  void SetVariant(absl::string_view name);
  // Whether any variant has an expectation.
  bool has_expect() const;
  // The variant names, in file order.
  std::vector<std::string> VariantNames() const;
  // The expectation for variant `name`, or nullptr when the scenario does
  // not name that variant.
  const Expectation* ExpectationFor(absl::string_view name) const;
};

absl::StatusOr<Scenario> ParseScenario(absl::string_view text,
                                       absl::string_view path);
absl::StatusOr<Scenario> LoadScenario(const std::string& path);
// Parses one event line ("bind bridge0") against a topology.
absl::StatusOr<model::Event> ParseEvent(absl::string_view line,
                                        const model::Topology& topo);
// The canonical text of a scenario (round-trips through ParseScenario):
// variant lines, devices, events, then the expect lines, unqualified when
// there is a single variant and qualified, in variant order, otherwise.
std::string FormatScenario(const Scenario& s);
// An expectation as an expect line writes it: "clean" or the property
// names; empty when none is given.
std::string FormatExpectation(const Expectation& e);

}  // namespace dsifuzz

#endif  // DSIFUZZ_TOOLS_SCENARIO_H_
