// `dsifuzz fuzz`: flags, the campaign, its summary, JSON (docs/json.md),
// the coverage table and the HTML report.
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "model/world.h"
#include "nlohmann/json.hpp"
#include "tools/cli.h"
#include "tools/coverage.h"
#include "tools/fuzz.h"
#include "tools/html_report.h"
#include "tools/scenario.h"

namespace dsifuzz {
namespace {

std::atomic<bool> g_stop{false};
void OnSigint(int) { g_stop.store(true); }

nlohmann::json FuzzJson(const FuzzOptions& o, const FuzzResult& r,
                        const CoverageTable* coverage) {
  nlohmann::json j;
  j["version"] = 1;
  j["command"] = "fuzz";
  j["variant"] = o.variant;
  j["seed"] = o.seed;
  j["runs"] = o.runs;
  j["max_events"] = o.max_events;
  j["topology"] =
      o.topology ? nlohmann::json(o.topology_path) : nlohmann::json(nullptr);
  j["cases"] = r.cases;
  j["events"] = r.events;
  j["interrupted"] = r.interrupted;
  nlohmann::json dist;
  for (int k = 0; k < 9; ++k)
    dist[model::EventKindName(static_cast<model::EventKind>(k))] =
        r.stats.events[k];
  j["generated"] = {{"events", dist},
                    {"host_unbind_with_bound_peripherals",
                     r.stats.host_unbind_with_bound_peripherals},
                    {"rebinds", r.stats.rebinds}};
  j["findings"] = nlohmann::json::array();
  for (const Finding& f : r.findings) {
    j["findings"].push_back({{"title", f.title},
                             {"property", f.property},
                             {"events", f.shrunk_events},
                             {"scenario", f.text},
                             {"file", f.path.empty() ? nlohmann::json(nullptr)
                                                     : nlohmann::json(f.path)},
                             {"run", f.run},
                             {"original_events", f.original_events},
                             {"shrunk_events", f.shrunk_events},
                             {"shrunk_devices", f.shrunk_devices},
                             {"one_minimal", f.one_minimal}});
  }
  if (coverage != nullptr) j["coverage"] = CoverageJson(*coverage);
  return j;
}

}  // namespace

int FuzzCommand(const std::vector<std::string>& args) {
  FuzzOptions o;
  bool seeded = false;
  bool coverage = false;
  uint64_t coverage_depth = 6;
  std::string report_dir;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string v, error;
    auto number = [&](const char* flag, uint64_t lo, uint64_t hi,
                      uint64_t* out) {
      return TakeNumber(flag, v, lo, hi, out, &error);
    };
    uint64_t n = 0;
    if (TakeValue(args, i, "--variant", &v, &error)) {
      if (!CheckVariant(v, &error)) return Usage(error);
      o.variant = v;
    } else if (TakeValue(args, i, "--seed", &v, &error)) {
      if (!number("--seed", 0, UINT64_MAX, &o.seed)) return Usage(error);
      seeded = true;
    } else if (TakeValue(args, i, "--runs", &v, &error)) {
      if (!number("--runs", 1, 1000000000000ull, &o.runs)) return Usage(error);
    } else if (TakeValue(args, i, "--max-events", &v, &error)) {
      if (!number("--max-events", 1, 10000, &n)) return Usage(error);
      o.max_events = static_cast<int>(n);
    } else if (TakeValue(args, i, "--jobs", &v, &error)) {
      if (!number("--jobs", 1, 256, &n)) return Usage(error);
      o.jobs = static_cast<int>(n);
    } else if (TakeValue(args, i, "--property", &v, &error)) {
      if (!CheckProperty(v, &error)) return Usage(error);
      o.properties.push_back(v);
    } else if (TakeValue(args, i, "--topology", &v, &error)) {
      absl::StatusOr<Scenario> s = LoadScenario(v);
      if (!s.ok()) {
        std::cerr << "dsifuzz: " << s.status().message() << "\n";
        return 2;
      }
      o.topology = s->topology;
      o.topology_path = v;
    } else if (TakeValue(args, i, "--out", &v, &error)) {
      o.out = v;
    } else if (TakeValue(args, i, "--report", &v, &error)) {
      report_dir = v;
    } else if (TakeValue(args, i, "--coverage-depth", &v, &error)) {
      if (!number("--coverage-depth", 0, 12, &coverage_depth))
        return Usage(error);
      coverage = true;
    } else if (args[i] == "--coverage") {
      coverage = true;
    } else if (args[i] == "--json") {
      o.json = true;
    } else {
      return Usage(error.empty() ? "unknown argument '" + args[i] + "' for fuzz"
                                 : error);
    }
    if (!error.empty()) return Usage(error);
  }
  if (!seeded) o.seed = std::random_device{}();
  // The HTML report always has the coverage table.
  o.coverage = coverage || !report_dir.empty();
  o.progress = !o.json && isatty(STDERR_FILENO);
  std::ostream& log = o.json ? std::cerr : std::cout;
  log << "dsifuzz fuzz: variant " << o.variant << ", seed " << o.seed << ", "
      << o.runs << " runs of up to " << o.max_events << " events"
      << (o.topology ? ", topology of " + o.topology_path : "") << "\n";
  std::signal(SIGINT, OnSigint);
  FuzzResult r = dsifuzz::Fuzz(o, &g_stop, log);
  std::signal(SIGINT, SIG_DFL);

