// The real-kernel replay without a kernel: what the model side plans (the
// module's events, teardown included, the first kernel-visible violation,
// what cannot be expressed), how consoles are read, and the agreement rule.
// The consoles in kernel/consoles/ are real ones, recorded from
// `dsifuzz kernel-replay --work DIR corpus/` on the Debian 6.1.192 KASAN
// kernel: each corpus scenario the kernel can express must still agree with
// its recorded console, so a model change that parts from the kernel fails
// here, in the default suite, before the `kernel` label runs.
#include "tools/kernel_replay.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "tools/scenario.h"

namespace dsifuzz {
namespace {

using Class = FirstReport::Class;

std::string Read(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

const std::filesystem::path kSource = DSIFUZZ_SOURCE_DIR;

Scenario Parse(const std::string& text) {
  absl::StatusOr<Scenario> s = ParseScenario(text, "t.dsi");
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *s : Scenario{};
}

KernelCase Plan(const std::string& text) {
  absl::StatusOr<KernelCase> c = PlanKernelReplay(Parse(text));
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? *c : KernelCase{};
}

constexpr char kSeed[] = R"(# dsifuzz v1
device host0 dsi-controller
device bridge0 i2c-bridge host=host0 style=devm-probe
bind host0
bind bridge0
unbind host0
unbind bridge0
)";

TEST(KernelReplayPlan, SeedScenarioRunsItsEventsThenTheTeardown) {
  KernelCase c = Plan(kSeed);
  EXPECT_TRUE(c.unsupported.empty());
  EXPECT_EQ(c.model.cls, Class::kUseAfterFree);
  EXPECT_EQ(c.model.function, "mipi_dsi_detach");
  EXPECT_EQ(c.model.event, 4);
  EXPECT_EQ(c.model.title, "BUG: use-after-free in mipi_dsi_detach");
  // The task that oopsed in event 4 left the bridge bound: the teardown
  // unbinds it again, then removes both devices.
  const std::string events =
      "static const struct dfz_event dfz_events[] = {\n"
      "\t{ DFZ_BIND, 0, \"bind host0\" },\n"
      "\t{ DFZ_BIND, 1, \"bind bridge0\" },\n"
      "\t{ DFZ_UNBIND, 0, \"unbind host0\" },\n"
      "\t{ DFZ_UNBIND, 1, \"unbind bridge0\" },\n"
      "\t{ DFZ_UNBIND, 1, \"teardown: unbind bridge0\" },\n"
      "\t{ DFZ_REMOVE, 1, \"teardown: remove bridge0\" },\n"
      "\t{ DFZ_REMOVE, 0, \"teardown: remove host0\" },\n"
      "};\n";
  EXPECT_NE(c.header.find(events), std::string::npos) << c.header;
  EXPECT_NE(c.header.find("{ \"bridge0\", DFZ_BRIDGE, 0, DFZ_DEVM_PROBE, 0 }"),
            std::string::npos)
      << c.header;
  EXPECT_NE(c.header.find("dfz_ctl_ids[] = {\n\t{ \"host0\", 0 },"),
            std::string::npos)
      << c.header;
}

TEST(KernelReplayPlan, CleanOrderHasNoReport) {
  KernelCase c = Plan(R"(# dsifuzz v1
device host0 dsi-controller
device bridge0 i2c-bridge host=host0 style=devm-probe
bind host0
bind bridge0
unbind bridge0
unbind host0
)");
  EXPECT_EQ(c.model.cls, Class::kClean);
  EXPECT_TRUE(c.model_only.empty());
}

TEST(KernelReplayPlan, AttachFaultIsTheModulesOwn) {
  KernelCase c = Plan(R"(# dsifuzz v1
device host0 dsi-controller
device bridge0 i2c-bridge host=host0 style=manual
bind host0
fail attach 1
bind bridge0
)");
  EXPECT_TRUE(c.unsupported.empty());
  EXPECT_NE(c.header.find("{ DFZ_FAIL_ATTACH, 1, \"fail attach\" }"),
            std::string::npos)
      << c.header;
}

TEST(KernelReplayPlan, SaysWhatTheKernelCannotExpress) {
  KernelCase devres = Plan(R"(# dsifuzz v1
device host0 dsi-controller
device bridge0 i2c-bridge host=host0
bind host0
fail devres 4
bind bridge0
)");
  ASSERT_EQ(devres.unsupported.size(), 1u);
  EXPECT_EQ(devres.unsupported[0].rfind("fail devres: ", 0), 0u);

  KernelCase reg = Plan(R"(# dsifuzz v1
device host0 dsi-controller
device panel0 dsi-panel host=host0 channel=5
bind host0
)");
  ASSERT_EQ(reg.unsupported.size(), 1u);
  EXPECT_NE(reg.unsupported[0].find("device tree"), std::string::npos);

  // A deferred probe is retried where the scenario says: the module's
  // deferred-probe event flushes the kernel's deferred-probe work.
  KernelCase deferred = Plan(R"(# dsifuzz v1
device host0 dsi-controller
device bridge0 i2c-bridge host=host0
bind bridge0
bind host0
deferred-probe
)");
  EXPECT_TRUE(deferred.unsupported.empty());
  EXPECT_NE(
      deferred.header.find("{ DFZ_DEFERRED_PROBE, -1, \"deferred-probe\" }"),
      std::string::npos)
      << deferred.header;
}

TEST(KernelReplayRandom, TheModuleRunsEveryEventButOtherFaultSites) {
  using model::Event;
  using model::EventKind;
  using model::FaultSite;
  auto fail = [](FaultSite site) {
    return Event{EventKind::kFail, static_cast<int16_t>(site), 1};
  };
  EXPECT_TRUE(KernelRuns(fail(FaultSite::kAttach)));
  EXPECT_FALSE(KernelRuns(fail(FaultSite::kKzalloc)));
  EXPECT_FALSE(KernelRuns(fail(FaultSite::kDevres)));
  EXPECT_FALSE(KernelRuns(fail(FaultSite::kDeviceAdd)));
  for (EventKind k : {EventKind::kBind, EventKind::kUnbind, EventKind::kRemove,
                      EventKind::kAdd, EventKind::kTransfer, EventKind::kRmmod,
                      EventKind::kInsmod, EventKind::kDeferredProbe})
    EXPECT_TRUE(KernelRuns(Event{k, 0, 1})) << model::EventKindName(k);
}

// Random scenarios for the kernel: each one replays on the model and is
// expressible, has 3 to 14 events and a peripheral; the same seed and
// index give the same file; and 300 of them use every kind of event, the
// attach fault, panels and two controllers.
TEST(KernelReplayRandom, ExpressibleDeterministicAndVaried) {
  std::set<std::string> texts;
  std::set<model::EventKind> kinds;
  int two_hosts = 0, panels = 0;
  for (uint64_t i = 0; i < 300; ++i) {
    absl::StatusOr<Scenario> s = RandomKernelScenario(7, i);
    ASSERT_TRUE(s.ok()) << s.status();
    const std::string text = FormatScenario(*s);
    absl::StatusOr<Scenario> again = RandomKernelScenario(7, i);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(FormatScenario(*again), text);
    texts.insert(text);
    EXPECT_GE(s->events.size(), 3u) << text;
    EXPECT_LE(s->events.size(), 14u) << text;
    // Through the text, as the command writes it.
    absl::StatusOr<Scenario> parsed = ParseScenario(text, "random.dsi");
    ASSERT_TRUE(parsed.ok()) << parsed.status() << "\n" << text;
    absl::StatusOr<KernelCase> c = PlanKernelReplay(*parsed);
    ASSERT_TRUE(c.ok()) << c.status() << "\n" << text;
    EXPECT_TRUE(c->unsupported.empty()) << c->unsupported[0] << "\n" << text;
    int hosts = 0;
    bool peripheral = false, panel = false;
    for (const model::TopoDevice& d : s->topology.devices) {
      hosts += d.kind == model::DeviceKind::kDsiController;
      peripheral |= d.kind != model::DeviceKind::kDsiController;
      panel |= d.kind == model::DeviceKind::kDsiPanel;
    }
    EXPECT_TRUE(peripheral) << text;
    two_hosts += hosts >= 2;
    panels += panel;
    for (const model::Event& e : s->events) {
      kinds.insert(e.kind);
      EXPECT_TRUE(KernelRuns(e)) << text;
    }
  }
  EXPECT_GT(texts.size(), 290u);
  EXPECT_EQ(kinds.size(), 9u);
  EXPECT_GT(two_hosts, 30);
  EXPECT_GT(panels, 30);
  absl::StatusOr<Scenario> other = RandomKernelScenario(8, 0);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(texts.count(FormatScenario(*other)), 0u);
}

// --max-events bounds the length: exactly 3 at 3, and longer walks than
// the default's 14 at 24, each of them still expressible.
TEST(KernelReplayRandom, MaxEventsBoundsTheLength) {
  size_t longest = 0;
  for (uint64_t i = 0; i < 100; ++i) {
    absl::StatusOr<Scenario> three = RandomKernelScenario(7, i, 3);
    ASSERT_TRUE(three.ok()) << three.status();
    EXPECT_EQ(three->events.size(), 3u);
    absl::StatusOr<Scenario> s = RandomKernelScenario(7, i, 24);
    ASSERT_TRUE(s.ok()) << s.status();
    EXPECT_LE(s->events.size(), 24u);
    longest = std::max(longest, s->events.size());
    absl::StatusOr<KernelCase> c = PlanKernelReplay(*s);
    ASSERT_TRUE(c.ok()) << c.status();
    EXPECT_TRUE(c->unsupported.empty()) << FormatScenario(*s);
  }
  EXPECT_GT(longest, 14u);
}

TEST(KernelReplayPlan, ModelOnlyViolationsAreSetAside) {
  // A manual bridge whose host goes: the double unregister is the model's
  // own finding; the kernel's first report is the use-after-free.
  KernelCase c = Plan(R"(# dsifuzz v1
device host0 dsi-controller
device bridge0 i2c-bridge host=host0 style=manual
bind host0
bind bridge0
unbind host0
)");
  EXPECT_EQ(c.model.cls, Class::kUseAfterFree);
  EXPECT_EQ(c.model.event, 4);
  for (const std::string& m : c.model_only)
    EXPECT_EQ(m.find("use-after-free"), std::string::npos) << m;
}

// A console cut down to what the parser needs.
constexpr char kKasan[] = R"(dsifuzz: setup of t.dsi
dsifuzz: setup done
dsifuzz: event 1: bind host0
dsifuzz: event 1 returned 1
dsifuzz: event 2: unbind bridge0
==================================================================
BUG: KASAN: use-after-free in mipi_dsi_detach+0x22/0xcf
Read of size 8 at addr ffff888002d65c00 by task init/1

CPU: 0 PID: 1 Comm: init Tainted: G           O       6.1.192 #1
Call Trace:
 <TASK>
 dump_stack_lvl+0x19/0x23
 ? mipi_dsi_detach+0x22/0xcf
 mipi_dsi_detach+0x22/0xcf
 release_nodes+0x84/0xb7
 </TASK>
)";

TEST(KernelReplayConsole, KasanReportWithItsEvent) {
  absl::StatusOr<FirstReport> r = ParseKernelConsole(kKasan);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->cls, Class::kUseAfterFree);
  EXPECT_EQ(r->function, "mipi_dsi_detach");
  EXPECT_EQ(r->event, 2);
  EXPECT_EQ(r->title, "BUG: KASAN: use-after-free in mipi_dsi_detach");
  EXPECT_EQ(r->stack,
            (std::vector<std::string>{"dump_stack_lvl", "mipi_dsi_detach",
                                      "release_nodes"}));
}

