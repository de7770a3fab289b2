// The shrinker (shrinkers/shrink.h): a long planted failure shrinks to a
// 1-minimal case with the same title; the device dropping, canonical
// renaming and shortest-sequence search each on small cases; and the
// result never fails first with another title.
#include "shrinkers/shrink.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "model/world.h"
#include "tools/judge.h"
#include "tools/scenario.h"

namespace dsifuzz {
namespace {

using model::DeviceKind;
using model::Event;
using model::EventKind;

constexpr char kUafDetach[] = "use-after-free in mipi_dsi_detach";
constexpr char kWarnDetach[] = "WARNING in mipi_dsi_detach";

Scenario Parse(const std::string& text) {
  absl::StatusOr<Scenario> s = ParseScenario(text, "test.dsi");
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *s : Scenario{};
}

// Two controllers; a devm-probe bridge on host0; a manual bridge and a DT
// panel on host1.
constexpr char kTwoHosts[] =
    "# dsifuzz v1\n"
    "variant upstream-6.11\n"
    "device host0 dsi-controller\n"
    "device host1 dsi-controller\n"
    "device bridge0 i2c-bridge host=host0 style=devm-probe\n"
    "device bridge1 i2c-bridge host=host1 style=manual\n"
    "device panel0 dsi-panel host=host1 style=attach channel=1\n";

// The seed use-after-free (bind host0, bind bridge0, unbind host0) with its
// three events far apart among 41 unrelated events that all apply: rebinds
// of host1's bridge and panel, transfers, rmmod/insmod of the panel driver,
// a remove/add of bridge1, and faults armed after the last call to their
// site (they never hit).
constexpr char kPlantedEvents[] =
    "bind host0\n"  // <-- 1
    "bind host1\n"  // panel0 probes with its host
    "bind bridge1\n"
    "transfer bridge1\n"
    "transfer panel0\n"
    "unbind bridge1\n"
    "bind bridge1\n"
    "unbind panel0\n"
    "bind panel0\n"
    "rmmod dsi-panel\n"
    "insmod dsi-panel\n"
    "transfer panel0\n"
    "bind bridge0\n"  // <-- 13
    "transfer bridge0\n"
    "transfer bridge1\n"
    "unbind bridge1\n"
    "bind bridge1\n"
    "transfer bridge1\n"
    "unbind panel0\n"
    "bind panel0\n"
    "transfer panel0\n"
    "rmmod dsi-panel\n"
    "insmod dsi-panel\n"
    "transfer panel0\n"
    "unbind bridge1\n"
    "remove bridge1\n"
    "add bridge1\n"  // probes again
    "transfer bridge1\n"
    "unbind bridge1\n"
    "bind bridge1\n"
    "transfer bridge0\n"
    "unbind panel0\n"
    "bind panel0\n"
    "transfer panel0\n"
    "transfer bridge1\n"
    "unbind host0\n"  // <-- 36
    "unbind bridge1\n"
    "bind bridge1\n"
    "transfer panel0\n"
    "fail device_add 2\n"
    "fail attach 3\n"
    "fail devres\n"
    "transfer bridge1\n"
    "transfer panel0\n"
    "unbind panel0\n";

TEST(ShrinkTest, PlantedLongFailureShrinksToOneMinimal) {
  Scenario s = Parse(absl::StrCat(kTwoHosts, kPlantedEvents));
  ASSERT_GE(s.events.size(), 40u);
  ASSERT_EQ(s.topology.devices.size(), 5u);
  // Every event applies, and the run fails first with the seed bug.
  {
    model::World w(s.topology, model::FindVariant(s.variant()), nullptr);
    w.Setup();
    for (size_t i = 0; i < s.events.size(); ++i)
      ASSERT_TRUE(w.Apply(s.events[i]).ok()) << "event " << i + 1;
  }
  Verdict v = Judge(s, {});
  ASSERT_TRUE(v.valid);
  const std::string title = v.title;
  ASSERT_EQ(title, kUafDetach);

  Shrinker sh(title, {});
  Scenario small = sh.Shrink(s);
  SCOPED_TRACE(FormatScenario(small));
  Verdict sv = Judge(small, {});
  EXPECT_TRUE(sv.valid);
  EXPECT_EQ(sv.title, title);
  EXPECT_TRUE(sh.IsOneMinimal(small));
  EXPECT_LE(small.events.size(), 4u);
  EXPECT_LT(small.topology.devices.size(), s.topology.devices.size());
  EXPECT_GT(sh.attempts(), 0);
  // It converges on the shortest failing sequence, canonically named.
  EXPECT_EQ(FormatScenario(small),
            "# dsifuzz v1\n"
            "variant upstream-6.11\n"
            "device host0 dsi-controller\n"
            "device bridge0 i2c-bridge host=host0 style=devm-probe\n"
            "bind host0\n"
            "bind bridge0\n"
            "unbind host0\n");
}

TEST(ShrinkTest, ShrinkingIsDeterministic) {
  Scenario s = Parse(absl::StrCat(kTwoHosts, kPlantedEvents));
  Shrinker a(kUafDetach, {}), b(kUafDetach, {});
  EXPECT_EQ(FormatScenario(a.Shrink(s)), FormatScenario(b.Shrink(s)));
}

TEST(ShrinkTest, DropDeviceOfAControllerTakesItsPeripherals) {
  Scenario s = Parse(absl::StrCat(kTwoHosts, kPlantedEvents));
  Scenario c = Shrinker::DropDevice(s, 1);  // host1
  ASSERT_EQ(c.topology.devices.size(), 2u);
  EXPECT_EQ(c.topology.devices[0].name, "host0");
  EXPECT_EQ(c.topology.devices[1].name, "bridge0");
  EXPECT_EQ(c.topology.devices[1].host, 0);
  // Events on host1, bridge1 and panel0 are gone; the others stay, in
  // order, with device indices renumbered; driver and fault events stay.
  std::vector<Event> want;
  for (const Event& e : s.events) {
    switch (e.kind) {
      case EventKind::kBind:
      case EventKind::kUnbind:
      case EventKind::kRemove:
      case EventKind::kAdd:
      case EventKind::kTransfer:
        if (e.arg == 0) want.push_back(e);
        if (e.arg == 2) want.push_back(Event{e.kind, 1, e.count});
        break;
      default:
        want.push_back(e);
    }
  }
  EXPECT_EQ(c.events, want);
  EXPECT_EQ(c.event_lines.size(), c.events.size());
  EXPECT_TRUE(Judge(c, {}).valid);
}

TEST(ShrinkTest, DropDeviceReindexesHosts) {
  Scenario s = Parse(absl::StrCat(kTwoHosts,
                                  "bind host0\n"
                                  "bind host1\n"
                                  "bind bridge1\n"
                                  "bind bridge0\n"
                                  "transfer panel0\n"
                                  "unbind host0\n"));
  Scenario c = Shrinker::DropDevice(s, 0);  // host0 and bridge0
  ASSERT_EQ(c.topology.devices.size(), 3u);
  EXPECT_EQ(c.topology.devices[0].name, "host1");
  EXPECT_EQ(c.topology.devices[1].name, "bridge1");
  EXPECT_EQ(c.topology.devices[1].host, 0);
  EXPECT_EQ(c.topology.devices[2].name, "panel0");
  EXPECT_EQ(c.topology.devices[2].host, 0);
  EXPECT_EQ(c.events, (std::vector<Event>{{EventKind::kBind, 0},
                                          {EventKind::kBind, 1},
                                          {EventKind::kTransfer, 2}}));
  // The text parses back: hosts are still declared before their devices.
  Scenario back = Parse(FormatScenario(c));
  EXPECT_EQ(back.events, c.events);

  // A peripheral goes alone.
  Scenario p = Shrinker::DropDevice(s, 3);  // bridge1
  ASSERT_EQ(p.topology.devices.size(), 4u);
  EXPECT_EQ(p.topology.devices[3].name, "panel0");
  EXPECT_EQ(p.topology.devices[3].host, 1);
  EXPECT_EQ(p.events, (std::vector<Event>{{EventKind::kBind, 0},
                                          {EventKind::kBind, 1},
                                          {EventKind::kBind, 2},
                                          {EventKind::kTransfer, 3},
                                          {EventKind::kUnbind, 0}}));
}

TEST(ShrinkTest, CanonicalRenamesByFirstUse) {
  Scenario s = Parse(
      "# dsifuzz v1\n"
      "device zz dsi-controller\n"
      "device yy dsi-controller\n"
      "device aa i2c-bridge host=yy style=devm-probe\n"
      "device mm dsi-panel host=zz\n"
      "device bb i2c-bridge host=zz style=manual channel=1\n"
      "bind yy\n"
      "bind aa\n"
      "bind zz\n"
      "unbind yy\n");
  for (bool reorder : {true, false}) {
    SCOPED_TRACE(reorder ? "reorder" : "declaration order");
    Scenario c = Shrinker::Canonical(s, reorder);
    ASSERT_EQ(c.topology.devices.size(), 5u);
    std::vector<std::string> names;
    for (const model::TopoDevice& d : c.topology.devices)
      names.push_back(d.name);
    if (reorder) {
      // Controllers first, then peripherals, each in order of first use.
      EXPECT_EQ(names, (std::vector<std::string>{"host0", "host1", "bridge0",
                                                 "panel0", "bridge1"}));
      EXPECT_EQ(c.topology.devices[2].host, 0);  // aa on yy
      EXPECT_EQ(c.topology.devices[3].host, 1);  // mm on zz
      EXPECT_EQ(c.topology.devices[4].host, 1);  // bb on zz
    } else {
      EXPECT_EQ(names, (std::vector<std::string>{"host1", "host0", "bridge0",
                                                 "panel0", "bridge1"}));
      EXPECT_EQ(c.topology.devices[2].host, 1);
      EXPECT_EQ(c.topology.devices[3].host, 0);
      EXPECT_EQ(c.topology.devices[4].host, 0);
    }
    // The events name the same devices as before.
    ASSERT_EQ(c.events.size(), s.events.size());
    for (size_t i = 0; i < s.events.size(); ++i) {
      const model::TopoDevice& was = s.topology.devices[s.events[i].arg];
      const model::TopoDevice& is = c.topology.devices[c.events[i].arg];
      EXPECT_EQ(is.kind, was.kind);
      EXPECT_EQ(is.style, was.style);
    }
    EXPECT_EQ(c.topology.devices[c.events[0].arg].name, "host0");
    EXPECT_EQ(c.topology.devices[c.events[1].arg].name, "bridge0");
    EXPECT_EQ(c.topology.devices[c.events[2].arg].name, "host1");
    // Same behaviour, and the text parses back.
    Verdict a = Judge(s, {}), b = Judge(c, {});
    EXPECT_TRUE(b.valid);
    EXPECT_EQ(b.title, a.title);
    EXPECT_EQ(b.failed, a.failed);
    Scenario back = Parse(FormatScenario(c));
    EXPECT_EQ(back.events, c.events);
  }
}

TEST(ShrinkTest, CanonicalOfTheSeedBug) {
  Scenario s = Parse(
      "# dsifuzz v1\n"
      "device zz dsi-controller\n"
      "device aa i2c-bridge host=zz style=devm-probe\n"
      "bind zz\n"
      "bind aa\n"
      "unbind zz\n");
  EXPECT_EQ(FormatScenario(Shrinker::Canonical(s, true)),
            "# dsifuzz v1\n"
            "variant upstream-6.11\n"
            "device host0 dsi-controller\n"
            "device bridge0 i2c-bridge host=host0 style=devm-probe\n"
            "bind host0\n"
            "bind bridge0\n"
            "unbind host0\n");
}

constexpr char kSeedTopology[] =
    "# dsifuzz v1\n"
    "device host0 dsi-controller\n"
    "device bridge0 i2c-bridge host=host0 style=devm-probe\n";

TEST(ShrinkTest, ShortestFindsTheThreeEventSequence) {
  Scenario s = Parse(absl::StrCat(kSeedTopology,
                                  "remove host0\n"
                                  "add host0\n"  // probes again
                                  "bind bridge0\n"
                                  "unbind host0\n"));
  Shrinker sh(kUafDetach, {});
  ASSERT_TRUE(sh.Fails(s));
  ASSERT_TRUE(sh.IsOneMinimal(s));  // yet not the shortest
  std::optional<Scenario> shortest = sh.Shortest(s, 4, 4000);
  ASSERT_TRUE(shortest.has_value());
  EXPECT_EQ(shortest->events, (std::vector<Event>{{EventKind::kBind, 0},
                                                  {EventKind::kBind, 1},
                                                  {EventKind::kUnbind, 0}}));
  EXPECT_TRUE(sh.Fails(*shortest));
  // None of two events; none within a tiny budget.
  EXPECT_FALSE(sh.Shortest(s, 2, 4000).has_value());
  EXPECT_FALSE(sh.Shortest(s, 4, 3).has_value());
  // Shrink() ends there too.
  Scenario small = sh.Shrink(s);
  EXPECT_EQ(small.events, shortest->events);
}

TEST(ShrinkTest, SeedCorpusCaseShrinksToThreeEvents) {
  // B1: the bridge's own unbind is not needed, the teardown does it.
  Scenario s = Parse(absl::StrCat(kSeedTopology,
                                  "bind host0\n"
                                  "bind bridge0\n"
                                  "unbind host0\n"
                                  "unbind bridge0\n"));
  Shrinker sh(kUafDetach, {});
  ASSERT_TRUE(sh.Fails(s));
  EXPECT_FALSE(sh.IsOneMinimal(s));
  Scenario small = sh.Shrink(s);
  EXPECT_EQ(small.events, (std::vector<Event>{{EventKind::kBind, 0},
                                              {EventKind::kBind, 1},
                                              {EventKind::kUnbind, 0}}));
  EXPECT_TRUE(sh.IsOneMinimal(small));
}

// Regression: LowerCounts() kept a reference into s.events across
// `s = std::move(c)` and read and wrote freed memory once a lowered count
// still failed (a hang or SIGSEGV; a heap-use-after-free under ASan). Here
// "fail device_add 2" hits bridge1 and "fail device_add" (1) hits bridge0:
// both leak the DSI device's name, so the count is lowered.
TEST(ShrinkTest, LowersFaultCounts) {
  Scenario s = Parse(
      "# dsifuzz v1\n"
      "device host0 dsi-controller\n"
      "device bridge0 i2c-bridge host=host0 style=devm-probe\n"
      "device bridge1 i2c-bridge host=host0 style=devm-probe channel=1\n"
      "bind host0\n"
      "fail device_add 2\n"
      "bind bridge0\n"
      "bind bridge1\n");
  constexpr char kLeak[] = "leak in dev_set_name";
  ASSERT_EQ(Judge(s, {}).title, kLeak);
  Scenario lowered = s;
  lowered.events[1].count = 1;
  ASSERT_EQ(Judge(lowered, {}).title, kLeak);

  Shrinker sh(kLeak, {});
  Scenario small = sh.Shrink(s);
  EXPECT_EQ(FormatScenario(small),
            "# dsifuzz v1\n"
            "variant upstream-6.11\n"
            "device host0 dsi-controller\n"
            "device bridge0 i2c-bridge host=host0 style=devm-probe\n"
            "bind host0\n"
            "fail device_add\n"
            "bind bridge0\n");
  EXPECT_TRUE(sh.IsOneMinimal(small));
}

TEST(ShrinkTest, FailsOnlyWhenEveryEventAppliesAndTheTitleIsFirst) {
  Shrinker sh(kUafDetach, {});
  // "unbind bridge0" does not apply: the bridge was never bound.
  EXPECT_FALSE(sh.Fails(Parse(absl::StrCat(kSeedTopology,
                                           "bind host0\n"
                                           "unbind bridge0\n"))));
  // Clean (B0).
  EXPECT_FALSE(sh.Fails(Parse(absl::StrCat(kSeedTopology,
                                           "bind host0\n"
                                           "bind bridge0\n"
                                           "unbind bridge0\n"
                                           "unbind host0\n"))));
  // Fails, but first with the WARNING of a DT panel.
  Shrinker warn(kWarnDetach, {});
  Scenario panel = Parse(
      "# dsifuzz v1\n"
      "device host0 dsi-controller\n"
      "device panel0 dsi-panel host=host0 style=attach\n"
      "bind host0\n"
      "unbind host0\n");
  EXPECT_TRUE(warn.Fails(panel));
  EXPECT_FALSE(sh.Fails(panel));
}

TEST(ShrinkTest, NeverReturnsAnotherTitle) {
  // Unbinding host0 detaches its DT panel twice (a WARNING, first); the
  // devm bridge's devres later reads its freed DSI device (use-after-free).
  // Without the panel, the same events fail first with the use-after-free.
  Scenario s = Parse(
      "# dsifuzz v1\n"
      "device host0 dsi-controller\n"
      "device panel0 dsi-panel host=host0 style=attach\n"
      "device bridge0 i2c-bridge host=host0 style=devm-probe channel=1\n"
      "bind host0\n"
      "transfer panel0\n"
      "bind bridge0\n"
      "transfer bridge0\n"
      "transfer panel0\n"
      "unbind host0\n"
      "unbind bridge0\n");
  Verdict v = Judge(s, {});
  ASSERT_TRUE(v.valid);
  ASSERT_EQ(v.title, kWarnDetach);
  ASSERT_EQ(v.property, "no-warn");
  ASSERT_NE(std::find(v.failed.begin(), v.failed.end(), "use-after-free"),
            v.failed.end());
  ASSERT_EQ(Judge(Shrinker::DropDevice(s, 1), {}).title, kUafDetach);

  Shrinker sh(kWarnDetach, {});
  Scenario small = sh.Shrink(s);
  SCOPED_TRACE(FormatScenario(small));
  Verdict sv = Judge(small, {});
  EXPECT_TRUE(sv.valid);
  EXPECT_EQ(sv.title, kWarnDetach);
  EXPECT_EQ(sv.property, "no-warn");
  EXPECT_TRUE(sh.IsOneMinimal(small));
  // The panel is what warns: it stays.
  bool has_panel = false;
  for (const model::TopoDevice& d : small.topology.devices)
    has_panel |= d.kind == DeviceKind::kDsiPanel;
  EXPECT_TRUE(has_panel);

  // Shrinking for the use-after-free instead drops the panel.
  Shrinker uaf(kUafDetach, {});
  Scenario other = uaf.Shrink(Shrinker::DropDevice(s, 1));
  EXPECT_EQ(Judge(other, {}).title, kUafDetach);
}

TEST(ShrinkTest, RestrictedPropertiesCountOnlyThemselves) {
  // With only no-warn counting, the bridge's path WARNs with the same title
  // and the shrinker may use it; the result still fails with that title.
  Scenario s = Parse(absl::StrCat(kSeedTopology,
                                  "bind host0\n"
                                  "bind bridge0\n"
                                  "unbind host0\n"
                                  "unbind bridge0\n"));
  Shrinker sh(kWarnDetach, {"no-warn"});
  ASSERT_TRUE(sh.Fails(s));
  Scenario small = sh.Shrink(s);
  Verdict v = Judge(small, {"no-warn"});
  EXPECT_TRUE(v.valid);
  EXPECT_EQ(v.title, kWarnDetach);
  EXPECT_EQ(v.failed, (std::vector<std::string>{"no-warn"}));
  EXPECT_TRUE(sh.IsOneMinimal(small));
}

}  // namespace
}  // namespace dsifuzz
