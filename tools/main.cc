// dsifuzz: the command line.
//
//   dsifuzz fuzz [--variant V] [--seed N] [--runs N] [--max-events N]
//                [--property P]... [--topology FILE] [--out DIR] [--jobs N]
//                [--json] [--coverage] [--coverage-depth N] [--report DIR]
//   dsifuzz replay [--no-trace] [--quiet] [--json] [--variant V]
//                  FILE_OR_DIR...
//   dsifuzz matrix [--variant V]... [--property P]... [--seed N] [--runs N]
//                  [--max-events N] [--jobs N] [--corpus DIR_OR_FILE]...
//                  [--format text|markdown|json] [--json] [--write DIR]
//                  [--report DIR]
//   dsifuzz explore --topology FILE [--variant V] [--depth N]
//                   [--property P]... [--max-states N] [--max-seconds N]
//                   [--max-memory MIB] [--symmetry] [--out DIR] [--json]
//                   [--coverage] [--report DIR]
//   dsifuzz kernel-replay [--kdir DIR] [--work DIR] [--timeout S] [--plan]
//                         FILE_OR_DIR...
//   dsifuzz render FILE --svg OUT [--variant V]
//
// Exit status: 0 when every scenario's outcome matches its expect lines
// on every variant it names, 1 on a mismatch, 2 on a malformed file, an
// event that does not apply, or bad usage. Flags are parsed here rather
// than with absl::ParseCommandLine, which exits with status 1 on an unknown
// flag.
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "nlohmann/json.hpp"
#include "properties/property.h"
#include "tools/cli.h"
#include "tools/explore.h"
#include "tools/render.h"
#include "tools/report.h"
#include "tools/scenario.h"

