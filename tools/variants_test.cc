// The variants against the reference's scenarios (B1, B2, B3, B5): what
// each patch changes, as its code makes the model behave.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "model/world.h"
#include "tools/fuzz.h"
#include "tools/judge.h"
#include "tools/scenario.h"

namespace dsifuzz {
namespace {

constexpr char kHostFirst[] = R"(# dsifuzz v1
variant %s
device host0 dsi-controller
device bridge0 i2c-bridge host=host0 style=%s
bind host0
bind bridge0
unbind host0
unbind bridge0
)";

constexpr char kPanelHostFirst[] = R"(# dsifuzz v1
variant %s
device host0 dsi-controller
device panel0 dsi-panel host=host0 style=%s
bind host0
unbind host0
)";

constexpr char kNoUnregisterRebind[] = R"(# dsifuzz v1
variant %s
device host0 dsi-controller
device bridge0 i2c-bridge host=host0 style=no-unregister
bind host0
bind bridge0
unbind bridge0
bind bridge0
)";

Verdict RunVariant(const char* pattern, const std::string& variant,
                   const std::string& style = "",
                   const std::vector<std::string>& properties = {}) {
  char text[1024];
  std::snprintf(text, sizeof(text), pattern, variant.c_str(), style.c_str());
  absl::StatusOr<Scenario> s = ParseScenario(text, "variant.dsi");
  if (!s.ok()) {
    ADD_FAILURE() << s.status();
    return Verdict{};
  }
  return Judge(*s, properties);
}

TEST(VariantsTest, AllAreRegistered) {
  for (const char* name :
       {"upstream-6.11", "pre-detach", "pre-attached-flag", "tomi-v1",
        "idempotent", "idempotent-refs", "maxime", "dsifuzz-fix"}) {
    EXPECT_NE(model::FindVariant(name), nullptr) << name;
  }
}

TEST(VariantsTest, TomiV1SurvivesTheDevmBridgeButNotTheManualOne) {
  EXPECT_TRUE(RunVariant(kHostFirst, "tomi-v1", "devm-probe").failed.empty());
  EXPECT_EQ(RunVariant(kHostFirst, "tomi-v1", "manual").title,
            "use-after-free in mipi_dsi_do_detach");
  EXPECT_EQ(RunVariant(kHostFirst, "upstream-6.11", "devm-probe").title,
            "use-after-free in mipi_dsi_detach");
}

TEST(VariantsTest, TomiV1SilencesOnlyTheDevmAttachPanel) {
  EXPECT_TRUE(
      RunVariant(kPanelHostFirst, "tomi-v1", "devm-attach").failed.empty());
  EXPECT_EQ(RunVariant(kPanelHostFirst, "tomi-v1", "attach").title,
            "WARNING in mipi_dsi_do_detach");
}

TEST(VariantsTest, MaximeRemovesActionsAStaleOwnerMakesItWarn) {
  EXPECT_TRUE(RunVariant(kHostFirst, "maxime", "devm-probe").failed.empty());
  // The orphan of a no-unregister bridge keeps the owner of a detach action
  // that already ran: the host's removal looks for it and WARNs.
  Verdict v = RunVariant(kNoUnregisterRebind, "maxime");
  EXPECT_EQ(v.title, "WARNING in devm_remove_action");
}

TEST(VariantsTest, IdempotentBookkeepingStillReadsFreedMemory) {
  Verdict v = RunVariant(kHostFirst, "idempotent", "devm-probe");
  EXPECT_EQ(v.title, "use-after-free in mipi_dsi_detach");
  EXPECT_EQ(v.failed, (std::vector<std::string>{"use-after-free"}));
  EXPECT_TRUE(
      RunVariant(kPanelHostFirst, "idempotent", "attach").failed.empty());
}

