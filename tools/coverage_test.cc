// Model-state coverage: the abstract states the seed bug passes through,
// the explorer's reference, and a fuzz run against it.
#include "tools/coverage.h"

#include <algorithm>
#include <string>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tools/explore.h"
#include "tools/fuzz.h"
#include "tools/report.h"
#include "tools/scenario.h"

namespace dsifuzz {
namespace {

const CoverageRow* Find(const std::vector<CoverageRow>& rows,
                        const std::string& device, const std::string& state,
                        const std::string& event) {
  for (const CoverageRow& r : rows) {
    if (r.device == device && r.state == state && r.event == event) return &r;
  }
  return nullptr;
}

// The coverage of one scenario's events.
CoverageTable Walk(const std::string& text, const std::string& variant) {
  absl::StatusOr<Scenario> s = ParseScenario(text, "c.dsi");
  EXPECT_TRUE(s.ok()) << s.status();
  Coverage c;
  model::World w(s->topology, model::FindVariant(variant), nullptr);
  w.Setup();
  for (const model::Event& e : s->events) {
    c.Visit(w);
    c.Take(w, e);
    EXPECT_TRUE(w.Apply(e).ok());
  }
  c.Visit(w);
  return MakeCoverageTable(c, nullptr, "");
}

constexpr char kSeedBug[] = R"(# dsifuzz v1
device host0 dsi-controller
device bridge0 i2c-bridge host=host0 style=devm-probe
bind host0
bind bridge0
unbind host0
unbind bridge0
)";

TEST(Coverage, TheSeedBugPassesThroughAFreedDsiDevice) {
  const CoverageTable t = Walk(kSeedBug, "upstream-6.11");
  // Each event from the state its device was in.
  EXPECT_NE(Find(t.transitions, "controller", "unbound", "bind"), nullptr);
  EXPECT_NE(Find(t.transitions, "bridge (devm-probe)", "unbound", "bind"),
            nullptr);
  EXPECT_NE(Find(t.transitions, "controller", "bound, host listed, 1 attached",
                 "unbind"),
            nullptr);
  // After the host went, the bound bridge points at a freed DSI device on
  // a freed host struct: that is the state the use-after-free comes from.
  const CoverageRow* uaf = Find(t.transitions, "bridge (devm-probe)",
                                "bound; dsi freed, host freed", "unbind");
  ASSERT_NE(uaf, nullptr);
  EXPECT_EQ(uaf->count, 1u);
  EXPECT_EQ(t.transitions.size(), 4u);
  EXPECT_NE(Find(t.states, "bridge (devm-probe)", "unbound", ""), nullptr);
  EXPECT_NE(Find(t.states, "kernel", "no fault armed", ""), nullptr);
}

TEST(Coverage, TheFixKeepsTheDsiDeviceAliveUntilTheBridgeLetsGo) {
  const CoverageTable t = Walk(kSeedBug, "dsifuzz-fix");
  EXPECT_EQ(Find(t.transitions, "bridge (devm-probe)",
                 "bound; dsi freed, host freed", "unbind"),
            nullptr);
  // The host's unregister took the DSI device out of sysfs and detached
  // it, but the bridge's reference keeps it alive for its own unbind.
  EXPECT_NE(Find(t.transitions, "bridge (devm-probe)",
                 "bound; dsi unregistered", "unbind"),
            nullptr);
}

TEST(Coverage, GlobalEventsCountForEveryDeviceTheyConcern) {
  const CoverageTable t = Walk(R"(# dsifuzz v1
device host0 dsi-controller
device bridge0 i2c-bridge host=host0 style=manual
device bridge1 i2c-bridge host=host0 style=manual
fail attach
bind bridge0
bind bridge1
rmmod i2c-bridge
)",
                               "upstream-6.11");
  EXPECT_NE(Find(t.transitions, "kernel", "no fault armed", "fail attach"),
            nullptr);
  // Both bridges deferred (no host yet): rmmod counts once for each.
  const CoverageRow* rmmod =
      Find(t.transitions, "bridge (manual)", "deferred", "rmmod");
  ASSERT_NE(rmmod, nullptr);
  EXPECT_EQ(rmmod->count, 2u);
  EXPECT_NE(Find(t.states, "kernel", "1 fault armed", ""), nullptr);
}

