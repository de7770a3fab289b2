// The fuzz campaign end to end (tools/fuzz.h) and the case generator
// (tools/generator.h): the seed use-after-free is found and shrunk to one
// file on every seed, findings replay identically, runs are deterministic,
// files are never overwritten, and every generated event applies.
#include "tools/fuzz.h"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "tools/generator.h"
#include "tools/judge.h"
#include "tools/report.h"
#include "tools/rng.h"
#include "tools/scenario.h"

namespace dsifuzz {
namespace {

namespace fs = std::filesystem;
using model::Event;
using model::EventKind;

constexpr char kSeedTitle[] = "use-after-free in mipi_dsi_detach";

// A fresh directory under the system temp dir, removed on destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& tag) {
    static int counter = 0;
    const testing::TestInfo* info =
        testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() /
            absl::StrCat("dsifuzz-", info != nullptr ? info->name() : "test",
                         "-", tag, "-", getpid(), "-", counter++);
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string str() const { return path_.string(); }
  std::string Sub(const std::string& name) const {
    return (path_ / name).string();
  }

 private:
  fs::path path_;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The text without its `#` comment lines (seed, run and path live there).
std::string WithoutComments(const std::string& text) {
  std::string out;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (!line.empty() && line[0] == '#') continue;
    absl::StrAppend(&out, line, "\n");
  }
  return out;
}

// The text without its `# replay:` line, which names the file's path.
std::string WithoutReplayLine(const std::string& text) {
  std::string out;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (absl::StartsWith(line, "# replay:")) continue;
    absl::StrAppend(&out, line, "\n");
  }
  return out;
}

const Finding* FindTitle(const FuzzResult& r, const std::string& title) {
  for (const Finding& f : r.findings) {
    if (f.title == title) return &f;
  }
  return nullptr;
}

TEST(FuzzTest, EverySeedShrinksTheSeedBugToTheSameThreeEvents) {
  TempDir dir("seeds");
  std::set<std::string> bodies;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    SCOPED_TRACE(absl::StrCat("seed ", seed));
    FuzzOptions opts;
    opts.seed = seed;
    opts.runs = 300;
    opts.topology = model::SeedTopology();
    opts.topology_path = "seed.dsi";
    opts.out = dir.Sub(absl::StrCat("seed", seed));
    std::ostringstream log;
    FuzzResult r = Fuzz(opts, nullptr, log);
    EXPECT_EQ(r.cases, opts.runs);
    EXPECT_FALSE(r.interrupted);
    const Finding* f = FindTitle(r, kSeedTitle);
    ASSERT_NE(f, nullptr) << log.str();
    EXPECT_EQ(f->property, "use-after-free");
    ASSERT_FALSE(f->path.empty());
    ASSERT_TRUE(fs::exists(f->path)) << f->path;
    const std::string text = ReadFile(f->path);
    EXPECT_EQ(text, f->text);
    bodies.insert(WithoutComments(text));

    EXPECT_TRUE(f->one_minimal);
    EXPECT_EQ(f->shrunk_events, 3);
    EXPECT_EQ(f->shrunk_devices, 2);
    absl::StatusOr<Scenario> s = ParseScenario(text, f->path);
    ASSERT_TRUE(s.ok()) << s.status();
    ASSERT_EQ(s->topology.devices.size(), 2u);
    EXPECT_EQ(s->topology.devices[0].name, "host0");
    EXPECT_EQ(s->topology.devices[1].name, "bridge0");
    EXPECT_EQ(s->events, (std::vector<Event>{{EventKind::kBind, 0},
                                             {EventKind::kBind, 1},
                                             {EventKind::kUnbind, 0}}));
    Verdict v = Judge(*s, {});
    EXPECT_TRUE(v.valid);
    EXPECT_EQ(v.title, kSeedTitle);
  }
  EXPECT_EQ(bodies.size(), 1u);
  if (!bodies.empty()) {
    EXPECT_EQ(*bodies.begin(),
              "variant upstream-6.11\n"
              "device host0 dsi-controller\n"
              "device bridge0 i2c-bridge host=host0 style=devm-probe\n"
              "bind host0\n"
              "bind bridge0\n"
              "unbind host0\n"
              "expect single-release use-after-free refcount-balance "
              "no-warn\n"
              "\n");
  }
}

