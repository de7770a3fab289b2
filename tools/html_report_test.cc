// The HTML run report: what the page holds for the seed bug, that it is
// self-contained, escaped and the same bytes every time, and that it is
// written whole.
#include "tools/html_report.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "tools/matrix.h"
#include "tools/scenario.h"

namespace dsifuzz {
namespace {

int Count(const std::string& s, const std::string& what) {
  int n = 0;
  for (size_t at = s.find(what); at != std::string::npos;
       at = s.find(what, at + 1))
    ++n;
  return n;
}

RunReport SeedReport() {
  absl::StatusOr<Scenario> s = ParseScenario(R"(# dsifuzz v1
device host0 dsi-controller
device bridge0 i2c-bridge host=host0 style=devm-probe
bind host0
bind bridge0
unbind host0
)",
                                             "b1.dsi");
  EXPECT_TRUE(s.ok()) << s.status();
  RunReport r;
  r.command = "fuzz";
  r.parameters = {{"seed", "7"}, {"topology", "<seed & co>"}};
  r.summary = "1 distinct failure";
  r.findings.push_back(ReportFinding{"use-after-free in mipi_dsi_detach",
                                     "use-after-free",
                                     "findings/b1.dsi",
                                     FormatScenario(*s),
                                     *s,
                                     {}});
  CoverageTable t;
  t.reference = "explorer";
  t.transitions = {{"controller", "unbound", "bind", 5, true},
                   {"bridge (devm-probe)", "bound; dsi freed, host freed",
                    "transfer", 0, true}};
  t.reachable_transitions = 2;
  t.reached_reachable_transitions = 1;
  r.coverage = t;
  r.json = {{"version", 1}, {"command", "fuzz"}};
  return r;
}

TEST(HtmlReport, HoldsTheFindingItsReportItsTimelineAndTheCoverage) {
  const std::string html = FormatHtmlReport(SeedReport());
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(Count(html, "<article class=\"finding\""), 1);
  EXPECT_NE(html.find("data-title=\"use-after-free in mipi_dsi_detach\""),
            std::string::npos);
  // The KASAN-shaped report, from a replay: the access in the teardown's
  // unbind of the bridge, on memory freed by the host's unbind.
  EXPECT_NE(html.find("BUG: use-after-free in mipi_dsi_detach"),
            std::string::npos);
  EXPECT_NE(html.find("Freed by event 3 (unbind host0)"), std::string::npos);
  // The timeline, inline.
  EXPECT_EQ(Count(html, "<svg "), 1);
  EXPECT_NE(html.find("data-object="), std::string::npos);
  // The never-reached transition is highlighted, the reached one is not.
  EXPECT_EQ(Count(html, "<tr class=\"never\">"), 1);
  EXPECT_EQ(Count(html, "<tr class=\"reached\">"), 1);
  EXPECT_NE(html.find("1 of 2 (state, event) transitions"), std::string::npos);
}

TEST(HtmlReport, ShowsTheFindingsOwnReportFirst) {
  RunReport r = SeedReport();
  // The same run fails single-release too, after the use-after-free.
  r.findings[0].title = "double-unregister in mipi_dsi_device_unregister";
  r.findings[0].property = "single-release";
  const std::string html = FormatHtmlReport(r);
  const size_t first = html.find("<pre class=\"kasan\">");
  ASSERT_NE(first, std::string::npos);
  EXPECT_EQ(
      html.find("BUG: double-unregister in mipi_dsi_device_unregister", first),
      first + std::string("<pre class=\"kasan\">").size());
  // The use-after-free is still there, one click away.
  EXPECT_NE(html.find("more reports</summary>"), std::string::npos);
  EXPECT_NE(html.find("BUG: use-after-free in mipi_dsi_detach", first),
            std::string::npos);
}

TEST(HtmlReport, IsSelfContainedAndEscaped) {
  const std::string html = FormatHtmlReport(SeedReport());
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  EXPECT_NE(html.find("&lt;seed &amp; co&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<seed & co>"), std::string::npos);
  EXPECT_EQ(Count(html, "<section"), Count(html, "</section>"));
  EXPECT_EQ(Count(html, "<table"), Count(html, "</table>"));
}

TEST(HtmlReport, IsTheSameBytesEveryTime) {
  EXPECT_EQ(FormatHtmlReport(SeedReport()), FormatHtmlReport(SeedReport()));
}

TEST(HtmlReport, MatrixCellsLinkToTheirFinding) {
  RunReport r = SeedReport();
  Matrix m;
  m.variants = {"upstream-6.11", "dsifuzz-fix"};
  m.properties = {"use-after-free"};
  MatrixCell bad;
  bad.variant = "upstream-6.11";
  bad.property = "use-after-free";
  bad.ok = false;
  bad.title = "use-after-free in mipi_dsi_detach";
  bad.events = 3;
  bad.scenario = r.findings[0].scenario;
  MatrixCell good;
  good.variant = "dsifuzz-fix";
  good.property = "use-after-free";
  m.cells = {bad, good};
  r.matrix = &m;
  const std::string html = FormatHtmlReport(r);
  EXPECT_NE(html.find("<td class=\"fail\"><a href=\"#finding-1\">"
                      "use-after-free in mipi_dsi_detach</a> (3)</td>"),
            std::string::npos);
  EXPECT_EQ(Count(html, "<td class=\"ok\">ok</td>"), 1);
  // The matrix comes before the findings it links to.
  EXPECT_LT(html.find("id=\"matrix\""), html.find("id=\"findings\""));
}

TEST(HtmlReport, WritesThePageAndTheJsonOrSaysWhyNot) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() /
      ("dsifuzz-html-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(WriteHtmlReport((dir / "rep").string(), SeedReport()).ok());
  std::ifstream page(dir / "rep" / "index.html");
  std::stringstream text;
  text << page.rdbuf();
  EXPECT_EQ(text.str(), FormatHtmlReport(SeedReport()));
  EXPECT_TRUE(std::filesystem::exists(dir / "rep" / "report.json"));
  EXPECT_FALSE(std::filesystem::exists(dir / "rep" / "index.html.tmp"));
  // A directory that cannot be made: a file is in the way.
  std::ofstream(dir / "file") << "x";
  absl::Status s =
      WriteHtmlReport((dir / "file" / "rep").string(), SeedReport());
  EXPECT_FALSE(s.ok());
  EXPECT_NE(std::string(s.message()).find("cannot create"), std::string::npos)
      << s;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace dsifuzz
