// Scenario files v1: parsing, the canonical text, and one error per kind of
// malformed input, each "FILE:LINE: what was expected".
#include "tools/scenario.h"

#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace dsifuzz {
namespace {

using model::DeviceKind;
using model::Event;
using model::EventKind;
using model::Style;

constexpr char kB1[] = R"(# dsifuzz v1
# a comment line

variant upstream-6.11
device host0 dsi-controller   # trailing comment
device bridge0 i2c-bridge host=host0 style=devm-probe
bind host0
bind bridge0

unbind host0
unbind bridge0
expect use-after-free single-release no-warn
)";

// The same events checked on two variants, with a verdict for each.
constexpr char kMulti[] = R"(# dsifuzz v1
variant upstream-6.11
variant tomi-v1   # Tomi's patch
device host0 dsi-controller
device bridge0 i2c-bridge host=host0 style=devm-probe
bind host0
bind bridge0
unbind host0
unbind bridge0
expect upstream-6.11: use-after-free single-release no-warn refcount-balance
expect tomi-v1: clean
)";

TEST(ScenarioTest, ParsesTopologyEventsAndLines) {
  absl::StatusOr<Scenario> s = ParseScenario(kB1, "b1.dsi");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->path, "b1.dsi");
  EXPECT_EQ(s->variant(), "upstream-6.11");
  EXPECT_EQ(s->VariantNames(), (std::vector<std::string>{"upstream-6.11"}));
  ASSERT_EQ(s->topology.devices.size(), 2u);
  EXPECT_EQ(s->topology.devices[1].kind, DeviceKind::kI2cBridge);
  EXPECT_EQ(s->topology.devices[1].host, 0);
  EXPECT_EQ(s->topology.devices[1].style, Style::kDevmProbe);
  ASSERT_EQ(s->events.size(), 4u);
  EXPECT_EQ(s->events[2], (Event{EventKind::kUnbind, 0}));
  EXPECT_EQ(s->event_lines, (std::vector<int>{7, 8, 10, 11}));
  EXPECT_EQ(s->expect().failing,
            (std::vector<std::string>{"use-after-free", "single-release",
                                      "no-warn"}));
  EXPECT_FALSE(s->expect().clean);
  EXPECT_TRUE(s->has_expect());
}

TEST(ScenarioTest, FormatPinsTheCanonicalText) {
  absl::StatusOr<Scenario> s = ParseScenario(
      "\n# dsifuzz v1\n"
      "device host0 dsi-controller\n"
      "device b0 i2c-bridge host=host0\n"
      "device p0 dsi-panel channel=1 host=host0 style=devm-attach\n"
      "bind host0\n  fail devres 4  \nfail kzalloc 1\nrmmod dsi-panel\n"
      "deferred-probe\ninsmod i2c-bridge\ntransfer b0\nremove b0\nadd b0\n"
      "expect refcount-balance\nexpect no-warn refcount-balance\n",
      "x.dsi");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(FormatScenario(*s),
            "# dsifuzz v1\n"
            "variant upstream-6.11\n"
            "device host0 dsi-controller\n"
            "device b0 i2c-bridge host=host0 style=devm-probe\n"
            "device p0 dsi-panel host=host0 style=devm-attach channel=1\n"
            "bind host0\n"
            "fail devres 4\n"
            "fail kzalloc\n"
            "rmmod dsi-panel\n"
            "deferred-probe\n"
            "insmod i2c-bridge\n"
            "transfer b0\n"
            "remove b0\n"
            "add b0\n"
            "expect refcount-balance no-warn\n");
}

TEST(ScenarioTest, FormatRoundTrips) {
  for (const char* text :
       {kB1, kMulti, "# dsifuzz v1\ndevice h dsi-controller\nexpect clean\n",
        "# dsifuzz v1\ndevice h dsi-controller\n"
        "device p dsi-panel host=h channel=3\nbind h\nunbind p\n"}) {
    absl::StatusOr<Scenario> first = ParseScenario(text, "a.dsi");
    ASSERT_TRUE(first.ok()) << first.status();
    const std::string canonical = FormatScenario(*first);
    absl::StatusOr<Scenario> second = ParseScenario(canonical, "b.dsi");
    ASSERT_TRUE(second.ok()) << second.status() << "\n" << canonical;
    EXPECT_EQ(FormatScenario(*second), canonical);
    EXPECT_EQ(second->events, first->events);
    EXPECT_EQ(second->variants, first->variants);
  }
}

