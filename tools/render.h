// The timeline picture of a scenario (`dsifuzz render FILE --svg OUT`): one
// lane per object, the events down the page, each object's lifetime as a
// bar from its allocation to its free, its reference count along the bar,
// its attachment to a host as a band, and every bad access, WARN and leak
// marked where it happens, with the model's call chain on hover.
#ifndef DSIFUZZ_TOOLS_RENDER_H_
#define DSIFUZZ_TOOLS_RENDER_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "tools/scenario.h"

namespace dsifuzz {

// Replays `s` on `variant` (teardown included) and draws it as a
// self-contained SVG document (no scripts, no external references).
// FailedPrecondition when an event does not apply; InvalidArgument for an
// unknown variant.
absl::StatusOr<std::string> RenderTimelineSvg(const Scenario& s,
                                              const std::string& variant);

// `s` with &, <, > and " escaped, for XML and HTML text and attributes.
std::string XmlEscape(std::string_view s);

}  // namespace dsifuzz

#endif  // DSIFUZZ_TOOLS_RENDER_H_
