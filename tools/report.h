// Running a scenario and printing what happened: the per-event trace of
// model calls, and one KASAN-shaped report per distinct violation.
#ifndef DSIFUZZ_TOOLS_REPORT_H_
#define DSIFUZZ_TOOLS_REPORT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "model/mm/heap.h"
#include "model/topology.h"
#include "properties/property.h"
#include "tools/scenario.h"

namespace dsifuzz {
namespace model {
class World;
}  // namespace model

struct RunResult {
  std::string trace;                     // empty unless asked for
  std::vector<Violation> violations;     // first of each title, in order
  std::vector<int> repeats;              // further violations per title
  std::vector<std::string> failed;       // failing properties, registry order
  std::vector<std::string> event_texts;  // index = event number
};

// Replays a scenario's events on `variant` (any registered variant, named
// by the scenario or not), then the teardown. An event whose precondition
// does not hold is FailedPrecondition "FILE:LINE: ..."; an unknown variant
// is InvalidArgument.
absl::StatusOr<RunResult> RunScenario(const Scenario& s,
                                      absl::string_view variant, bool trace);
// The same on the scenario's first variant.
absl::StatusOr<RunResult> RunScenario(const Scenario& s, bool trace);

// "struct mipi_dsi_device#1 (host0.0)": an object's type, ordinal and the
// topology device it belongs to; "NULL" or "a wild pointer" for ids that
// are not heap slots.
std::string ObjectName(const model::Heap& heap, model::ObjId id,
                       const model::Topology& topo);

// Applies the scenario's events to a set-up world, in order; an event whose
// precondition does not hold is FailedPrecondition "FILE:LINE: event does
// not apply: ...", and the rest are not applied.
absl::Status ApplyScenarioEvents(model::World& world, const Scenario& s);

// The report of one violation, first line "BUG: <kind> in <function>".
std::string FormatReport(const Violation& v,
                         const std::vector<std::string>& event_texts);

// Whether a run's outcome is what an expectation says: the same failing
// properties, or none for `clean`. Always true when none is given.
bool OutcomeMatches(const Expectation& want, const RunResult& r);

}  // namespace dsifuzz

#endif  // DSIFUZZ_TOOLS_REPORT_H_