TEST(FuzzTest, FindingsOnRandomTopologiesReplayToTheSameReport) {
  TempDir dir("replay");
  FuzzOptions opts;
  opts.seed = 7;
  opts.runs = 2000;
  opts.out = dir.str();
  std::ostringstream log;
  FuzzResult r = Fuzz(opts, nullptr, log);
  ASSERT_FALSE(r.findings.empty());
  std::set<std::string> titles;
  for (const Finding& f : r.findings) {
    SCOPED_TRACE(f.title);
    EXPECT_TRUE(titles.insert(f.title).second) << "a title found twice";
    EXPECT_TRUE(f.one_minimal);
    EXPECT_LE(f.shrunk_events, f.original_events);
    EXPECT_LE(f.shrunk_devices, f.original_devices);
    ASSERT_FALSE(f.path.empty());
    absl::StatusOr<Scenario> s = LoadScenario(f.path);
    ASSERT_TRUE(s.ok()) << s.status();
    EXPECT_EQ(static_cast<int>(s->events.size()), f.shrunk_events);
    EXPECT_EQ(static_cast<int>(s->topology.devices.size()), f.shrunk_devices);
    std::string texts[2];
    for (std::string& text : texts) {
      absl::StatusOr<RunResult> run = RunScenario(*s, /*trace=*/true);
      ASSERT_TRUE(run.ok()) << run.status();
      EXPECT_TRUE(OutcomeMatches(s->expect(), *run));
      ASSERT_FALSE(run->violations.empty());
      EXPECT_EQ(run->violations.front().Title(), f.title);
      EXPECT_EQ(run->violations.front().property, f.property);
      text = run->trace;
      for (const Violation& v : run->violations)
        absl::StrAppend(&text, "\n", FormatReport(v, run->event_texts));
    }
    EXPECT_FALSE(texts[0].empty());
    EXPECT_EQ(texts[0], texts[1]);
  }
}

TEST(FuzzTest, SameSeedGivesTheSameFindings) {
  TempDir a("a"), b("b"), c("c");
  FuzzResult results[3];
  const std::string dirs[3] = {a.str(), b.str(), c.str()};
  for (int i = 0; i < 3; ++i) {
    FuzzOptions opts;
    opts.seed = 11;
    opts.runs = 1000;
    opts.out = dirs[i];
    opts.jobs = i == 2 ? 2 : 1;  // threads take shares of the same runs
    std::ostringstream log;
    results[i] = Fuzz(opts, nullptr, log);
  }
  ASSERT_FALSE(results[0].findings.empty());
  for (int i = 1; i < 3; ++i) {
    SCOPED_TRACE(absl::StrCat("run ", i));
    EXPECT_EQ(results[i].cases, results[0].cases);
    EXPECT_EQ(results[i].events, results[0].events);
    ASSERT_EQ(results[i].findings.size(), results[0].findings.size());
    for (size_t k = 0; k < results[0].findings.size(); ++k) {
      const Finding& x = results[0].findings[k];
      const Finding& y = results[i].findings[k];
      EXPECT_EQ(y.title, x.title);
      EXPECT_EQ(y.run, x.run);
      EXPECT_NE(y.path, x.path);
      EXPECT_EQ(WithoutReplayLine(ReadFile(y.path)),
                WithoutReplayLine(ReadFile(x.path)));
      EXPECT_EQ(WithoutReplayLine(y.text), WithoutReplayLine(x.text));
    }
  }
}

TEST(FuzzTest, StoppedCampaignRunsNothingAndSaysSo) {
  TempDir dir("stop");
  FuzzOptions opts;
  opts.seed = 1;
  opts.runs = 100;
  opts.out = dir.str();
  std::atomic<bool> stop{true};
  std::ostringstream log;
  FuzzResult r = Fuzz(opts, &stop, log);
  EXPECT_TRUE(r.interrupted);
  EXPECT_EQ(r.cases, 0u);
  EXPECT_TRUE(r.findings.empty());
}