TEST(KernelReplayConsole, BootNoiseBeforeTheSetupDoesNotCount) {
  const std::string console =
      std::string(
          "WARNING: CPU: 0 PID: 0 at arch/x86/kernel/x.c:1 boot+0x1/0x2\n") +
      "dsifuzz: setup of t.dsi\ndsifuzz: event 1: bind host0\n"
      "dsifuzz: event 1 returned 1\ndsifuzz: events done\n"
      "dsifuzz: kmemleak report\ndsifuzz: kmemleak end\n";
  absl::StatusOr<FirstReport> r = ParseKernelConsole(console);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->cls, Class::kClean);
}

TEST(KernelReplayConsole, NoRunAndCutShortAreErrorsAndAStuckEventHangs) {
  EXPECT_EQ(ParseKernelConsole("Kernel panic - not syncing: No init\n")
                .status()
                .code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(ParseKernelConsole("dsifuzz: setup of t.dsi\n").status().code(),
            absl::StatusCode::kNotFound);
  absl::StatusOr<FirstReport> r = ParseKernelConsole(
      "dsifuzz: setup of t.dsi\ndsifuzz: event 3: unbind host0\n"
      "dsifuzz: qemu timed out after 180 s\n");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->cls, Class::kHung);
  EXPECT_EQ(r->event, 3);
}

