// Running scenarios end to end: B1's reports (titles, allocation and free
// records, the KASAN-shaped text), a clean B0, an event that does not apply,
// and matching the outcome against the expect lines.
#include "tools/report.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tools/scenario.h"

namespace dsifuzz {
namespace {

constexpr char kTopology[] = R"(# dsifuzz v1
variant upstream-6.11
device host0 dsi-controller
device bridge0 i2c-bridge host=host0 style=devm-probe
)";

// As corpus/b1-devm-bridge-host-first.dsi, without expect lines.
constexpr char kB1Events[] =
    "bind host0\nbind bridge0\nunbind host0\nunbind bridge0\n";
constexpr char kB0Events[] =
    "bind host0\nbind bridge0\nunbind bridge0\nunbind host0\n";

Scenario Parse(const std::string& events, const std::string& expect = "",
               const std::string& path = "s.dsi") {
  absl::StatusOr<Scenario> s =
      ParseScenario(std::string(kTopology) + events + expect, path);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *s : Scenario{};
}

RunResult RunOk(const Scenario& s, bool trace = false) {
  absl::StatusOr<RunResult> r = RunScenario(s, trace);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : RunResult{};
}

bool Contains(const Stack& stack, const std::string& frame) {
  for (const char* f : stack) {
    if (frame == f) return true;
  }
  return false;
}

TEST(ReportTest, B1FirstViolationIsTheUseAfterFreeInDetach) {
  RunResult r = RunOk(Parse(kB1Events));
  ASSERT_FALSE(r.violations.empty());
  ASSERT_EQ(r.repeats.size(), r.violations.size());
  const Violation& v = r.violations[0];
  EXPECT_EQ(v.Title(), "use-after-free in mipi_dsi_detach");
  EXPECT_EQ(v.property, "use-after-free");
  EXPECT_EQ(v.detail, "read dsi->host");
  EXPECT_EQ(v.event, 4);
  EXPECT_EQ(v.object, "struct mipi_dsi_device#1 (host0.0)");
  EXPECT_EQ(v.alloc_event, 2);
  EXPECT_TRUE(Contains(v.alloc_stack, "mipi_dsi_device_register_full"));
  EXPECT_EQ(v.free_event, 3);
  EXPECT_TRUE(Contains(v.free_stack, "mipi_dsi_dev_release"));
  EXPECT_TRUE(Contains(v.free_stack, "mipi_dsi_host_unregister"));
  EXPECT_TRUE(Contains(v.stack, "devm_mipi_dsi_detach"));

  size_t double_unregister = 0;
  for (size_t i = 0; i < r.violations.size(); ++i) {
    if (r.violations[i].Title() ==
        "double-unregister in mipi_dsi_device_unregister")
      double_unregister = i;
  }
  EXPECT_GT(double_unregister, 0u) << "reported after the first violation";
  EXPECT_EQ(r.failed,
            (std::vector<std::string>{"single-release", "use-after-free",
                                      "refcount-balance", "no-warn"}));
  ASSERT_GE(r.event_texts.size(), 5u);
  EXPECT_EQ(r.event_texts[0], "setup");
  EXPECT_EQ(r.event_texts[2], "bind bridge0");
  EXPECT_EQ(r.event_texts[3], "unbind host0");
}

TEST(ReportTest, ViolationsAreDeduplicatedByTitle) {
  RunResult r = RunOk(Parse(kB1Events));
  for (size_t i = 0; i < r.violations.size(); ++i) {
    for (size_t j = i + 1; j < r.violations.size(); ++j) {
      EXPECT_FALSE(r.violations[i].property == r.violations[j].property &&
                   r.violations[i].Title() == r.violations[j].Title())
          << r.violations[i].Title();
    }
    if (i > 0) {
      EXPECT_LE(r.violations[i - 1].seq, r.violations[i].seq);
    }
  }
  // detach reads dsi->host, host->ops and dsi->attached: one report, two
  // repeats.
  EXPECT_EQ(r.repeats[0], 2);
}

TEST(ReportTest, FormatReportIsKasanShaped) {
  RunResult r = RunOk(Parse(kB1Events));
  ASSERT_FALSE(r.violations.empty());
  const std::string text = FormatReport(r.violations[0], r.event_texts);
  EXPECT_EQ(text.substr(0, text.find('\n')),
            "BUG: use-after-free in mipi_dsi_detach");
  EXPECT_NE(text.find("property: use-after-free\n"), std::string::npos);
  EXPECT_NE(text.find("read dsi->host of struct mipi_dsi_device#1 (host0.0) "
                      "at event 4 (unbind bridge0):\n mipi_dsi_detach\n"),
            std::string::npos)
      << text;
  const size_t alloc = text.find("Allocated by event 2 (bind bridge0):\n");
  const size_t freed = text.find("Freed by event 3 (unbind host0):\n");
  ASSERT_NE(alloc, std::string::npos) << text;
  ASSERT_NE(freed, std::string::npos) << text;
  EXPECT_LT(alloc, freed);
  // Stacks are printed innermost first.
  EXPECT_EQ(text.substr(freed).find("Freed by event 3 (unbind host0):\n kfree\n"
                                    " mipi_dsi_dev_release\n"),
            0u)
      << text;
}

TEST(ReportTest, FormatReportWithoutObject) {
  Violation v;
  v.property = "no-warn";
  v.kind = "WARNING";
  v.function = "mipi_dsi_detach";
  v.event = 1;
  v.teardown = true;
  v.stack = {"unbind_store", "mipi_dsi_detach"};
  EXPECT_EQ(FormatReport(v, {"setup", "unbind host0"}),
            "BUG: WARNING in mipi_dsi_detach\n"
            "property: no-warn (during the end-of-run teardown)\n"
            "at event 1 (unbind host0):\n"
            " mipi_dsi_detach\n"
            " unbind_store\n");
}

TEST(ReportTest, B0IsClean) {
  Scenario s = Parse(kB0Events, "expect clean\n");
  RunResult r = RunOk(s);
  EXPECT_TRUE(r.violations.empty());
  EXPECT_TRUE(r.failed.empty());
  EXPECT_TRUE(r.trace.empty()) << "no trace unless asked for";
  EXPECT_TRUE(OutcomeMatches(s.expect(), r));
}

TEST(ReportTest, TraceShowsEventsAndCalls) {
  RunResult r = RunOk(Parse(kB0Events), /*trace=*/true);
  EXPECT_NE(r.trace.find("[1] bind host0\n"), std::string::npos);
  EXPECT_NE(r.trace.find("[4] unbind host0\n"), std::string::npos);
  EXPECT_NE(r.trace.find("mipi_dsi_host_unregister"), std::string::npos);
  EXPECT_NE(r.trace.find("host detached struct mipi_dsi_device#1"),
            std::string::npos);
}

TEST(ReportTest, EventThatDoesNotApplyNamesFileAndLine) {
  Scenario s =
      Parse("bind host0\n\n# comment\nunbind bridge0\n", "", "bad.dsi");
  absl::StatusOr<RunResult> r = RunScenario(s, false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  const std::string msg(r.status().message());
  EXPECT_EQ(msg.substr(0, 10), "bad.dsi:8:") << msg;  // 4 header lines + 4
  EXPECT_NE(msg.find("unbind bridge0"), std::string::npos) << msg;
  EXPECT_NE(msg.find("is not bound"), std::string::npos) << msg;
}

TEST(ReportTest, OutcomeMatches) {
  RunResult b1 = RunOk(Parse(kB1Events));
  RunResult b0 = RunOk(Parse(kB0Events));
  auto want = [](const std::string& expect_lines) {
    return Parse(kB0Events, expect_lines).expect();
  };
  // No expect lines: any outcome matches.
  EXPECT_TRUE(OutcomeMatches(want(""), b1));
  // The exact set, in any order.
  EXPECT_TRUE(OutcomeMatches(want("expect no-warn use-after-free\n"
                                  "expect refcount-balance single-release\n"),
                             b1));
  // A subset, a superset, or `clean` for a failing run do not.
  EXPECT_FALSE(OutcomeMatches(want("expect use-after-free\n"), b1));
  EXPECT_FALSE(OutcomeMatches(want("expect clean\n"), b1));
  EXPECT_FALSE(OutcomeMatches(want("expect use-after-free\n"), b0));
  EXPECT_TRUE(OutcomeMatches(want("expect clean\n"), b0));
}

TEST(ReportTest, RunsOnTheVariantItIsGiven) {
  // B1 on a two-variant scenario: the first variant by default, any
  // registered one by name (tomi-v1 survives the devm bridge).
  absl::StatusOr<Scenario> parsed = ParseScenario(
      absl::StrCat("# dsifuzz v1\nvariant upstream-6.11\nvariant tomi-v1\n"
                   "device host0 dsi-controller\n"
                   "device bridge0 i2c-bridge host=host0 style=devm-probe\n",
                   kB1Events,
                   "expect upstream-6.11: use-after-free single-release "
                   "no-warn refcount-balance\n"
                   "expect tomi-v1: clean\n"),
      "two.dsi");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  RunResult upstream = RunOk(*parsed);
  EXPECT_FALSE(upstream.failed.empty());
  EXPECT_TRUE(
      OutcomeMatches(*parsed->ExpectationFor("upstream-6.11"), upstream));
  EXPECT_FALSE(OutcomeMatches(*parsed->ExpectationFor("tomi-v1"), upstream));
  absl::StatusOr<RunResult> tomi = RunScenario(*parsed, "tomi-v1", false);
  ASSERT_TRUE(tomi.ok()) << tomi.status();
  EXPECT_TRUE(tomi->failed.empty());
  EXPECT_TRUE(OutcomeMatches(*parsed->ExpectationFor("tomi-v1"), *tomi));
  // A variant the scenario does not name runs too.
  absl::StatusOr<RunResult> maxime = RunScenario(*parsed, "maxime", false);
  ASSERT_TRUE(maxime.ok()) << maxime.status();
  EXPECT_EQ(RunScenario(*parsed, "upstream-0.1", false).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ReportTest, UnknownVariantIsRefused) {
  Scenario s = Parse(kB0Events);
  s.SetVariant("upstream-0.1");
  EXPECT_EQ(RunScenario(s, false).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace dsifuzz