TEST(VariantsTest, HistoricStatesDoNotWarnForPanels) {
  for (const char* v : {"pre-detach", "pre-attached-flag"}) {
    EXPECT_EQ(RunVariant(kHostFirst, v, "devm-probe", {"use-after-free"}).title,
              "use-after-free in mipi_dsi_detach")
        << v;
  }
  EXPECT_TRUE(
      RunVariant(kPanelHostFirst, "pre-detach", "attach").failed.empty());
  // pre-detach frees the host struct with the bridge still attached.
  EXPECT_EQ(RunVariant(kHostFirst, "pre-detach", "devm-probe").title,
            "host freed with attached device in release_nodes");
  // No WARN without the attached flag, but the panel is detached twice on
  // the host side: by the host's removal, then by the panel's remove.
  Verdict v = RunVariant(kPanelHostFirst, "pre-attached-flag", "attach");
  EXPECT_EQ(v.failed, (std::vector<std::string>{"host-pairing"}));
  EXPECT_EQ(v.title, "unpaired detach in mipi_dsi_detach");
}

// A bridge that sends a DCS command after its host went away, and a panel
// on the same host.
constexpr char kTransferAfterHost[] = R"(# dsifuzz v1
variant %s
device host0 dsi-controller
device bridge0 i2c-bridge host=host0 style=%s
device panel0 dsi-panel host=host0 style=attach channel=1
bind host0
bind bridge0
unbind host0
transfer bridge0
remove host0
transfer bridge0
unbind bridge0
)";

TEST(VariantsTest, IdempotentRefsHostConsumesThePeripheralsReferences) {
  // The host's detach and unregister drop the references the bridge's
  // attach and register took: freed all the same (reference §7 B11).
  Verdict v = RunVariant(kHostFirst, "idempotent-refs", "devm-probe");
  EXPECT_EQ(v.title, "use-after-free in mipi_dsi_detach");
  EXPECT_EQ(RunVariant(kTransferAfterHost, "idempotent-refs", "manual").title,
            "use-after-free in mipi_dsi_dcs_write_buffer");
}

TEST(VariantsTest, DsifuzzFixPassesTheReferenceScenarios) {
  for (const char* style : {"devm-probe", "manual", "no-unregister"}) {
    EXPECT_TRUE(RunVariant(kHostFirst, "dsifuzz-fix", style).failed.empty())
        << style;
    EXPECT_TRUE(
        RunVariant(kTransferAfterHost, "dsifuzz-fix", style).failed.empty())
        << style;
    EXPECT_FALSE(
        RunVariant(kTransferAfterHost, "upstream-6.11", style).failed.empty())
        << style;
  }
  for (const char* style : {"attach", "devm-attach"}) {
    EXPECT_TRUE(
        RunVariant(kPanelHostFirst, "dsifuzz-fix", style).failed.empty())
        << style;
  }
  EXPECT_TRUE(RunVariant(kNoUnregisterRebind, "dsifuzz-fix").failed.empty());
}

// The acceptance bar of the fix: 100,000 generated cases on random
// topologies with every peripheral style, every property, no failure.
TEST(VariantsTest, DsifuzzFixPassesEveryPropertyOn100kRandomCases) {
  FuzzOptions opts;
  opts.variant = "dsifuzz-fix";
  opts.seed = 20261125;
  opts.runs = 100000;
  opts.jobs = 2;
  opts.out = ::testing::TempDir() + "/dsifuzz-fix-findings";
  std::ostringstream log;
  FuzzResult r = Fuzz(opts, nullptr, log);
  EXPECT_EQ(r.cases, 100000u);
  EXPECT_TRUE(r.findings.empty()) << log.str();
  // The cases did exercise the orderings that matter.
  EXPECT_GT(r.stats.host_unbind_with_bound_peripherals, 10000u);
  EXPECT_GT(r.stats.events[static_cast<int>(model::EventKind::kTransfer)],
            10000u);
}

}  // namespace
}  // namespace dsifuzz
