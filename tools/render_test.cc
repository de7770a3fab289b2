// The timeline picture of B1 and B0: what it says, read back from the SVG's
// data attributes (the same values the bars and marks are drawn from).
#include "tools/render.h"

#include <string>

#include "gtest/gtest.h"
#include "tools/scenario.h"

namespace dsifuzz {
namespace {

constexpr char kDevices[] = R"(# dsifuzz v1
device host0 dsi-controller
device bridge0 i2c-bridge host=host0 style=devm-probe
bind host0
bind bridge0
)";

std::string Render(const std::string& events) {
  absl::StatusOr<Scenario> s =
      ParseScenario(std::string(kDevices) + events, "b.dsi");
  EXPECT_TRUE(s.ok()) << s.status();
  if (!s.ok()) return "";
  absl::StatusOr<std::string> svg = RenderTimelineSvg(*s, "upstream-6.11");
  EXPECT_TRUE(svg.ok()) << svg.status();
  return svg.ok() ? *svg : "";
}

// The value of attribute `name` in the first element at or after `at`.
std::string Attr(const std::string& svg, size_t at, const std::string& name) {
  if (at == std::string::npos) return "";
  const size_t end = svg.find('>', at);
  const size_t a = svg.find(" " + name + "=\"", at);
  if (a == std::string::npos || a > end) return "";
  const size_t v = a + name.size() + 3;
  return svg.substr(v, svg.find('"', v) - v);
}

int Count(const std::string& s, const std::string& what) {
  int n = 0;
  for (size_t at = s.find(what); at != std::string::npos;
       at = s.find(what, at + 1))
    ++n;
  return n;
}

TEST(RenderTimeline, SeedBugShowsTheDsiDeviceFreedThenAccessed) {
  const std::string svg = Render("unbind host0\nunbind bridge0\n");
  // The DSI device's lifetime: allocated by bind bridge0, freed during
  // unbind host0.
  const size_t life = svg.find(
      "class=\"lifetime\" data-object=\"struct mipi_dsi_device#1 "
      "(host0.0)\"");
  ASSERT_NE(life, std::string::npos) << svg;
  EXPECT_EQ(Attr(svg, life, "data-alloc-event"), "2");
  EXPECT_EQ(Attr(svg, life, "data-free-event"), "3");
  const std::string lane_x = Attr(svg, life, "data-x");
  EXPECT_FALSE(lane_x.empty());
  // The first bad access on it comes in unbind bridge0, in its lane.
  const size_t bad = svg.find(
      "class=\"bad-access\" data-object=\"struct mipi_dsi_device#1 "
      "(host0.0)\"");
  ASSERT_NE(bad, std::string::npos) << svg;
  EXPECT_EQ(Attr(svg, bad, "data-event"), "4");
  EXPECT_EQ(Attr(svg, bad, "data-x"), lane_x);
  EXPECT_EQ(svg.compare(svg.find("<title>", bad), 43,
                        "<title>read dsi-&gt;host in mipi_dsi_detach"),
            0);
  EXPECT_NE(svg.find("BUG: use-after-free in mipi_dsi_detach (event 4)"),
            std::string::npos);
  EXPECT_NE(svg.find("[3] unbind host0"), std::string::npos);
  // Self-contained and well nested.
  EXPECT_EQ(svg.find("<script"), std::string::npos);
  EXPECT_EQ(svg.find("href"), std::string::npos);
  EXPECT_EQ(Count(svg, "<g"), Count(svg, "</g>"));
  EXPECT_EQ(Count(svg, "<title>"), Count(svg, "</title>"));
}

TEST(RenderTimeline, CleanOrderHasNoBadAccess) {
  const std::string svg = Render("unbind bridge0\nunbind host0\n");
  EXPECT_EQ(svg.find("class=\"bad-access\""), std::string::npos);
  EXPECT_NE(svg.find(">clean</text>"), std::string::npos);
  // The DSI device is freed by the bridge's own unbind (event 3).
  EXPECT_NE(svg.find("data-object=\"struct mipi_dsi_device#1 (host0.0)\" "
                     "data-alloc-event=\"2\" data-free-event=\"3\""),
            std::string::npos);
}

TEST(RenderTimeline, UnknownVariantIsAnError) {
  absl::StatusOr<Scenario> s = ParseScenario(kDevices, "b.dsi");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(RenderTimelineSvg(*s, "no-such").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace dsifuzz
