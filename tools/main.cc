// dsifuzz: the command line.
//
//   dsifuzz fuzz [--variant V] [--seed N] [--runs N] [--max-events N]
//                [--property P]... [--topology FILE] [--out DIR] [--jobs N]
//                [--json]
//   dsifuzz replay [--no-trace] [--quiet] FILE_OR_DIR...
//
// Exit status: 0 when every scenario's outcome matches its expect lines,
// 1 on a mismatch, 2 on a malformed file, an event that does not apply, or
// bad usage. Flags are parsed here rather than with absl::ParseCommandLine,
// which exits with status 1 on an unknown flag.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "model/world.h"
#include "nlohmann/json.hpp"
#include "properties/property.h"
#include "tools/fuzz.h"
#include "tools/report.h"
#include "tools/scenario.h"

namespace dsifuzz {
namespace {

constexpr char kUsage[] =
    "usage: dsifuzz fuzz [--variant V] [--seed N] [--runs N] [--max-events N]\n"
    "                    [--property P]... [--topology FILE] [--out DIR]\n"
    "                    [--jobs N] [--json]\n"
    "       dsifuzz replay [--no-trace] [--quiet] FILE_OR_DIR...\n"
    "\n"
    "fuzz: generates random topologies (or uses the devices of --topology\n"
    "FILE) and event sequences from a seed (printed; random when not given),\n"
    "judges them against the properties (all, or those named by --property),\n"
    "shrinks each distinct failure to a 1-minimal scenario and writes it to\n"
    "DIR (default findings/), never replacing a file. Ctrl-C stops the\n"
    "search and still writes what was found.\n"
    "  --variant V     kernel variant (default upstream-6.11)\n"
    "  --runs N        cases to generate (default 10000)\n"
    "  --max-events N  longest event sequence (default 24)\n"
    "  --jobs N        threads, each on its own share of the runs (default 1)\n"
    "  --json          print the result as JSON on stdout\n"
    "Exit: 1 when a property fails, 0 when none does, 2 on bad usage.\n"
    "\n"
    "Replays scenario files (a directory means every *.dsi in it, sorted):\n"
    "prints each event with the model calls it made, one KASAN-shaped\n"
    "report per distinct violation, and the outcome against the file's\n"
    "expect lines.\n"
    "  --no-trace  do not print the per-event call trace\n"
    "  --quiet     print only the outcome line of each file\n"
    "Exit: 0 all outcomes as expected, 1 a mismatch, 2 bad input or usage.\n";

int Usage(const std::string& error) {
  std::cerr << "dsifuzz: " << error << "\n\n" << kUsage;
  return 2;
}

// Expands directories into their *.dsi files.
bool Expand(const std::vector<std::string>& args,
            std::vector<std::string>& out) {
  namespace fs = std::filesystem;
  for (const std::string& a : args) {
    std::error_code ec;
    if (fs::is_directory(a, ec)) {
      std::vector<std::string> files;
      for (const auto& entry : fs::directory_iterator(a, ec)) {
        if (entry.path().extension() == ".dsi")
          files.push_back(entry.path().string());
      }
      std::sort(files.begin(), files.end());
      if (files.empty()) {
        std::cerr << "dsifuzz: " << a << ": no *.dsi files in this directory\n";
        return false;
      }
      out.insert(out.end(), files.begin(), files.end());
    } else {
      out.push_back(a);
    }
  }
  return true;
}

int Replay(const std::vector<std::string>& args) {
  bool trace = true, quiet = false;
  std::vector<std::string> paths;
  for (const std::string& a : args) {
    if (a == "--no-trace") {
      trace = false;
    } else if (a == "--quiet") {
      quiet = true;
      trace = false;
    } else if (a.rfind("--", 0) == 0) {
      return Usage("unknown flag '" + a + "' for replay");
    } else {
      paths.push_back(a);
    }
  }
  if (paths.empty()) return Usage("replay needs at least one FILE or DIR");
  std::vector<std::string> files;
  if (!Expand(paths, files)) return 2;
  int status = 0;
  for (const std::string& path : files) {
    absl::StatusOr<Scenario> s = LoadScenario(path);
    if (!s.ok()) {
      std::cerr << "dsifuzz: " << s.status().message() << "\n";
      status = 2;
      continue;
    }
    absl::StatusOr<RunResult> r = RunScenario(*s, trace);
    if (!r.ok()) {
      std::cerr << "dsifuzz: " << r.status().message() << "\n";
      status = 2;
      continue;
    }
    if (!quiet) {
      std::cout << "== " << path << " (variant " << s->variant << ", "
                << s->events.size() << " events)\n";
      std::cout << r->trace;
      for (size_t i = 0; i < r->violations.size(); ++i) {
        std::cout << "\n" << FormatReport(r->violations[i], r->event_texts);
        if (r->repeats[i] > 0)
          std::cout << "(" << r->repeats[i] << " more with this title)\n";
      }
      std::cout << "\n";
    }
    bool match = OutcomeMatches(*s, *r);
    std::string got =
        r->failed.empty() ? "clean" : absl::StrJoin(r->failed, " ");
    std::string want = !s->has_expect()  ? "(no expect lines)"
                       : s->expect_clean ? "clean"
                                         : absl::StrJoin(s->expect, " ");
    std::cout << path << ": " << (match ? "ok" : "MISMATCH")
              << ": failed: " << got << "; expected: " << want << "\n";
    if (!match && status == 0) status = 1;
  }
  return status;
}

std::atomic<bool> g_stop{false};
void OnSigint(int) { g_stop.store(true); }

// --name=value or --name value; returns false and sets *error when the
// value is missing.
bool TakeValue(const std::vector<std::string>& args, size_t& i,
               const std::string& name, std::string* value,
               std::string* error) {
  const std::string& a = args[i];
  if (a.rfind(name + "=", 0) == 0) {
    *value = a.substr(name.size() + 1);
    return true;
  }
  if (a == name) {
    if (i + 1 >= args.size()) {
      *error = name + " needs a value";
      return false;
    }
    *value = args[++i];
    return true;
  }
  return false;
}

int Fuzz(const std::vector<std::string>& args) {
  FuzzOptions o;
  bool seeded = false;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string v, error;
    auto number = [&](const char* flag, uint64_t lo, uint64_t hi,
                      uint64_t* out) {
      if (!absl::SimpleAtoi(v, out) || *out < lo || *out > hi) {
        error = std::string(flag) + "=" + v + ": expected a number from " +
                std::to_string(lo) + " to " + std::to_string(hi);
        return false;
      }
      return true;
    };
    uint64_t n = 0;
    if (TakeValue(args, i, "--variant", &v, &error)) {
      if (model::FindVariant(v) == nullptr)
        return Usage("--variant=" + v + ": expected one of " +
                     absl::StrJoin(model::VariantNames(), ", "));
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
      std::vector<std::string> known = PropertyNames();
      if (std::find(known.begin(), known.end(), v) == known.end())
        return Usage("--property=" + v + ": expected one of " +
                     absl::StrJoin(known, ", "));
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
    } else if (args[i] == "--json") {
      o.json = true;
    } else {
      return Usage(error.empty() ? "unknown argument '" + args[i] + "' for fuzz"
                                 : error);
    }
    if (!error.empty()) return Usage(error);
  }
  if (!seeded) o.seed = std::random_device{}();
  o.progress = !o.json && isatty(STDERR_FILENO);
  std::ostream& log = o.json ? std::cerr : std::cout;
  log << "dsifuzz fuzz: variant " << o.variant << ", seed " << o.seed << ", "
      << o.runs << " runs of up to " << o.max_events << " events"
      << (o.topology ? ", topology of " + o.topology_path : "") << "\n";
  std::signal(SIGINT, OnSigint);
  FuzzResult r = dsifuzz::Fuzz(o, &g_stop, log);
  std::signal(SIGINT, SIG_DFL);
  if (o.json) {
    nlohmann::json j;
    j["version"] = 1;
    j["variant"] = o.variant;
    j["seed"] = o.seed;
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
                               {"run", f.run},
                               {"original_events", f.original_events},
                               {"shrunk_events", f.shrunk_events},
                               {"shrunk_devices", f.shrunk_devices},
                               {"one_minimal", f.one_minimal},
                               {"file", f.path},
                               {"scenario", f.text}});
    }
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
  }
  return r.findings.empty() ? 0 : 1;
}

int Main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return Usage("missing command");
  std::string cmd = args[0];
  args.erase(args.begin());
  if (cmd == "replay") return Replay(args);
  if (cmd == "fuzz") return Fuzz(args);
  if (cmd == "--help" || cmd == "help" || cmd == "-h") {
    std::cout << kUsage;
    return 0;
  }
  return Usage("unknown command '" + cmd + "': expected fuzz or replay");
}

}  // namespace
}  // namespace dsifuzz

int main(int argc, char** argv) { return dsifuzz::Main(argc, argv); }