TEST(ScenarioTest, ExpectCleanAndNoExpect) {
  absl::StatusOr<Scenario> s =
      ParseScenario("# dsifuzz v1\nexpect clean\n", "c.dsi");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(s->expect().clean);
  EXPECT_TRUE(s->expect().failing.empty());
  EXPECT_TRUE(s->has_expect());
  s = ParseScenario("# dsifuzz v1\n", "n.dsi");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_FALSE(s->has_expect());
  EXPECT_TRUE(s->topology.devices.empty());
}

TEST(ScenarioTest, ParsesSeveralVariantsEachWithItsExpectation) {
  absl::StatusOr<Scenario> s = ParseScenario(kMulti, "m.dsi");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->VariantNames(),
            (std::vector<std::string>{"upstream-6.11", "tomi-v1"}));
  EXPECT_EQ(s->variant(), "upstream-6.11");
  ASSERT_EQ(s->variants.size(), 2u);
  EXPECT_EQ(s->variants[0].expect.failing,
            (std::vector<std::string>{"use-after-free", "single-release",
                                      "no-warn", "refcount-balance"}));
  EXPECT_FALSE(s->variants[0].expect.clean);
  EXPECT_TRUE(s->variants[1].expect.clean);
  EXPECT_TRUE(s->variants[1].expect.failing.empty());
  EXPECT_TRUE(s->has_expect());
  ASSERT_NE(s->ExpectationFor("tomi-v1"), nullptr);
  EXPECT_TRUE(s->ExpectationFor("tomi-v1")->clean);
  EXPECT_EQ(s->ExpectationFor("maxime"), nullptr);
  EXPECT_EQ(s->events.size(), 4u);
  EXPECT_EQ(s->event_lines, (std::vector<int>{6, 7, 8, 9}));
}

TEST(ScenarioTest, SeveralVariantsFormatQualifiedInVariantOrder) {
  // Expect lines in another order than the variants, no space after ':',
  // no expect line at all; the canonical text follows the variant order.
  absl::StatusOr<Scenario> s = ParseScenario(
      "# dsifuzz v1\nvariant maxime\nvariant upstream-6.11\nvariant tomi-v1\n"
      "device h dsi-controller\nbind h\n"
      "expect tomi-v1:clean\n"
      "expect  upstream-6.11 :  no-warn   single-release no-warn\n"
      "expect maxime: refcount-balance\n",
      "o.dsi");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(FormatScenario(*s),
            "# dsifuzz v1\n"
            "variant maxime\n"
            "variant upstream-6.11\n"
            "variant tomi-v1\n"
            "device h dsi-controller\n"
            "bind h\n"
            "expect maxime: refcount-balance\n"
            "expect upstream-6.11: no-warn single-release\n"
            "expect tomi-v1: clean\n");
  s = ParseScenario(
      "# dsifuzz v1\nvariant tomi-v1\nvariant maxime\ndevice h "
      "dsi-controller\n",
      "n.dsi");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_FALSE(s->has_expect());
  EXPECT_EQ(FormatScenario(*s),
            "# dsifuzz v1\nvariant tomi-v1\nvariant maxime\n"
            "device h dsi-controller\n");
}

