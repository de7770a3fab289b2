// The variants against the reference's scenarios (B1, B2, B3, B5): what
// each patch changes, as its code makes the model behave.
#include <gtest/gtest.h>

#include <string>

#include "model/world.h"
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
                   const std::string& style = "") {
  char text[1024];
  std::snprintf(text, sizeof(text), pattern, variant.c_str(), style.c_str());
  absl::StatusOr<Scenario> s = ParseScenario(text, "variant.dsi");
  EXPECT_TRUE(s.ok()) << s.status();
  return Judge(*s, {});
}

TEST(VariantsTest, AllAreRegistered) {
  for (const char* name : {"upstream-6.11", "pre-detach", "pre-attached-flag",
                           "tomi-v1", "idempotent", "maxime"}) {
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
    EXPECT_TRUE(RunVariant(kPanelHostFirst, v, "attach").failed.empty()) << v;
    EXPECT_EQ(RunVariant(kHostFirst, v, "devm-probe").title,
              "use-after-free in mipi_dsi_detach")
        << v;
  }
}

}  // namespace
}  // namespace dsifuzz