TEST(Coverage, TheReferenceGrowsWithDepthAndHoldsTheSeedBugsTransition) {
  const Coverage d3 =
      ReachableCoverage(model::SeedTopology(), "upstream-6.11", 3);
  const Coverage d6 =
      ReachableCoverage(model::SeedTopology(), "upstream-6.11", 6);
  ASSERT_FALSE(d3.transitions().empty());
  EXPECT_GT(d6.transitions().size(), d3.transitions().size());
  for (const auto& [k, n] : d3.transitions())
    EXPECT_TRUE(d6.transitions().contains(k));
  const CoverageTable t = MakeCoverageTable(d6, &d6, "self");
  EXPECT_NE(Find(t.transitions, "bridge (devm-probe)",
                 "bound; dsi freed, host freed", "unbind"),
            nullptr);
}

// With coverage the explorer searches every depth: counting use-after-free
// alone, its 3-event finding would end the search before the 4th event,
// the bridge's unbind from the freed state.
TEST(Coverage, TheExplorerGoesOnPastItsLastFinding) {
  Coverage c;
  ExploreOptions o;
  o.topology = model::SeedTopology();
  o.max_depth = 4;
  o.properties = {"use-after-free"};
  o.coverage = &c;
  absl::StatusOr<ExploreResult> r = Explore(o);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->findings.size(), 1u);
  EXPECT_EQ(r->findings[0].scenario.events.size(), 3u);
  EXPECT_EQ(r->depth_reached, 4);
  const CoverageTable t = MakeCoverageTable(c, nullptr, "");
  EXPECT_NE(Find(t.transitions, "bridge (devm-probe)",
                 "bound; dsi freed, host freed", "unbind"),
            nullptr);
  // Without coverage the same search stops at its finding.
  o.coverage = nullptr;
  r = Explore(o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->depth_reached, 3);
}

FuzzResult FuzzSeed(uint64_t runs, int jobs) {
  FuzzOptions o;
  o.seed = 1;
  o.runs = runs;
  o.topology = model::SeedTopology();
  o.write = false;
  o.coverage = true;
  o.jobs = jobs;
  std::ostringstream log;
  return Fuzz(o, nullptr, log);
}

// The acceptance of issue 7: a default fuzz run on the seed topology takes
// every (state, event) pair the explorer reaches in 6 events.
TEST(Coverage, ADefaultFuzzRunTakesEveryTransitionReachableInSixEvents) {
  const FuzzResult r = FuzzSeed(FuzzOptions{}.runs, 1);
  const Coverage ref =
      ReachableCoverage(model::SeedTopology(), "upstream-6.11", 6);
  const CoverageTable t = MakeCoverageTable(r.coverage, &ref, "explorer");
  ASSERT_GT(t.reachable_transitions, 40u);
  EXPECT_EQ(t.reached_reachable_transitions, t.reachable_transitions)
      << FormatCoverage(t);
  EXPECT_EQ(t.reached_reachable_states, t.reachable_states);
  for (const CoverageRow& row : t.transitions) {
    if (row.reachable) {
      EXPECT_GT(row.count, 0u) << row.state << " " << row.event;
    }
  }
  EXPECT_NE(FormatCoverage(t).find("every reachable transition was reached"),
            std::string::npos);
}

TEST(Coverage, AShortRunNamesWhatItNeverReached) {
  const FuzzResult r = FuzzSeed(3, 1);
  const Coverage ref =
      ReachableCoverage(model::SeedTopology(), "upstream-6.11", 6);
  const CoverageTable t = MakeCoverageTable(r.coverage, &ref, "explorer");
  ASSERT_LT(t.reached_reachable_transitions, t.reachable_transitions);
  const std::string text = FormatCoverage(t);
  EXPECT_NE(text.find("never reached ("), std::string::npos) << text;
  const nlohmann::json j = CoverageJson(t);
  size_t never = 0;
  for (const nlohmann::json& row : j["transitions"])
    never += row["reachable"].get<bool>() && row["count"] == 0 ? 1 : 0;
  EXPECT_EQ(never, t.reachable_transitions - t.reached_reachable_transitions);
  // Every never-reached row is printed by name.
  for (const CoverageRow& row : t.transitions) {
    if (row.count == 0) {
      EXPECT_NE(text.find(row.state), std::string::npos) << row.state;
    }
  }
}

TEST(Coverage, IsTheSameOnAnyNumberOfJobs) {
  const FuzzResult one = FuzzSeed(2000, 1), two = FuzzSeed(2000, 2);
  EXPECT_EQ(one.coverage.transitions(), two.coverage.transitions());
  EXPECT_EQ(one.coverage.states(), two.coverage.states());
}

}  // namespace
}  // namespace dsifuzz