TEST(KernelReplayConsole, NullDereferenceIsAnOopsInTheRipFunction) {
  absl::StatusOr<FirstReport> r = ParseKernelConsole(
      "dsifuzz: setup of t.dsi\ndsifuzz: event 4: unbind bridge0\n"
      "general protection fault, probably for non-canonical address "
      "0xdffffc0000000000: 0000 [#1] NOPTI\n"
      "KASAN: null-ptr-deref in range [0x0000000000000000-0x0000000000000007]\n"
      "CPU: 0 PID: 1 Comm: init Tainted: G           O       6.1.192 #1\n"
      "RIP: 0010:klist_put+0x1a/0x9c\n");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->cls, Class::kOops);
  EXPECT_EQ(r->function, "klist_put");
  EXPECT_EQ(r->event, 4);
}

TEST(KernelReplayConsole, LeakOfTheReplaysTasksOnly) {
  const std::string head =
      "dsifuzz: setup of t.dsi\ndsifuzz: event 1: bind host0\n"
      "dsifuzz: event 1 returned 1\ndsifuzz: events done\n"
      "dsifuzz: kmemleak report\n";
  const std::string boot_leak =
      "unreferenced object 0xffff888002e72d00 (size 8):\n"
      "  comm \"swapper\", pid 1, jiffies 4294892000\n"
      "  backtrace:\n"
      "    [<(____ptrval____)>] __kmalloc_node_track_caller+0x3b/0x55\n"
      "    [<(____ptrval____)>] kstrdup+0x31/0x5c\n";
  const std::string ours =
      "unreferenced object 0xffff888002e72d98 (size 8):\n"
      "  comm \"init\", pid 1, jiffies 4294892696\n"
      "  hex dump (first 8 bytes):\n"
      "    68 6f 73 74 30 2e 30 00                          host0.0.\n"
      "  backtrace:\n"
      "    [<(____ptrval____)>] __kmem_cache_alloc_node+0xe5/0xf9\n"
      "    [<(____ptrval____)>] __kmalloc_node_track_caller+0x3b/0x55\n"
      "    [<(____ptrval____)>] kvasprintf+0xa0/0xfe\n"
      "    [<(____ptrval____)>] kobject_set_name_vargs+0x4a/0xef\n"
      "    [<(____ptrval____)>] dev_set_name+0xa4/0xc1\n"
      "    [<(____ptrval____)>] dfz_bridge_probe+0x279/0x2df "
      "[dsifuzz_replay]\n";
  const std::string tail = "dsifuzz: kmemleak end\ndsifuzz: end of run\n";
  absl::StatusOr<FirstReport> clean =
      ParseKernelConsole(head + boot_leak + tail);
  ASSERT_TRUE(clean.ok()) << clean.status();
  EXPECT_EQ(clean->cls, Class::kClean);
  absl::StatusOr<FirstReport> leak =
      ParseKernelConsole(head + boot_leak + ours + tail);
  ASSERT_TRUE(leak.ok()) << leak.status();
  EXPECT_EQ(leak->cls, Class::kLeak);
  EXPECT_EQ(leak->event, -1);
  EXPECT_EQ(leak->function, "kobject_set_name_vargs");
  EXPECT_EQ(leak->stack,
            (std::vector<std::string>{"__kmem_cache_alloc_node",
                                      "__kmalloc_node_track_caller",
                                      "kvasprintf", "kobject_set_name_vargs",
                                      "dev_set_name", "dfz_bridge_probe"}));
}

