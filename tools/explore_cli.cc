// `dsifuzz explore`: flags, then Explore(), the report and the scenario
// files. Everything on stdout is deterministic; the timing and memory line
// goes to stderr (and, with --json, under "timing").
#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "model/world.h"
#include "nlohmann/json.hpp"
#include "properties/property.h"
#include "tools/cli.h"
#include "tools/coverage.h"
#include "tools/explore.h"
#include "tools/fuzz.h"
#include "tools/html_report.h"
#include "tools/judge.h"
#include "tools/scenario.h"

namespace dsifuzz {
namespace {

std::string FindingText(const ExploreFinding& f, const std::string& command,
                        const std::string& path) {
  Scenario s = f.scenario;
  s.expect() = Expectation::Of(Judge(s, {}).failed);
  std::string body = FormatScenario(s);
  std::string header = absl::StrCat(
      "# BUG: ", f.title, "\n", "# found by: ", command, "\n",
      "# the shortest sequence failing ", f.property, " (", s.events.size(),
      " events; breadth-first, first in enabled-event order)\n",
      "# replay: dsifuzz replay ", path, "\n");
  size_t eol = body.find('\n');  // keep "# dsifuzz v1" first
  return body.substr(0, eol + 1) + header + body.substr(eol + 1);
}

}  // namespace

int ExploreCommand(const std::vector<std::string>& args) {
  ExploreOptions o;
  std::string topology_path, out = "explore";
  std::string report_dir;
  bool json = false, coverage = false;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string v, error;
    uint64_t n = 0;
    if (TakeValue(args, i, "--variant", &v, &error)) {
      if (!CheckVariant(v, &error)) return Usage(error);
      o.variant = v;
    } else if (TakeValue(args, i, "--topology", &v, &error)) {
      topology_path = v;
    } else if (TakeValue(args, i, "--depth", &v, &error)) {
      if (!TakeNumber("--depth", v, 0, 10000, &n, &error)) return Usage(error);
      o.max_depth = static_cast<int>(n);
    } else if (TakeValue(args, i, "--property", &v, &error)) {
      if (!CheckProperty(v, &error)) return Usage(error);
      o.properties.push_back(v);
    } else if (TakeValue(args, i, "--max-states", &v, &error)) {
      if (!TakeNumber("--max-states", v, 1, 1000000000000ull, &o.max_states,
                      &error))
        return Usage(error);
    } else if (TakeValue(args, i, "--max-seconds", &v, &error)) {
      if (!TakeNumber("--max-seconds", v, 1, 1000000000, &n, &error))
        return Usage(error);
      o.max_seconds = static_cast<double>(n);
    } else if (TakeValue(args, i, "--max-memory", &v, &error)) {
      if (!TakeNumber("--max-memory", v, 1, 1000000000, &o.max_rss_mib, &error))
        return Usage(error);
    } else if (TakeValue(args, i, "--out", &v, &error)) {
      out = v;
    } else if (TakeValue(args, i, "--report", &v, &error)) {
      report_dir = v;
    } else if (args[i] == "--coverage") {
      coverage = true;
    } else if (args[i] == "--symmetry") {
      o.symmetry = true;
    } else if (args[i] == "--json") {
      json = true;
    } else {
      return Usage(error.empty()
                       ? "unknown argument '" + args[i] + "' for explore"
                       : error);
    }
    if (!error.empty()) return Usage(error);
  }
  if (topology_path.empty()) return Usage("explore needs --topology FILE");
  absl::StatusOr<Scenario> topo = LoadScenario(topology_path);
  if (!topo.ok()) {
    std::cerr << "dsifuzz: " << topo.status().message() << "\n";
    return 2;
  }
  o.topology = topo->topology;
  // The coverage (and the report, which shows it) needs every event run
  // and every depth searched, findings or not.
  Coverage cov;
  if (coverage || !report_dir.empty()) {
    if (o.symmetry)
      return Usage(
          "--coverage and --report count every device: not with "
          "--symmetry");
    o.coverage = &cov;
  }

  std::string command = absl::StrCat("dsifuzz explore --variant ", o.variant,
                                     " --topology ", topology_path);
  if (o.max_depth >= 0) absl::StrAppend(&command, " --depth ", o.max_depth);
  for (const std::string& p : o.properties)
    absl::StrAppend(&command, " --property ", p);
  if (o.symmetry) absl::StrAppend(&command, " --symmetry");

  std::ostream& log = json ? std::cerr : std::cout;
  log << "dsifuzz explore: variant " << o.variant << ", topology of "
      << topology_path << " (" << o.topology.devices.size() << " devices), "
      << (o.max_depth >= 0 ? absl::StrCat("depth ", o.max_depth)
                           : std::string("until a fixed point"))
      << ", properties "
      << (o.properties.empty() ? std::string("all")
                               : absl::StrJoin(o.properties, " "))
      << (o.symmetry ? ", symmetric bridges folded" : "") << "\n";
  // Progress on stderr as each depth ends (with timing: not compared).
  o.on_depth = [](const ExploreDepth& d, double seconds, uint64_t rss_kib) {
    std::cerr << absl::StrFormat(
        "explore: depth %d done: %d new states, %d transitions (%.1f s, peak "
        "RSS %.0f MiB)\n",
        d.depth, d.states, d.transitions, seconds,
        static_cast<double>(rss_kib) / 1024);
  };
  absl::StatusOr<ExploreResult> r = Explore(o);
  if (!r.ok()) {
    std::cerr << "dsifuzz: " << r.status().message() << "\n";
    return 2;
  }