namespace dsifuzz {
namespace {

constexpr char kUsage[] =
    "usage: dsifuzz fuzz [--variant V] [--seed N] [--runs N] [--max-events N]\n"
    "                    [--property P]... [--topology FILE] [--out DIR]\n"
    "                    [--jobs N] [--json] [--coverage]\n"
    "                    [--coverage-depth N] [--report DIR]\n"
    "       dsifuzz replay [--no-trace] [--quiet] [--json] [--variant V]\n"
    "                      FILE_OR_DIR...\n"
    "       dsifuzz matrix [--variant V]... [--property P]... [--seed N]\n"
    "                      [--runs N] [--max-events N] [--jobs N]\n"
    "                      [--corpus DIR_OR_FILE]... [--write DIR]\n"
    "                      [--format text|markdown|json] [--json]\n"
    "                      [--report DIR]\n"
    "       dsifuzz explore --topology FILE [--variant V] [--depth N]\n"
    "                       [--property P]... [--max-states N]\n"
    "                       [--max-seconds N] [--max-memory MIB] [--symmetry]\n"
    "                       [--out DIR] [--json] [--coverage] [--report DIR]\n"
    "       dsifuzz kernel-replay [--kdir DIR] [--work DIR] [--timeout S]\n"
    "                             [--plan] FILE_OR_DIR...\n"
    "       dsifuzz kernel-replay --random N [--seed S] [--out DIR] [...]\n"
    "       dsifuzz render FILE --svg OUT [--variant V]\n"
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
    "  --json          print the result as JSON on stdout (docs/json.md)\n"
    "  --coverage      print the model states and (state, event)\n"
    "                  transitions the walks took; on a --topology, against\n"
    "                  what the explorer reaches in --coverage-depth N\n"
    "                  events (default 6)\n"
    "  --report DIR    write DIR/index.html (findings, timelines, coverage)\n"
    "                  and DIR/report.json\n"
    "Exit: 1 when a property fails, 0 when none does, 2 on bad usage.\n"
    "\n"
    "replay: replays scenario files (a directory means every *.dsi in it,\n"
    "sorted) on each variant they name, in file order: prints each event\n"
    "with the model calls it made, one KASAN-shaped report per distinct\n"
    "violation, and the outcome against the variant's expect line\n"
    "(\"FILE [VARIANT]:\" when the file names several variants).\n"
    "  --no-trace   do not print the per-event call trace\n"
    "  --quiet      print only the outcome lines\n"
    "  --json       print the runs, their reports and outcomes as JSON\n"
    "               (docs/json.md); the outcome lines go to stderr\n"
    "  --variant V  replay on V instead of the variants the files name; an\n"
    "               outcome is compared only if the file names V\n"
    "Exit: 0 all outcomes as expected, 1 a mismatch, 2 bad input or usage.\n"
    "\n"
    "matrix: every variant (or those named) against every property (or\n"
    "those named). A cell is ok, or the shortest counterexample found by a\n"
    "fuzz campaign counting that property alone (--seed, default 1; --runs,\n"
    "default 20000) or by a --corpus scenario replayed on the variant; on\n"
    "equal length the corpus file wins. --write DIR saves the counterexample\n"
    "of each failing cell that no corpus file holds, as a scenario with an\n"
    "expect line for every variant. --json is --format json; --report DIR\n"
    "writes the matrix, its counterexamples and timelines as DIR/index.html.\n"
    "Progress goes to stderr.\n"
    "Exit: 0 the table was printed, 2 bad input or usage.\n"
    "\n"
    "explore: breadth-first search over every world state reached by\n"
    "enabled events (faults included) on the devices of --topology FILE,\n"
    "states that differ only by history merged. Prints the shortest failing\n"
    "sequence of each violated property (written as a scenario to DIR,\n"
    "default explore/), or \"no violation up to depth N\", or \"no violation\n"
    "at any depth\" at a fixed point. Progress, timing and memory go to\n"
    "stderr.\n"
    "  --depth N          longest sequence (default: until no new state)\n"
    "  --max-states N     stop after N distinct states (default 100000000)\n"
    "  --max-seconds N    stop after N seconds\n"
    "  --max-memory MIB   stop once the peak resident memory exceeds MIB\n"
    "  --symmetry         fold bridges that differ only in name and channel\n"
    "  --coverage         search every depth, findings or not, and print the\n"
    "                     model states and transitions it took\n"
    "  --report DIR       write DIR/index.html and DIR/report.json\n"
    "Exit: 1 when a property fails, 0 when none does, 2 on bad usage.\n"
    "\n"
    "kernel-replay: each scenario on the upstream model and, as a generated\n"
    "kernel module, on Linux 6.1 with KASAN under qemu; prints both first\n"
    "reports (dsifuzz kernel-replay --help; docs/kernel-replay.md). With\n"
    "--random N, first writes N random scenarios the kernel can express.\n"
    "Exit: 1 when they disagree, 0 when none does, 2 on bad input.\n"
    "\n"
    "render: draws a scenario's run (on its first variant, or V) as an SVG\n"
    "timeline: a lane per object, lifetimes, reference counts, attachment,\n"
    "bad accesses and WARNs, call chains on hover.\n"
    "Exit: 0 written, 2 bad input or usage.\n";

int Render(const std::vector<std::string>& args) {
  std::string svg_path, variant, file;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string value, error;
    if (TakeValue(args, i, "--svg", &value, &error)) {
      if (!error.empty()) return Usage(error);
      svg_path = value;
    } else if (TakeValue(args, i, "--variant", &value, &error)) {
      if (!error.empty() || !CheckVariant(value, &error)) return Usage(error);
      variant = value;
    } else if (!error.empty()) {
      return Usage(error);  // a flag without its value
    } else if (args[i].rfind("--", 0) == 0) {
      return Usage("unknown flag '" + args[i] + "' for render");
    } else if (!file.empty()) {
      return Usage("render takes one FILE");
    } else {
      file = args[i];
    }
  }
  if (file.empty()) return Usage("render needs a FILE");
  if (svg_path.empty()) return Usage("render needs --svg OUT");
  absl::StatusOr<Scenario> s = LoadScenario(file);
  if (!s.ok()) {
    std::cerr << "dsifuzz: " << s.status().message() << "\n";
    return 2;
  }
  absl::StatusOr<std::string> svg =
      RenderTimelineSvg(*s, variant.empty() ? s->variant() : variant);
  if (!svg.ok()) {
    std::cerr << "dsifuzz: " << svg.status().message() << "\n";
    return 2;
  }
  std::ofstream out(svg_path);
  out << *svg;
  if (!out.flush()) {
    std::cerr << "dsifuzz: cannot write " << svg_path << "\n";
    return 2;
  }
  return 0;
}

int Replay(const std::vector<std::string>& args) {
  bool trace = true, quiet = false, json = false;
  std::string only;  // --variant V: replay every file on V alone
  std::vector<std::string> paths;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--no-trace") {
      trace = false;
    } else if (a == "--quiet") {
      quiet = true;
      trace = false;
    } else if (a == "--json") {
      json = true;
    } else if (a == "--variant" || a.rfind("--variant=", 0) == 0) {
      if (!only.empty()) return Usage("--variant is given twice");
      if (a == "--variant" && i + 1 >= args.size())
        return Usage("--variant needs a value");
      only = a == "--variant" ? args[++i] : a.substr(sizeof("--variant=") - 1);
      std::string error;
      if (!CheckVariant(only, &error)) return Usage(error);
    } else if (a.rfind("--", 0) == 0) {
      return Usage("unknown flag '" + a + "' for replay");
    } else {
      paths.push_back(a);
    }
  }
  if (paths.empty()) return Usage("replay needs at least one FILE or DIR");
  std::vector<std::string> files;
  if (!ExpandScenarioPaths(paths, files)) return 2;
  if (json) {
    quiet = true;
    trace = false;
  }
  int status = 0;
  // The JSON document (docs/json.md): one entry per file and variant.
  nlohmann::json doc = {
      {"version", 1}, {"command", "replay"}, {"runs", nlohmann::json::array()}};
  uint64_t mismatches = 0, errors = 0;
  // Text output goes to stdout, or with --json to stderr.
  std::ostream& text = json ? std::cerr : std::cout;
  for (const std::string& path : files) {
    absl::StatusOr<Scenario> s = LoadScenario(path);
    if (!s.ok()) {
      std::cerr << "dsifuzz: " << s.status().message() << "\n";
      status = 2;
      ++errors;
      continue;
    }
    const std::vector<std::string> variants =
        only.empty() ? s->VariantNames() : std::vector<std::string>{only};
    const bool labelled = !only.empty() || s->variants.size() > 1;
    for (const std::string& variant : variants) {
      absl::StatusOr<RunResult> r = RunScenario(*s, variant, trace);
      if (!r.ok()) {
        std::cerr << "dsifuzz: " << r.status().message()
                  << (labelled ? " (on variant " + variant + ")" : "") << "\n";
        status = 2;
        ++errors;
        continue;
      }
      if (!quiet) {
        std::cout << "== " << path << " (variant " << variant << ", "
                  << s->events.size() << " events)\n";
        std::cout << r->trace;
        for (size_t i = 0; i < r->violations.size(); ++i) {
          std::cout << "\n" << FormatReport(r->violations[i], r->event_texts);
          if (r->repeats[i] > 0)
            std::cout << "(" << r->repeats[i] << " more with this title)\n";
        }
        std::cout << "\n";
      }
      // A variant the file does not name (--variant) is not compared.
      const Expectation* want = s->ExpectationFor(variant);
      bool match = want == nullptr || OutcomeMatches(*want, *r);
      std::string got =
          r->failed.empty() ? "clean" : absl::StrJoin(r->failed, " ");
      std::string expected = "(not compared: the file does not name it)";
      if (want != nullptr)
        expected = want->given() ? FormatExpectation(*want)
                                 : std::string("(no expect lines)");
      text << path << (labelled ? " [" + variant + "]" : "") << ": "
           << (match ? "ok" : "MISMATCH") << ": failed: " << got
           << "; expected: " << expected << "\n";
      if (!match && status == 0) status = 1;
      if (!match) ++mismatches;
      if (json) {
        nlohmann::json findings = nlohmann::json::array();
        for (size_t i = 0; i < r->violations.size(); ++i) {
          const Violation& v = r->violations[i];
          findings.push_back({{"title", v.Title()},
                              {"property", v.property},
                              {"event", v.event},
                              {"teardown", v.teardown},
                              {"repeats", r->repeats[i]},
                              {"report", FormatReport(v, r->event_texts)}});
        }
        doc["runs"].push_back(
            {{"file", path},
             {"variant", variant},
             {"events", s->events.size()},
             {"scenario", FormatScenario(*s)},
             {"outcome", want == nullptr ? "not compared"
                         : match         ? "ok"
                                         : "mismatch"},
             {"failed", r->failed},
             {"expected", want != nullptr && want->given()
                              ? nlohmann::json(FormatExpectation(*want))
                              : nlohmann::json(nullptr)},
             {"findings", std::move(findings)}});
      }
    }
  }
  if (json) {
    doc["counts"] = {{"files", files.size()},
                     {"runs", doc["runs"].size()},
                     {"mismatches", mismatches},
                     {"errors", errors}};
    std::cout << doc.dump(2) << "\n";
  }
  return status;
}

int Main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return Usage("missing command");
  std::string cmd = args[0];
  args.erase(args.begin());
  if (cmd == "replay") return Replay(args);
  if (cmd == "fuzz") return FuzzCommand(args);
  if (cmd == "matrix") return MatrixCommand(args);
  if (cmd == "explore") return ExploreCommand(args);
  if (cmd == "kernel-replay") return KernelReplayCommand(args);
  if (cmd == "render") return Render(args);
  if (cmd == "--help" || cmd == "help" || cmd == "-h") {
    std::cout << kUsage;
    return 0;
  }
  return Usage(
      "unknown command '" + cmd +
      "': expected fuzz, replay, matrix, explore, kernel-replay or render");
}

}  // namespace

int Usage(const std::string& error) {
  std::cerr << "dsifuzz: " << error << "\n\n" << kUsage;
  return 2;
}

}  // namespace dsifuzz

int main(int argc, char** argv) { return dsifuzz::Main(argc, argv); }
