// Real-kernel replay: a scenario becomes a kernel module of our own
// (kernel/module/dsifuzz_replay.c plus a generated dsifuzz_scenario.h), which
// runs the same events on a real KASAN kernel under qemu; the console then
// says what the kernel's first report was, to hold against the model's.
// docs/kernel-replay.md has the mapping and the table of the corpus.
#ifndef DSIFUZZ_TOOLS_KERNEL_REPLAY_H_
#define DSIFUZZ_TOOLS_KERNEL_REPLAY_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "model/world.h"
#include "tools/scenario.h"

namespace dsifuzz {

// The variant the kernel runs: Debian's 6.1.192 DSI core and driver core
// do what the upstream-6.11 model does on every path modelled.
inline constexpr std::string_view kKernelVariant = "upstream-6.11";

// The first report of a run, in a form both sides can give: the model's
// first violation that a kernel prints something for, or the first report
// on the kernel's console.
struct FirstReport {
  enum class Class {
    kClean,
    kUseAfterFree,
    kDoubleFree,
    kInvalidFree,
    kOops,  // NULL or wild dereference, general protection fault
    kWarning,
    kLeak,  // kmemleak: an unreferenced object at the end
    kHung,  // an event never returned
    kOther,
  };
  Class cls = Class::kClean;
  std::string kind;      // "use-after-free", "WARNING", "leak"...
  std::string function;  // where: the accessing, warning or allocating one
  std::string where;     // a WARNING's file:line, else ""
  int event = -1;        // the event it came in; -1 after the events
  // The functions around it: the model's call stack (outermost first), a
  // KASAN call trace or a kmemleak backtrace (innermost first).
  std::vector<std::string> stack;
  std::string title;  // "BUG: KASAN: use-after-free in mipi_dsi_detach"
};

const char* ClassName(FirstReport::Class c);  // "use-after-free", "clean"...

// The model's side of one scenario.
struct KernelCase {
  std::string path;
  // Why the kernel cannot run this scenario as the model does; empty when
  // it can.
  std::vector<std::string> unsupported;
  std::string header;                    // dsifuzz_scenario.h
  std::vector<std::string> event_texts;  // [0] setup, then events, teardown
  FirstReport model;                     // kernel-visible first violation
  // The violations before it that the kernel has no check for (the model
  // also reports them: host-pairing, double unregister...).
  std::vector<std::string> model_only;
};

// Whether the module can run `e`: every event but a fail event of a site
// other than the host's attach op (docs/kernel-replay.md).
bool KernelRuns(const model::Event& e);

// Random scenario `index` of `seed` that the kernel can express: a case of
// the fuzzer's generator (GenerateCase, tools/generator.h) on the kernel's
// variant, a random topology with at least one peripheral, 3 to
// `max_events` (at least 3) events the module runs, each drawn among those
// that apply after the events before it; cases that PlanKernelReplay would
// call not expressible (a panel on channel 4 or 5, two panels on one
// channel) are drawn again. The same arguments give the same scenario.
// `path` is unset.
inline constexpr int kRandomKernelEvents = 14;  // the default max_events
absl::StatusOr<Scenario> RandomKernelScenario(
    uint64_t seed, uint64_t index, int max_events = kRandomKernelEvents);

// Replays `s` on the upstream model (teardown included) and writes the
// module's header. An event that does not apply is FailedPrecondition.
absl::StatusOr<KernelCase> PlanKernelReplay(const Scenario& s);

// The first report on a replay's console (console.log of
// kernel/run-replay.sh). NotFound when the console shows no run: the kernel
// did not boot, or the module did not load.
absl::StatusOr<FirstReport> ParseKernelConsole(std::string_view console);

// Whether two first reports name the same bug: the same class, the same
// function (or, where the kernel inlined the model's function into a
// caller, a caller on the model's stack; for a leak, the model's function
// anywhere in kmemleak's backtrace), in the same event.
struct Agreement {
  bool agree = false;
  std::string note;  // why not, or how (e.g. "inlined into device_del")
};
Agreement CompareReports(const FirstReport& model, const FirstReport& kernel);

}  // namespace dsifuzz

#endif  // DSIFUZZ_TOOLS_KERNEL_REPLAY_H_
