// Scenario files, format v1: a topology, a variant, events and expectations
// as line-oriented text.
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
// The grammar is in docs/scenario.md. ParseScenario() reports the first
// error as InvalidArgument "FILE:LINE: what was expected".
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

struct Scenario {
  std::string path;
  std::string variant = "upstream-6.11";
  model::Topology topology;
  std::vector<model::Event> events;
  std::vector<int> event_lines;  // source line of each event
  // Property names that must fail; empty with expect_clean for `clean`.
  std::vector<std::string> expect;
  bool expect_clean = false;
  bool has_expect() const { return expect_clean || !expect.empty(); }
};

absl::StatusOr<Scenario> ParseScenario(absl::string_view text,
                                       absl::string_view path);
absl::StatusOr<Scenario> LoadScenario(const std::string& path);
// Parses one event line ("bind bridge0") against a topology.
absl::StatusOr<model::Event> ParseEvent(absl::string_view line,
                                        const model::Topology& topo);
// The canonical text of a scenario (round-trips through ParseScenario).
std::string FormatScenario(const Scenario& s);

}  // namespace dsifuzz

#endif  // DSIFUZZ_TOOLS_SCENARIO_H_