  std::vector<std::string> paths, texts;
  for (const ExploreFinding& f : r->findings) {
    std::string text;
    std::string path =
        WriteNewFile(out, Slug(f.title), [&](const std::string& p) {
          text = FindingText(f, command, p);
          return text;
        });
    if (path.empty()) {
      text = FindingText(f, command, "(unwritten)");
      std::cerr << "dsifuzz: cannot write " << out << "/" << Slug(f.title)
                << ".dsi; the finding follows:\n"
                << text;
    }
    paths.push_back(path);
    texts.push_back(text);
  }

  const double rate =
      r->seconds > 0 ? static_cast<double>(r->states) / r->seconds : 0;
  std::cerr << absl::StrFormat(
      "explore timing: %.3f s, %.0f states/s, %.0f transitions/s, peak RSS "
      "%.1f MiB\n",
      r->seconds, rate,
      r->seconds > 0 ? static_cast<double>(r->transitions) / r->seconds : 0,
      static_cast<double>(r->peak_rss_kib) / 1024);

  std::string verdict;
  if (r->findings.empty()) {
    if (r->fixed_point) {
      verdict = "no violation at any depth (fixed point at depth " +
                std::to_string(r->depth_reached) + ")";
    } else {
      verdict = "no violation up to depth " + std::to_string(r->depth_reached);
      if (r->truncated)
        absl::StrAppend(&verdict, " (stopped by ", r->stopped_by,
                        " during depth ", r->depth_reached + 1, ")");
    }
  }

  CoverageTable table;
  if (o.coverage != nullptr)
    table = MakeCoverageTable(
        cov, &cov,
        absl::StrCat("explorer (this search, ", r->depth_reached, " events)"));
  nlohmann::json j;
  {
    j["version"] = 1;
    j["command"] = "explore";
    j["variant"] = o.variant;
    j["topology"] = topology_path;
    j["depth"] = o.max_depth;
    j["properties"] = o.properties;
    j["symmetry"] = o.symmetry;
    j["symmetric_classes"] = r->symmetric_classes;
    j["states"] = r->states;
    j["transitions"] = r->transitions;
    j["merged"] = r->merged;
    j["reused"] = r->reused;
    j["commuted"] = r->commuted;
    j["depth_reached"] = r->depth_reached;
    j["complete"] = r->complete;
    j["fixed_point"] = r->fixed_point;
    j["truncated"] = r->truncated;
    j["stopped_by"] = r->stopped_by;
    j["per_depth"] = nlohmann::json::array();
    for (const ExploreDepth& d : r->per_depth)
      j["per_depth"].push_back({{"depth", d.depth},
                                {"states", d.states},
                                {"transitions", d.transitions}});
    j["findings"] = nlohmann::json::array();
    for (size_t i = 0; i < r->findings.size(); ++i) {
      const ExploreFinding& f = r->findings[i];
      j["findings"].push_back(
          {{"property", f.property},
           {"title", f.title},
           {"events", f.scenario.events.size()},
           {"scenario", texts[i]},
           {"file", paths[i].empty() ? nlohmann::json(nullptr)
                                     : nlohmann::json(paths[i])}});
    }
    j["verdict"] = verdict;
    if (o.coverage != nullptr) j["coverage"] = CoverageJson(table);
  }
  // Not deterministic: compare everything but this.
  nlohmann::json timing = {{"seconds", r->seconds},
                           {"states_per_second", rate},
                           {"peak_rss_kib", r->peak_rss_kib}};
  if (json) {
    nlohmann::json timed = j;
    timed["timing"] = timing;
    std::cout << timed.dump(2) << "\n";
  } else {
    for (const ExploreDepth& d : r->per_depth)
      std::cout << "depth " << d.depth << ": " << d.states << " new states, "
                << d.transitions << " transitions\n";
    std::cout << r->states << " states, " << r->transitions << " transitions, "
              << r->merged << " reached a known state, " << r->reused
              << " reused (lent by a sibling or a teardown, not run), "
              << r->commuted
              << " left out (they commute with arming a fault); depth reached "
              << r->depth_reached << (r->complete ? "" : " (incomplete)")
              << "\n";
    for (size_t i = 0; i < r->findings.size(); ++i) {
      const ExploreFinding& f = r->findings[i];
      std::cout << "BUG: " << f.title << "  [" << f.property << "] "
                << f.scenario.events.size() << " events: "
                << (paths[i].empty() ? "(not written)" : paths[i]) << "\n";
    }
    if (!verdict.empty()) std::cout << verdict << "\n";
    if (coverage) std::cout << FormatCoverage(table);
  }
  if (!report_dir.empty()) {
    RunReport rep;
    rep.command = "explore";
    rep.parameters = {
        {"variant", o.variant},
        {"topology", topology_path},
        {"depth", o.max_depth >= 0 ? absl::StrCat(o.max_depth)
                                   : std::string("until a fixed point")},
        {"properties", o.properties.empty()
                           ? std::string("all")
                           : absl::StrJoin(o.properties, " ")}};
    rep.summary = absl::StrCat(
        r->states, " states, ", r->transitions, " transitions, depth reached ",
        r->depth_reached, "; ", verdict.empty() ? "" : verdict,
        r->findings.empty()
            ? ""
            : absl::StrCat(r->findings.size(), " properties fail"));
    for (size_t i = 0; i < r->findings.size(); ++i)
      rep.findings.push_back(ReportFinding{r->findings[i].title,
                                           r->findings[i].property,
                                           paths[i],
                                           texts[i],
                                           r->findings[i].scenario,
                                           {}});
    rep.coverage = table;
    rep.json = j;  // without the timing: the report is deterministic
    absl::Status st = WriteHtmlReport(report_dir, rep);
    if (!st.ok()) {
      std::cerr << "dsifuzz: " << st.message() << "\n";
      return 2;
    }
    log << "report: " << report_dir << "/index.html\n";
  }
  return r->findings.empty() ? 0 : 1;
}

}  // namespace dsifuzz
