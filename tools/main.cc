// dsifuzz: the command line.
//
//   dsifuzz replay [--no-trace] [--quiet] FILE_OR_DIR...
//
// Exit status: 0 when every scenario's outcome matches its expect lines,
// 1 on a mismatch, 2 on a malformed file, an event that does not apply, or
// bad usage. Flags are parsed here rather than with absl::ParseCommandLine,
// which exits with status 1 on an unknown flag.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "properties/property.h"
#include "tools/report.h"
#include "tools/scenario.h"

namespace dsifuzz {
namespace {

constexpr char kUsage[] =
    "usage: dsifuzz replay [--no-trace] [--quiet] FILE_OR_DIR...\n"
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

int Main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return Usage("missing command");
  std::string cmd = args[0];
  args.erase(args.begin());
  if (cmd == "replay") return Replay(args);
  if (cmd == "--help" || cmd == "help" || cmd == "-h") {
    std::cout << kUsage;
    return 0;
  }
  return Usage("unknown command '" + cmd + "': expected replay");
}

}  // namespace
}  // namespace dsifuzz

int main(int argc, char** argv) { return dsifuzz::Main(argc, argv); }
