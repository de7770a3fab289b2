// The HTML run report (`--report DIR` of fuzz, matrix and explore): one
// self-contained page, DIR/index.html, with no script and no external
// reference, and the run's JSON (docs/json.md) beside it as
// DIR/report.json. The page has the run's parameters and seed, each
// finding with its scenario, its KASAN-shaped reports and its timeline
// (tools/render.h, inline SVG), the variant matrix when there is one, and
// the coverage table (tools/coverage.h) with the reachable transitions the
// run never took highlighted. It holds no time and no address: the same
// run writes the same bytes.
#ifndef DSIFUZZ_TOOLS_HTML_REPORT_H_
#define DSIFUZZ_TOOLS_HTML_REPORT_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "nlohmann/json.hpp"
#include "tools/coverage.h"
#include "tools/scenario.h"

namespace dsifuzz {

struct Matrix;

struct ReportFinding {
  std::string title;
  std::string property;
  std::string file;   // the scenario file written, or ""
  std::string text;   // its text (or the scenario's, formatted)
  Scenario scenario;  // replayed for the reports and the timeline
  // The variants it fails on, when more than its scenario's (a matrix).
  std::vector<std::string> variants;
};

// Which finding a matrix cell's counterexample is: its title and its
// events on its topology, whatever the variant.
std::string FindingKey(const std::string& title, const Scenario& s);

struct RunReport {
  std::string command;  // "fuzz", "matrix", "explore"
  std::vector<std::pair<std::string, std::string>> parameters;
  std::string summary;  // one line
  std::vector<ReportFinding> findings;
  const Matrix* matrix = nullptr;
  std::optional<CoverageTable> coverage;
  nlohmann::json json;  // the run's --json document
};

// The page's HTML.
std::string FormatHtmlReport(const RunReport& r);
// Creates DIR if needed and writes index.html and report.json, each
// complete or not at all.
absl::Status WriteHtmlReport(const std::string& dir, const RunReport& r);

}  // namespace dsifuzz

#endif  // DSIFUZZ_TOOLS_HTML_REPORT_H_