FirstReport Report(Class cls, const std::string& function, int event,
                   std::vector<std::string> stack = {}) {
  FirstReport r;
  r.cls = cls;
  r.function = function;
  r.event = event;
  r.stack = std::move(stack);
  return r;
}

TEST(KernelReplayCompare, SameBugSameEvent) {
  EXPECT_TRUE(CompareReports(Report(Class::kUseAfterFree, "f", 4),
                             Report(Class::kUseAfterFree, "f", 4))
                  .agree);
  EXPECT_TRUE(CompareReports(Report(Class::kClean, "", -1),
                             Report(Class::kClean, "", -1))
                  .agree);
  EXPECT_FALSE(CompareReports(Report(Class::kUseAfterFree, "f", 4),
                              Report(Class::kWarning, "f", 4))
                   .agree);
  EXPECT_FALSE(CompareReports(Report(Class::kUseAfterFree, "f", 4),
                              Report(Class::kUseAfterFree, "f", 5))
                   .agree);
  EXPECT_FALSE(CompareReports(Report(Class::kUseAfterFree, "f", 4),
                              Report(Class::kUseAfterFree, "g", 4))
                   .agree);
  EXPECT_FALSE(CompareReports(Report(Class::kClean, "", -1),
                              Report(Class::kLeak, "g", -1))
                   .agree);
}