TEST(FuzzTest, FindingTextNamesItsPathAndReplays) {
  TempDir dir("text");
  FuzzOptions opts;
  opts.seed = 3;
  opts.runs = 300;
  opts.topology = model::SeedTopology();
  opts.topology_path = "seed.dsi";
  opts.out = dir.str();
  std::ostringstream log;
  FuzzResult r = Fuzz(opts, nullptr, log);
  const Finding* f = FindTitle(r, kSeedTitle);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->path, dir.Sub("use-after-free-in-mipi_dsi_detach.dsi"));
  EXPECT_TRUE(absl::StartsWith(f->text, "# dsifuzz v1\n")) << f->text;
  EXPECT_NE(f->text.find(absl::StrCat("# BUG: ", kSeedTitle, "\n")),
            std::string::npos);
  EXPECT_NE(
      f->text.find(absl::StrCat("# replay: dsifuzz replay ", f->path, "\n")),
      std::string::npos);
  EXPECT_NE(f->text.find("--seed 3 "), std::string::npos);
  EXPECT_NE(f->text.find("--topology seed.dsi"), std::string::npos);
  EXPECT_NE(log.str().find(absl::StrCat("found: ", kSeedTitle)),
            std::string::npos);
}

TEST(WriteNewFileTest, NeverOverwrites) {
  TempDir dir("write");
  std::string first = WriteNewFile(dir.str(), "name", [](const std::string& p) {
    return absl::StrCat("first ", p, "\n");
  });
  ASSERT_EQ(first, dir.Sub("name.dsi"));
  std::string second = WriteNewFile(
      dir.str(), "name",
      [](const std::string& p) { return absl::StrCat("second ", p, "\n"); });
  ASSERT_FALSE(second.empty());
  EXPECT_TRUE(absl::EndsWith(second, "-2.dsi")) << second;
  EXPECT_EQ(second, dir.Sub("name-2.dsi"));
  EXPECT_EQ(ReadFile(first), absl::StrCat("first ", first, "\n"));
  EXPECT_EQ(ReadFile(second), absl::StrCat("second ", second, "\n"));
  std::string third =
      WriteNewFile(dir.str(), "name", [](const std::string&) { return "3\n"; });
  EXPECT_EQ(third, dir.Sub("name-3.dsi"));
  EXPECT_EQ(ReadFile(first), absl::StrCat("first ", first, "\n"));
  // No temporary file is left behind.
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir.str())) {
    EXPECT_EQ(entry.path().extension(), ".dsi") << entry.path();
    ++files;
  }
  EXPECT_EQ(files, 3);
}

TEST(WriteNewFileTest, CreatesTheDirectory) {
  TempDir dir("mkdir");
  const std::string sub = dir.Sub("a/b");
  std::string path =
      WriteNewFile(sub, "x", [](const std::string&) { return "x\n"; });
  EXPECT_EQ(path, sub + "/x.dsi");
  EXPECT_EQ(ReadFile(path), "x\n");
}

TEST(SlugTest, MakesFileNames) {
  EXPECT_EQ(Slug("use-after-free in mipi_dsi_detach"),
            "use-after-free-in-mipi_dsi_detach");
  EXPECT_EQ(Slug("WARNING in mipi_dsi_detach"), "warning-in-mipi_dsi_detach");
  EXPECT_EQ(Slug("a  b//c."), "a-b-c");
  EXPECT_EQ(Slug("!!"), "finding");
}