TEST(ScenarioTest, OneVariantKeepsTheUnqualifiedForm) {
  // A qualified expect for the only variant is written unqualified, so a
  // single-variant file's canonical text is what it always was.
  absl::StatusOr<Scenario> s = ParseScenario(
      "# dsifuzz v1\nvariant tomi-v1\nexpect tomi-v1: no-warn\n", "q.dsi");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->expect().failing, (std::vector<std::string>{"no-warn"}));
  EXPECT_EQ(FormatScenario(*s),
            "# dsifuzz v1\nvariant tomi-v1\nexpect no-warn\n");
  // As before this change: unqualified expect lines add up, and may come
  // before the variant line.
  s = ParseScenario(
      "# dsifuzz v1\nexpect no-warn\nvariant maxime\nexpect use-after-free\n",
      "u.dsi");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->VariantNames(), (std::vector<std::string>{"maxime"}));
  EXPECT_EQ(s->expect().failing,
            (std::vector<std::string>{"no-warn", "use-after-free"}));
  EXPECT_EQ(FormatScenario(*s),
            "# dsifuzz v1\nvariant maxime\nexpect no-warn use-after-free\n");
}

TEST(ScenarioTest, SetVariantMakesASingleVariantScenario) {
  absl::StatusOr<Scenario> s = ParseScenario(kMulti, "m.dsi");
  ASSERT_TRUE(s.ok()) << s.status();
  s->SetVariant("maxime");
  EXPECT_EQ(s->VariantNames(), (std::vector<std::string>{"maxime"}));
  EXPECT_FALSE(s->has_expect());
  s->expect() = Expectation::Of({"no-warn"});
  EXPECT_EQ(s->expect().failing, (std::vector<std::string>{"no-warn"}));
  EXPECT_FALSE(s->expect().clean);
  EXPECT_TRUE(Expectation::Of({}).clean);
  const std::string text = FormatScenario(*s);
  EXPECT_NE(text.find("\nvariant maxime\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nexpect no-warn\n"), std::string::npos) << text;
  EXPECT_EQ(Scenario().VariantNames(),
            (std::vector<std::string>{std::string(kDefaultVariant)}));
}

struct BadCase {
  const char* body;  // after the header line (line 1)
  int line;
  const char* expected;
};

TEST(ScenarioTest, MalformedInputNamesFileLineAndExpectation) {
  const std::string devs =
      "device host0 dsi-controller\ndevice bridge0 i2c-bridge host=host0\n";
  const BadCase cases[] = {
      {"frobnicate host0\n", 2, "unknown event 'frobnicate'"},
      {"\n# c\nbind nosuch\n", 4, "unknown device 'nosuch'"},
      {"device g0 gpu\n", 2, "unknown device kind 'gpu'"},
      {"device h dsi-controller\ndevice b i2c-bridge host=h style=attach\n", 3,
       "style=attach: expected devm-probe, manual, no-unregister"},
      {"device h dsi-controller\ndevice p dsi-panel host=h style=manual\n", 3,
       "style=manual: expected attach, devm-attach"},
      {"device h dsi-controller\ndevice b i2c-bridge host=h channel=8\n", 3,
       "channel=8: expected a number from 0 to 7"},
      {"device h dsi-controller\ndevice b i2c-bridge host=h channel=x\n", 3,
       "channel=x: expected a number"},
      {"device h dsi-controller\ndevice b i2c-bridge host=h\n"
       "device c i2c-bridge host=b\n",
       4, "host=b: expected the name of a dsi-controller"},
      {"device b i2c-bridge\n", 2, "a peripheral needs host="},
      {"device h dsi-controller\ndevice h dsi-controller\n", 3,
       "device 'h' is declared twice"},
      {"device Host dsi-controller\n", 2, "bad device name 'Host'"},
      {"device h dsi-controller\nbind h\ndevice i dsi-controller\n", 4,
       "devices are declared before the first event"},
      {"expect nope\n", 2, "unknown property 'nope'"},
      {"expect clean no-warn\n", 2, "'expect clean' cannot be combined"},
      {"expect\n", 2, "expected 'expect clean' or 'expect PROPERTY...'"},
      {"fail heap\n", 2, "expected 'fail SITE [N]'"},
      {"fail devres 0\n", 2, "expected a count from 1 to 1000"},
      {"fail devres 1001\n", 2, "expected a count from 1 to 1000"},
      {"variant upstream-9.99\n", 2, "unknown variant 'upstream-9.99'"},
      {"device h dsi-controller\nvariant upstream-6.11\n", 3,
       "variant lines come before devices and events"},
      {"rmmod gpu\n", 2, "expected 'rmmod DRIVER'"},
      {"deferred-probe now\n", 2, "deferred-probe takes no argument"},
  };
  for (const BadCase& c : cases) {
    std::string text = absl::StrCat("# dsifuzz v1\n", c.body);
    absl::StatusOr<Scenario> s = ParseScenario(text, "t.dsi");
    ASSERT_FALSE(s.ok()) << c.body;
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
    const std::string msg(s.status().message());
    const std::string where = absl::StrCat("t.dsi:", c.line, ": ");
    EXPECT_EQ(msg.substr(0, where.size()), where) << msg;
    EXPECT_NE(msg.find(c.expected), std::string::npos) << msg;
  }
  // A bridge defined in `devs` is not a host either.
  absl::StatusOr<Scenario> s = ParseScenario(
      absl::StrCat("# dsifuzz v1\n", devs, "device p dsi-panel host=bridge0\n"),
      "d.dsi");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("d.dsi:4: host=bridge0"),
            std::string::npos)
      << s.status();
}