TEST(KernelReplayCompare, InlinedCalleeAndLeakBacktrace) {
  // The kernel names the caller the model's function was inlined into.
  Agreement a = CompareReports(
      Report(Class::kUseAfterFree, "kill_device", 3,
             {"device_release_driver", "device_del", "kill_device"}),
      Report(Class::kUseAfterFree, "device_del", 3));
  EXPECT_TRUE(a.agree);
  EXPECT_EQ(a.note, "kill_device inlined into device_del");
  // kmemleak names the allocator's caller; the model names the function
  // whose allocation leaked, which must be on the backtrace.
  EXPECT_TRUE(CompareReports(Report(Class::kLeak, "dev_set_name", -1),
                             Report(Class::kLeak, "kobject_set_name_vargs", -1,
                                    {"kvasprintf", "kobject_set_name_vargs",
                                     "dev_set_name"}))
                  .agree);
  EXPECT_FALSE(CompareReports(Report(Class::kLeak, "device_private_init", -1),
                              Report(Class::kLeak, "kobject_set_name_vargs", -1,
                                     {"kobject_set_name_vargs"}))
                   .agree);
}

// Every corpus scenario against its recorded kernel console.
TEST(KernelReplayRecorded, CorpusAgreesWithTheRecordedKernel) {
  int compared = 0, unsupported = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(kSource / "corpus")) {
    if (entry.path().extension() != ".dsi") continue;
    absl::StatusOr<Scenario> s = LoadScenario(entry.path().string());
    ASSERT_TRUE(s.ok()) << s.status();
    absl::StatusOr<KernelCase> c = PlanKernelReplay(*s);
    ASSERT_TRUE(c.ok()) << c.status();
    const std::filesystem::path log =
        kSource / "kernel/consoles" / (entry.path().stem().string() + ".log");
    if (!c->unsupported.empty()) {
      EXPECT_FALSE(std::filesystem::exists(log)) << log;
      ++unsupported;
      continue;
    }
    ASSERT_TRUE(std::filesystem::exists(log))
        << log << ": record it with dsifuzz kernel-replay --work DIR";
    absl::StatusOr<FirstReport> k = ParseKernelConsole(Read(log));
    ASSERT_TRUE(k.ok()) << log << ": " << k.status();
    const Agreement a = CompareReports(c->model, *k);
    EXPECT_TRUE(a.agree) << entry.path() << ": model " << c->model.title
                         << ", kernel " << k->title << ": " << a.note;
    ++compared;
  }
  EXPECT_GE(compared, 8);
  EXPECT_GE(unsupported, 2);
}

}  // namespace
}  // namespace dsifuzz