  // On a fixed topology the explorer says what is reachable.
  CoverageTable table;
  if (o.coverage) {
    Coverage reachable;
    std::string reference;
    if (o.topology) {
      reachable = ReachableCoverage(*o.topology, o.variant,
                                    static_cast<int>(coverage_depth));
      reference = absl::StrCat("explorer (", o.variant, ", ", coverage_depth,
                               " events, topology of ", o.topology_path, ")");
    }
    table = MakeCoverageTable(r.coverage, o.topology ? &reachable : nullptr,
                              reference);
  }
  const nlohmann::json j = FuzzJson(o, r, o.coverage ? &table : nullptr);
  if (o.json) {
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << r.cases << " cases, " << r.events << " events"
              << (r.interrupted ? " (interrupted)" : "") << "; generated: ";
    for (int k = 0; k < 9; ++k)
      std::cout << (k ? ", " : "")
                << model::EventKindName(static_cast<model::EventKind>(k)) << " "
                << r.stats.events[k];
    std::cout << "; host unbinds with bound peripherals "
              << r.stats.host_unbind_with_bound_peripherals << ", rebinds "
              << r.stats.rebinds << "\n";
    for (const Finding& f : r.findings) {
      std::cout << "BUG: " << f.title << "  [" << f.property << "] "
                << f.original_events << " -> " << f.shrunk_events << " events"
                << (f.one_minimal ? ", 1-minimal" : "") << ": "
                << (f.path.empty() ? "(not written)" : f.path) << "\n";
    }
    if (r.findings.empty()) std::cout << "no property failed\n";
    if (coverage) std::cout << FormatCoverage(table);
  }
  if (!report_dir.empty()) {
    RunReport rep;
    rep.command = "fuzz";
    rep.parameters = {{"variant", o.variant},
                      {"seed", absl::StrCat(o.seed)},
                      {"runs", absl::StrCat(o.runs)},
                      {"max events", absl::StrCat(o.max_events)},
                      {"topology", o.topology ? o.topology_path : "random"},
                      {"jobs", absl::StrCat(o.jobs)}};
    rep.summary = absl::StrCat(r.cases, " cases, ", r.events, " events",
                               r.interrupted ? " (interrupted)" : "", "; ",
                               r.findings.size(), " distinct failures");
    for (const Finding& f : r.findings)
      rep.findings.push_back(
          ReportFinding{f.title, f.property, f.path, f.text, f.shrunk, {}});
    rep.coverage = table;
    rep.json = j;
    absl::Status st = WriteHtmlReport(report_dir, rep);
    if (!st.ok()) {
      std::cerr << "dsifuzz: " << st.message() << "\n";
      return 2;
    }
    log << "report: " << report_dir << "/index.html\n";
  }
  return r.findings.empty() ? 0 : 1;
}

}  // namespace dsifuzz
