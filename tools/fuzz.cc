#include "tools/fuzz.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "shrinkers/shrink.h"
#include "tools/judge.h"

namespace dsifuzz {

std::string Slug(const std::string& title) {
  std::string out;
  for (char c : title) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
                c == '-';
    if (c >= 'A' && c <= 'Z') {
      out += static_cast<char>(c - 'A' + 'a');
    } else if (keep) {
      out += c;
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "finding" : out;
}

std::string WriteNewFile(
    const std::string& dir, const std::string& name,
    const std::function<std::string(const std::string& path)>& render) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const std::string tmp =
      absl::StrCat(dir, "/.", name, ".tmp.", static_cast<long>(getpid()));
  for (int n = 1; n < 1000; ++n) {
    std::string path = n == 1 ? absl::StrCat(dir, "/", name, ".dsi")
                              : absl::StrCat(dir, "/", name, "-", n, ".dsi");
    if (std::filesystem::exists(path, ec)) continue;
    const std::string text = render(path);
    int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return "";
    bool ok = write(fd, text.data(), text.size()) ==
                  static_cast<ssize_t>(text.size()) &&
              fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    // link() fails with EEXIST instead of replacing: an exclusive create of
    // a file whose contents are already complete.
    int linked = ok ? link(tmp.c_str(), path.c_str()) : -1;
    int err = errno;
    unlink(tmp.c_str());
    if (linked == 0) return path;
    if (!ok || err != EEXIST) return "";
  }
  return "";
}

namespace {

struct Candidate {
  uint64_t run;
  Scenario scenario;
  Verdict verdict;
};

// " --property P" for each counted property (none when all count).
std::string Properties(const std::vector<std::string>& properties) {
  std::string out;
  for (const std::string& p : properties)
    absl::StrAppend(&out, " --property ", p);
  return out;
}

std::string FindingText(const FuzzOptions& opts, const Finding& f,
                        const Scenario& shrunk, const Verdict& v,
                        const std::string& path) {
  // The expect lines are the shrunk case's own outcome.
  Scenario s = shrunk;
  s.expect() = Expectation::Of(v.failed);
  std::string body = FormatScenario(s);
  std::string header = absl::StrCat(
      "# BUG: ", f.title, "\n", "# found by: dsifuzz fuzz --variant ",
      opts.variant, " --seed ", opts.seed, " --max-events ", opts.max_events,
      opts.topology_path.empty()
          ? ""
          : absl::StrCat(" --topology ", opts.topology_path),
      Properties(opts.properties), " (run ", f.run, ")\n",
      absl::StrFormat("# shrunk from %d events on %d devices to %d events on "
                      "%d devices%s\n",
                      f.original_events, f.original_devices, f.shrunk_events,
                      f.shrunk_devices, f.one_minimal ? " (1-minimal)" : ""),
      "# replay: dsifuzz replay ", path, "\n");
  // Keep "# dsifuzz v1" first.
  size_t eol = body.find('\n');
  return body.substr(0, eol + 1) + header + body.substr(eol + 1);
}

}  // namespace

FuzzResult Fuzz(const FuzzOptions& opts, const std::atomic<bool>* stop,
                std::ostream& log) {
  FuzzResult result;
  GenOptions gen;
  gen.variant = opts.variant;
  gen.max_events = opts.max_events;
  gen.topology = opts.topology;

  std::mutex mu;
  std::map<std::string, Candidate> first;  // title → lowest failing run
  std::atomic<uint64_t> cases{0}, events{0};
  std::vector<GenStats> stats(std::max(1, opts.jobs));
  std::vector<Coverage> coverage(opts.coverage ? stats.size() : 0);
  auto worker = [&](int job) {
    Generator generator(gen);
    Panel panel(opts.properties);
    panel.set_stop_early(true);  // the title is all the loop needs
    for (uint64_t run = static_cast<uint64_t>(job); run < opts.runs;
         run += static_cast<uint64_t>(opts.jobs)) {
      if (stop != nullptr && stop->load(std::memory_order_relaxed)) return;
      panel.Reset();
      int n = 0;
      Scenario s =
          generator.Generate(RunSeed(opts.seed, run), &stats[job], &panel, &n,
                             opts.coverage ? &coverage[job] : nullptr);
      Verdict v = panel.Collect(n);
      cases.fetch_add(1, std::memory_order_relaxed);
      events.fetch_add(static_cast<uint64_t>(v.events),
                       std::memory_order_relaxed);
      if (v.title.empty()) continue;
      std::lock_guard<std::mutex> lock(mu);
      const std::string title = v.title;
      auto it = first.find(title);
      if (it == first.end()) {
        log << "found: " << title << " (run " << run << ", " << s.events.size()
            << " events)\n";
        first.emplace(title, Candidate{run, std::move(s), std::move(v)});
      } else if (run < it->second.run) {
        it->second = Candidate{run, std::move(s), std::move(v)};
      }
    }
  };

  std::atomic<bool> done{false};
  std::thread progress;
  if (opts.progress) {
    progress = std::thread([&] {
      auto start = std::chrono::steady_clock::now();
      while (!done.load()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
        double secs = std::chrono::duration<double>(
                          std::chrono::steady_clock::now() - start)
                          .count();
        size_t found;
        {
          std::lock_guard<std::mutex> lock(mu);
          found = first.size();
        }
        std::fprintf(stderr,
                     "\rcases %llu (%.0f/s)  events %llu (%.0f/s)  "
                     "findings %zu   ",
                     static_cast<unsigned long long>(cases.load()),
                     cases.load() / secs,
                     static_cast<unsigned long long>(events.load()),
                     events.load() / secs, found);
      }
      std::fprintf(stderr, "\n");
    });
  }
  std::vector<std::thread> threads;
  for (int j = 1; j < opts.jobs; ++j) threads.emplace_back(worker, j);
  worker(0);
  for (std::thread& t : threads) t.join();
  done = true;
  if (progress.joinable()) progress.join();

  result.cases = cases.load();
  result.events = events.load();
  result.interrupted = stop != nullptr && stop->load();
  for (const Coverage& c : coverage) result.coverage.Merge(c);
  for (const GenStats& st : stats) {
    for (size_t k = 0; k < st.events.size(); ++k)
      result.stats.events[k] += st.events[k];
    result.stats.host_unbind_with_bound_peripherals +=
        st.host_unbind_with_bound_peripherals;
    result.stats.rebinds += st.rebinds;
    result.stats.cases += st.cases;
    result.stats.total_events += st.total_events;
  }

  // Shrink and write, in order of first failing run (deterministic).
  std::vector<Candidate*> order;
  for (auto& [title, c] : first) order.push_back(&c);
  std::sort(
      order.begin(), order.end(),
      [](const Candidate* a, const Candidate* b) { return a->run < b->run; });
  for (Candidate* c : order) {
    Finding f;
    f.title = c->verdict.title;
    f.property = c->verdict.property;
    f.run = c->run;
    f.original_events = static_cast<int>(c->scenario.events.size());
    f.original_devices = static_cast<int>(c->scenario.topology.devices.size());
    Shrinker shrinker(f.title, opts.properties);
    Scenario shrunk = shrinker.Shrink(c->scenario);
    f.one_minimal = shrinker.IsOneMinimal(shrunk);
    f.shrunk_events = static_cast<int>(shrunk.events.size());
    f.shrunk_devices = static_cast<int>(shrunk.topology.devices.size());
    Verdict v = Judge(shrunk, {});
    f.shrunk = shrunk;
    if (!opts.write) {
      f.text = FindingText(opts, f, shrunk, v, "(not written)");
      result.findings.push_back(std::move(f));
      continue;
    }
    f.path = WriteNewFile(opts.out, Slug(f.title), [&](const std::string& p) {
      f.text = FindingText(opts, f, shrunk, v, p);
      return f.text;
    });
    if (f.path.empty())
      log << "dsifuzz: cannot write " << opts.out << "/" << Slug(f.title)
          << ".dsi; the finding follows:\n"
          << FindingText(opts, f, shrunk, v, "(unwritten)");
    result.findings.push_back(std::move(f));
  }
  return result;
}

}  // namespace dsifuzz