TEST(GeneratorTest, EveryGeneratedEventApplies) {
  GenOptions opts;
  GenStats stats;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    Scenario s = GenerateCase(RunSeed(42, seed), opts, &stats);
    SCOPED_TRACE(FormatScenario(s));
    EXPECT_FALSE(s.topology.devices.empty());
    EXPECT_GE(s.events.size(), 1u);
    EXPECT_LE(static_cast<int>(s.events.size()), opts.max_events);
    EXPECT_EQ(s.event_lines.size(), s.events.size());
    EXPECT_TRUE(Judge(s, {}).valid);
    // And the text round-trips to the same case.
    absl::StatusOr<Scenario> back = ParseScenario(FormatScenario(s), "gen");
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(back->events, s.events);
  }
  EXPECT_EQ(stats.cases, 200u);
}

TEST(GeneratorTest, EveryEventAppliesOnAGivenTopology) {
  GenOptions opts;
  opts.topology = model::SeedTopology();
  for (uint64_t seed = 0; seed < 100; ++seed) {
    Scenario s = GenerateCase(seed, opts, nullptr);
    ASSERT_EQ(s.topology.devices.size(), 2u);
    EXPECT_TRUE(Judge(s, {}).valid) << FormatScenario(s);
  }
}

// `allow` leaves events out of the walk, which still takes only events
// that apply; a walk where none may be taken ends there.
TEST(GeneratorTest, AllowLeavesEventsOut) {
  GenOptions opts;
  opts.allow = [](const model::Event& e) {
    return e.kind != model::EventKind::kFail &&
           e.kind != model::EventKind::kBind;
  };
  for (uint64_t seed = 0; seed < 100; ++seed) {
    Scenario s = GenerateCase(seed, opts, nullptr);
    SCOPED_TRACE(FormatScenario(s));
    EXPECT_TRUE(Judge(s, {}).valid);
    for (const model::Event& e : s.events) {
      EXPECT_NE(e.kind, model::EventKind::kFail);
      EXPECT_NE(e.kind, model::EventKind::kBind);
    }
  }
  opts.allow = [](const model::Event&) { return false; };
  EXPECT_TRUE(GenerateCase(1, opts, nullptr).events.empty());
}

TEST(GeneratorTest, SameSeedSameScenario) {
  GenOptions opts;
  for (uint64_t seed = 0; seed < 50; ++seed) {
    Scenario a = GenerateCase(seed, opts, nullptr);
    Scenario b = GenerateCase(seed, opts, nullptr);
    EXPECT_EQ(FormatScenario(a), FormatScenario(b));
  }
  // Different seeds do not all give the same case.
  std::set<std::string> texts;
  for (uint64_t seed = 0; seed < 50; ++seed)
    texts.insert(FormatScenario(GenerateCase(seed, opts, nullptr)));
  EXPECT_GT(texts.size(), 40u);
}

TEST(GeneratorTest, JudgingWhileGeneratingMatchesJudge) {
  GenOptions opts;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    Panel panel({});
    int events = 0;
    Scenario s = GenerateCase(seed, opts, nullptr, &panel, &events);
    Verdict live = panel.Collect(events);
    Verdict v = Judge(s, {});
    SCOPED_TRACE(FormatScenario(s));
    EXPECT_TRUE(v.valid);
    EXPECT_EQ(live.title, v.title);
    EXPECT_EQ(live.property, v.property);
    EXPECT_EQ(live.failed, v.failed);
    EXPECT_EQ(live.events, v.events);
  }
}

TEST(GeneratorTest, StatsCountHostUnbindsUnderBoundPeripherals) {
  GenOptions opts;
  GenStats stats;
  uint64_t events = 0;
  for (uint64_t seed = 0; seed < 500; ++seed)
    events += GenerateCase(seed, opts, &stats).events.size();
  EXPECT_EQ(stats.cases, 500u);
  EXPECT_EQ(stats.total_events, events);
  uint64_t by_kind = 0;
  for (uint64_t n : stats.events) by_kind += n;
  EXPECT_EQ(by_kind, events);
  EXPECT_GT(stats.host_unbind_with_bound_peripherals, 0u);
  EXPECT_LE(stats.host_unbind_with_bound_peripherals,
            stats.events[static_cast<int>(EventKind::kUnbind)]);
  EXPECT_GT(stats.rebinds, 0u);
}

}  // namespace
}  // namespace dsifuzz