TEST(ScenarioTest, MalformedVariantsAndExpectLines) {
  const char kTwo[] = "variant upstream-6.11\nvariant tomi-v1\n";  // 2-3
  const BadCase cases[] = {
      {"variant tomi-v1\nvariant maxime\nvariant tomi-v1\n", 4,
       "variant 'tomi-v1' is declared twice (first at line 2)"},
      {"variant tomi-v1 maxime\n", 2, "expected 'variant NAME'"},
      // A qualified expect names a variant declared above.
      {"variant tomi-v1\nvariant maxime\nexpect tomi-v2: clean\n", 4,
       "unknown variant 'tomi-v2' in expect: expected one of the variants "
       "declared above (tomi-v1, maxime)"},
      {"variant tomi-v1\nexpect maxime: clean\n", 3,
       "undeclared variant 'maxime' in expect: expected one of the variants "
       "declared above (tomi-v1), or a 'variant maxime' line"},
      {"expect upstream-6.11: clean\n", 2,
       "undeclared variant 'upstream-6.11' in expect: expected one of the "
       "variants declared above (none)"},
      // With several variants every expect line is qualified.
      {"variant upstream-6.11\nvariant tomi-v1\nexpect clean\n", 4,
       "an unqualified expect needs a single variant, and this file names 2 "
       "(upstream-6.11, tomi-v1): expected 'expect VARIANT: clean'"},
      {"variant upstream-6.11\nexpect clean\nvariant tomi-v1\n", 3,
       "an unqualified expect needs a single variant"},
      // Either every variant has an expect line or none has; the error names
      // the variant without one.
      {"variant upstream-6.11\nvariant tomi-v1\nvariant maxime\n"
       "expect upstream-6.11: clean\nexpect maxime: clean\n",
       3,
       "variant 'tomi-v1' has no expect line, but another variant has one "
       "(line 5): expected 'expect tomi-v1: ...' for every variant"},
      // At most one per variant.
      {"variant upstream-6.11\nvariant tomi-v1\nexpect tomi-v1: clean\n"
       "expect upstream-6.11: no-warn\nexpect tomi-v1: no-warn\n",
       6,
       "a second expect line for variant 'tomi-v1' (the first is at line 4): "
       "expected one per variant"},
      {"variant tomi-v1\nexpect tomi-v1: clean\nexpect tomi-v1: clean\n", 4,
       "a second expect line for variant 'tomi-v1'"},
      // Qualified and unqualified lines do not mix, even with one variant.
      {"variant tomi-v1\nexpect tomi-v1: clean\nexpect clean\n", 4,
       "expected 'expect VARIANT: ...' like the expect line at line 3"},
      {"variant tomi-v1\nexpect clean\nexpect tomi-v1: clean\n", 4,
       "expected 'expect PROPERTY...' like the expect line at line 3"},
      // The qualified form itself.
      {"variant tomi-v1\nexpect tomi-v1:\n", 3,
       "expected 'expect tomi-v1: clean' or 'expect tomi-v1: PROPERTY...'"},
      {"variant tomi-v1\nexpect : clean\n", 3,
       "with one variant name before ':'"},
      {"variant tomi-v1\nexpect tomi-v1 maxime: clean\n", 3,
       "with one variant name before ':'"},
      {"variant tomi-v1\nexpect tomi-v1: nope\n", 3, "unknown property 'nope'"},
      {"variant tomi-v1\nexpect tomi-v1: clean no-warn\n", 3,
       "'expect clean' cannot be combined"},
  };
  for (const BadCase& c : cases) {
    std::string text = absl::StrCat("# dsifuzz v1\n", c.body);
    absl::StatusOr<Scenario> s = ParseScenario(text, "v.dsi");
    ASSERT_FALSE(s.ok()) << c.body;
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
    const std::string msg(s.status().message());
    const std::string where = absl::StrCat("v.dsi:", c.line, ": ");
    EXPECT_EQ(msg.substr(0, where.size()), where) << msg;
    EXPECT_NE(msg.find(c.expected), std::string::npos) << msg;
  }
  // The same expect lines are fine once the file names one variant each.
  EXPECT_TRUE(ParseScenario(absl::StrCat("# dsifuzz v1\n", kTwo,
                                         "expect tomi-v1: clean\n"
                                         "expect upstream-6.11: no-warn\n"),
                            "v.dsi")
                  .ok());
}

