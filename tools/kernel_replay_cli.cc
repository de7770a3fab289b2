// `dsifuzz kernel-replay`: each scenario on the upstream model and on a real
// KASAN kernel under qemu, first reports side by side (tools/kernel_replay.h;
// docs/kernel-replay.md). The kernel and the boot are kernel/*.sh.
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "tools/cli.h"
#include "tools/fuzz.h"
#include "tools/kernel_replay.h"

#ifndef DSIFUZZ_SOURCE_DIR
#error "DSIFUZZ_SOURCE_DIR: the source tree, where kernel/*.sh are"
#endif

namespace dsifuzz {
namespace {

namespace fs = std::filesystem;

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// Runs a shell command; its stdout, or nullopt (after a message) on failure.
std::optional<std::string> Run(const std::string& cmd) {
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return std::nullopt;
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int rc = pclose(p);
  if (rc != 0) return std::nullopt;
  return out;
}

std::string EventName(const KernelCase& c, int event) {
  if (event < 0) return "after the events";
  if (event < static_cast<int>(c.event_texts.size()))
    return absl::StrCat("event ", event, ": ", c.event_texts[event]);
  return absl::StrCat("event ", event);
}

struct Options {
  std::string kdir;  // --kdir: a built kernel; else build-kernel.sh
  std::string work;  // --work: keep each run's files under it
  std::string scripts = std::string(DSIFUZZ_SOURCE_DIR) + "/kernel";
  uint64_t timeout = 180;
  bool plan_only = false;  // --plan: print the module header, run nothing
  // --random N: write N random scenarios the kernel can express into
  // --out (RandomKernelScenario), then replay them.
  uint64_t random = 0;
  uint64_t seed = 1;
  uint64_t max_events = kRandomKernelEvents;
  std::string out = "kernel-random";
  bool random_flags = false;  // --seed, --max-events or --out given
};

constexpr char kHelp[] =
    "usage: dsifuzz kernel-replay [--kdir DIR] [--work DIR] [--timeout S]\n"
    "                             [--plan] FILE_OR_DIR...\n"
    "       dsifuzz kernel-replay --random N [--seed S] [--max-events N]\n"
    "                             [--out DIR] [...]\n"
    "Replays each scenario on the upstream-6.11 model and, as a generated\n"
    "kernel module, on Debian's Linux 6.1 with KASAN and kmemleak under\n"
    "qemu, and prints both first reports. The first run builds the kernel\n"
    "(about 3 minutes) into ~/.cache/dsifuzz ($DSIFUZZ_CACHE).\n"
    "  --kdir DIR   a kernel built by kernel/build-kernel.sh (default: build\n"
    "               or reuse the cached one)\n"
    "  --work DIR   keep each scenario's module, initramfs and console log in\n"
    "               DIR/NAME (default: a temporary directory, kept only when\n"
    "               the verdicts disagree)\n"
    "  --timeout S  qemu's time limit per scenario (default 180)\n"
    "  --plan       print the module's generated header, boot nothing\n"
    "  --random N   first write N random scenarios that the kernel can\n"
    "               express to DIR/r000.dsi... (the same seed, the same\n"
    "               files; DIR must hold no scenario yet), then replay them\n"
    "  --seed S     the seed of --random (default 1)\n"
    "  --max-events N\n"
    "               the longest --random scenario (3 or more; default 14)\n"
    "  --out DIR    where --random writes (default kernel-random)\n"
    "A scenario the kernel cannot express is listed with the reason.\n"
    "Exit: 0 when every verdict agrees, 1 when one disagrees, 2 on a bad\n"
    "file, bad usage, or a kernel that could not be built or booted.\n";

// What the scenarios of one command came to, for its last lines.
struct Tally {
  int agree = 0;
  int disagree = 0;
  int not_expressible = 0;
  // The kernel's first reports: "clean", "WARNING in mipi_dsi_detach"...
  std::map<std::string, int> kernel;
};

// The lines that sum up a command's scenarios (more than one); those not
// counted in `t` were errors.
void PrintTally(const Tally& t, size_t files) {
  const size_t errors = files - t.agree - t.disagree - t.not_expressible;
  std::cout << "kernel-replay: " << files << " scenarios: " << t.agree
            << " agree, " << t.disagree << " disagree, " << t.not_expressible
            << " not expressible, " << errors << " errors\n";
  if (t.kernel.empty()) return;
  // Most frequent first; equal counts by name.
  std::vector<std::pair<int, std::string>> by_count;
  for (const auto& [what, n] : t.kernel) by_count.emplace_back(-n, what);
  std::sort(by_count.begin(), by_count.end());
  std::cout << "kernel first reports:";
  const char* sep = " ";
  for (const auto& [n, what] : by_count) {
    std::cout << sep << -n << " " << what;
    sep = ", ";
  }
  std::cout << "\n";
}

// One scenario, counted in `tally` unless it is an error; returns 0 (agree
// or not expressible), 1 or 2.
int ReplayOne(const std::string& path, const Options& o, std::string& kdir,
              Tally& tally) {
  absl::StatusOr<Scenario> s = LoadScenario(path);
  if (!s.ok()) {
    std::cerr << "dsifuzz: " << s.status().message() << "\n";
    return 2;
  }
  absl::StatusOr<KernelCase> c = PlanKernelReplay(*s);
  if (!c.ok()) {
    std::cerr << "dsifuzz: " << c.status().message() << "\n";
    return 2;
  }
  if (o.plan_only) {
    std::cout << c->header;
    return 0;
  }
  std::cout << "== " << path << " (model " << kKernelVariant
            << ", kernel Linux 6.1 KASAN)\n";
  if (!c->unsupported.empty()) {
    for (const std::string& why : c->unsupported)
      std::cout << "not expressible: " << why << "\n";
    std::cout << path << ": not expressible on the kernel\n";
    ++tally.not_expressible;
    return 0;
  }
  if (kdir.empty()) {
    std::optional<std::string> out = Run(Quote(o.scripts + "/build-kernel.sh"));
    if (!out) {
      std::cerr << "dsifuzz: kernel/build-kernel.sh failed\n";
      return 2;
    }
    kdir = std::string(absl::StripAsciiWhitespace(*out));
  }
  std::error_code ec;
  fs::path work;
  bool temporary = o.work.empty();
  if (temporary) {
    std::string tmpl = (fs::temp_directory_path() / "dsifuzz-kernel-XXXXXX");
    if (mkdtemp(tmpl.data()) == nullptr) {
      std::cerr << "dsifuzz: cannot make a temporary directory\n";
      return 2;
    }
    work = tmpl;
  } else {
    work = fs::path(o.work) / fs::path(path).stem();
    fs::create_directories(work, ec);
  }
  {
    std::ofstream h(work / "dsifuzz_scenario.h");
    h << c->header;
  }
  const auto start = std::chrono::steady_clock::now();
  if (!Run(absl::StrCat(Quote(o.scripts + "/run-replay.sh"), " ", Quote(kdir),
                        " ", Quote(work.string()), " ", o.timeout, " >&2"))) {
    std::cerr << "dsifuzz: " << path << ": kernel/run-replay.sh failed; see "
              << work.string() << "\n";
    return 2;
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  std::ifstream in(work / "console.log");
  std::stringstream console;
  console << in.rdbuf();
  absl::StatusOr<FirstReport> k = ParseKernelConsole(console.str());
  if (!k.ok()) {
    std::cerr << "dsifuzz: " << path << ": " << k.status().message()
              << "; the console is " << (work / "console.log").string() << "\n";
    return 2;
  }
  for (const std::string& m : c->model_only)
    std::cout << "model only: " << m << " (no kernel check)\n";
  std::cout << "model:  " << c->model.title;
  if (c->model.cls != FirstReport::Class::kClean)
    std::cout << " (" << EventName(*c, c->model.event) << ")";
  std::cout << "\nkernel: " << k->title;
  if (k->cls != FirstReport::Class::kClean)
    std::cout << " (" << EventName(*c, k->event) << ")";
  std::cout << "\n";
  const Agreement a = CompareReports(c->model, *k);
  ++(a.agree ? tally.agree : tally.disagree);
  ++tally.kernel[k->cls == FirstReport::Class::kClean
                     ? std::string("clean")
                     : absl::StrCat(ClassName(k->cls), " in ", k->function)];
  std::cout << path << ": " << (a.agree ? "agree" : "DISAGREE")
            << (a.note.empty() ? "" : ": " + a.note) << "\n";
  std::cerr << "kernel-replay: " << path << ": "
            << absl::StrFormat("%.1f", secs) << " s\n";
  if (temporary && a.agree) {
    fs::remove_all(work, ec);
  } else if (!a.agree) {
    std::cout << "the module, the initramfs and the console are in "
              << work.string() << "\n";
  }
  return a.agree ? 0 : 1;
}

// --random: the scenarios, written to o.out as r000.dsi, r001.dsi...;
// their paths in `files`. False, after a message, if o.out cannot be made
// or holds scenarios already (a file is never replaced).
bool WriteRandom(const Options& o, std::vector<std::string>& files) {
  std::error_code ec;
  fs::create_directories(o.out, ec);
  if (ec || !fs::is_directory(o.out)) {
    std::cerr << "dsifuzz: cannot make the directory " << o.out << "\n";
    return false;
  }
  for (const fs::directory_entry& f : fs::directory_iterator(o.out, ec)) {
    if (f.path().extension() == ".dsi") {
      std::cerr << "dsifuzz: " << o.out
                << " holds scenarios already; --random writes into a "
                   "directory without any\n";
      return false;
    }
  }
  const int width = o.random > 1000 ? 5 : 3;
  for (uint64_t i = 0; i < o.random; ++i) {
    absl::StatusOr<Scenario> s =
        RandomKernelScenario(o.seed, i, static_cast<int>(o.max_events));
    if (!s.ok()) {
      std::cerr << "dsifuzz: " << s.status().message() << "\n";
      return false;
    }
    // The format line first, then where the file comes from.
    std::string text = FormatScenario(*s);
    text.insert(
        text.find('\n') + 1,
        absl::StrCat("# dsifuzz kernel-replay --random: scenario ", i,
                     " of seed ", o.seed,
                     o.max_events == kRandomKernelEvents
                         ? std::string()
                         : absl::StrCat(", --max-events ", o.max_events),
                     "\n"));
    const std::string name = absl::StrFormat("r%0*d", width, i);
    const std::string path =
        WriteNewFile(o.out, name, [&](const std::string&) { return text; });
    if (path.empty()) {
      std::cerr << "dsifuzz: cannot write " << name << ".dsi in " << o.out
                << "\n";
      return false;
    }
    files.push_back(path);
  }
  std::cerr << "kernel-replay: " << o.random << " random scenarios (seed "
            << o.seed << ") in " << o.out << "\n";
  return true;
}

}  // namespace

int KernelReplayCommand(const std::vector<std::string>& args) {
  Options o;
  std::vector<std::string> paths;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    std::string value, error;
    if (a == "--help" || a == "-h") {
      std::cout << kHelp;
      return 0;
    }
    if (a == "--plan") {
      o.plan_only = true;
    } else if (TakeValue(args, i, "--kdir", &value, &error)) {
      if (!error.empty()) return Usage(error);
      o.kdir = value;
    } else if (TakeValue(args, i, "--work", &value, &error)) {
      if (!error.empty()) return Usage(error);
      o.work = value;
    } else if (TakeValue(args, i, "--timeout", &value, &error)) {
      if (!error.empty() ||
          !TakeNumber("--timeout", value, 10, 3600, &o.timeout, &error))
        return Usage(error);
    } else if (TakeValue(args, i, "--random", &value, &error)) {
      if (!error.empty() ||
          !TakeNumber("--random", value, 1, 100000, &o.random, &error))
        return Usage(error);
    } else if (TakeValue(args, i, "--seed", &value, &error)) {
      if (!error.empty() ||
          !TakeNumber("--seed", value, 0, UINT64_MAX, &o.seed, &error))
        return Usage(error);
      o.random_flags = true;
    } else if (TakeValue(args, i, "--max-events", &value, &error)) {
      if (!error.empty() ||
          !TakeNumber("--max-events", value, 3, 1000, &o.max_events, &error))
        return Usage(error);
      o.random_flags = true;
    } else if (TakeValue(args, i, "--out", &value, &error)) {
      if (!error.empty()) return Usage(error);
      o.out = value;
      o.random_flags = true;
    } else if (!error.empty()) {
      return Usage(error);  // a flag without its value
    } else if (a.rfind("--", 0) == 0) {
      return Usage("unknown flag '" + a + "' for kernel-replay");
    } else {
      paths.push_back(a);
    }
  }
  std::vector<std::string> files;
  if (o.random > 0) {
    if (!paths.empty())
      return Usage("kernel-replay --random takes no FILE or DIR");
    if (!WriteRandom(o, files)) return 2;
  } else {
    if (o.random_flags)
      return Usage("--seed, --max-events and --out go with --random N");
    if (paths.empty())
      return Usage("kernel-replay needs at least one FILE or DIR");
    if (!ExpandScenarioPaths(paths, files)) return 2;
  }
  std::string kdir = o.kdir;
  int status = 0;
  Tally tally;
  for (const std::string& f : files)
    status = std::max(status, ReplayOne(f, o, kdir, tally));
  if (files.size() > 1 && !o.plan_only) PrintTally(tally, files.size());
  return status;
}

}  // namespace dsifuzz