TEST(ScenarioTest, MissingHeader) {
  absl::StatusOr<Scenario> s =
      ParseScenario("\n\ndevice host0 dsi-controller\n", "h.dsi");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.status().message(),
            "h.dsi:3: expected the header line '# dsifuzz v1'");
  s = ParseScenario("", "e.dsi");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("e.dsi:1: empty file"), std::string::npos)
      << s.status();
  s = ParseScenario("# dsifuzz v2\n", "v.dsi");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("v.dsi:1: expected the header"),
            std::string::npos);
}

TEST(ScenarioTest, ParseEventEveryKind) {
  model::Topology topo;
  topo.devices.resize(2);
  topo.devices[0].name = "host0";
  topo.devices[1].name = "bridge0";
  struct Case {
    const char* line;
    Event want;
  } cases[] = {
      {"bind bridge0", {EventKind::kBind, 1}},
      {"unbind host0", {EventKind::kUnbind, 0}},
      {"remove bridge0", {EventKind::kRemove, 1}},
      {"add bridge0", {EventKind::kAdd, 1}},
      {"transfer bridge0", {EventKind::kTransfer, 1}},
      {"rmmod dsi-controller", {EventKind::kRmmod, 0}},
      {"insmod dsi-panel", {EventKind::kInsmod, 2}},
      {"deferred-probe", {EventKind::kDeferredProbe, -1}},
      {"fail kzalloc", {EventKind::kFail, 0, 1}},
      {"fail devres 4", {EventKind::kFail, 1, 4}},
      {"fail attach 2", {EventKind::kFail, 2, 2}},
      {"  fail\tdevice_add   7 ", {EventKind::kFail, 3, 7}},
  };
  for (const Case& c : cases) {
    absl::StatusOr<Event> e = ParseEvent(c.line, topo);
    ASSERT_TRUE(e.ok()) << c.line << ": " << e.status();
    EXPECT_EQ(*e, c.want) << c.line;
  }
  for (const char* bad : {"", "bind", "bind host0 bridge0", "bind nobody",
                          "insmod", "fail", "fail devres 2 3", "jump host0"}) {
    absl::StatusOr<Event> e = ParseEvent(bad, topo);
    EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(ScenarioTest, LoadScenarioReadsAFile) {
  const std::string path = ::testing::TempDir() + "/scenario_test_b1.dsi";
  {
    std::ofstream out(path);
    out << kB1;
  }
  absl::StatusOr<Scenario> s = LoadScenario(path);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->path, path);
  EXPECT_EQ(s->events.size(), 4u);
  absl::StatusOr<Scenario> missing = LoadScenario(path + ".missing");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace dsifuzz
