// The checker's self-test: every mutant (model/mutants/) and the historic
// variants pre-detach and pre-attached-flag must be killed. A kill is a
// differential counterexample: a case on which some property fails under
// the mutant but not on the baseline (the baseline has known bugs, so a
// failure alone proves nothing). It is searched for deterministically
// (fixed seed and budget, random topologies, the fuzzer's generator),
// shrunk differentially to at most kMaxEvents events, and replayed from
// its text. The kill table goes to the test log.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "model/mutants/mutants.h"
#include "model/world.h"
#include "shrinkers/shrink.h"
#include "tools/generator.h"
#include "tools/judge.h"
#include "tools/rng.h"
#include "tools/scenario.h"

namespace dsifuzz {
namespace {

constexpr char kBaseline[] = "upstream-6.11";
constexpr uint64_t kSeed = 20261125;
constexpr uint64_t kBudget = 2000;  // generated cases per mutant
constexpr size_t kMaxEvents = 6;

struct Kill {
  std::string mutant;
  std::string property;  // "" when not killed
  std::string title;
  uint64_t run = 0;
  Scenario counterexample;
};

// `s` judged on `variant` by `properties` ({} for all).
Verdict JudgeOn(Scenario s, const std::string& variant,
                const std::vector<std::string>& properties) {
  s.SetVariant(variant);
  return Judge(s, properties);
}

bool Contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// The first property that fails on `s` under `mutant` and not on the
// baseline, with the case shrunk differentially for it; nullopt when
// there is none or it does not shrink to kMaxEvents events.
std::optional<Kill> Differential(const Scenario& s, const std::string& mutant) {
  Verdict m = JudgeOn(s, mutant, {});
  if (!m.valid || m.failed.empty()) return std::nullopt;
  Verdict b = JudgeOn(s, kBaseline, {});
  if (!b.valid) return std::nullopt;
  for (const std::string& p : m.failed) {
    if (Contains(b.failed, p)) continue;
    const std::string title = JudgeOn(s, mutant, {p}).title;
    Shrinker sh(title, {p});
    sh.set_clean_on(kBaseline);
    if (!sh.Fails(s)) continue;
    Scenario small = sh.Shrink(s);
    if (small.events.size() > kMaxEvents) continue;
    return Kill{mutant, p, title, 0, small};
  }
  return std::nullopt;
}

Kill Hunt(const std::string& mutant) {
  GenOptions opts;
  opts.variant = mutant;
  for (uint64_t run = 0; run < kBudget; ++run) {
    Scenario s = GenerateCase(RunSeed(kSeed, run), opts, nullptr);
    std::optional<Kill> k = Differential(s, mutant);
    if (!k) continue;
    k->run = run;
    return *k;
  }
  return Kill{mutant, "", "", kBudget, Scenario{}};
}

std::vector<std::string> Targets() {
  std::vector<std::string> names = model::MutantNames();
  names.push_back("pre-detach");
  names.push_back("pre-attached-flag");
  return names;
}

TEST(MutantsTest, RegistryIsApartFromTheVariants) {
  const std::vector<std::string> names = model::MutantNames();
  for (const char* must : {"mutant-no-put-device", "mutant-fifo-devres",
                           "mutant-no-iter-ref", "mutant-no-attached-clear"}) {
    EXPECT_TRUE(Contains(names, must)) << must;
  }
  const std::vector<std::string> variants = model::VariantNames();
  for (const std::string& n : names) {
    EXPECT_EQ(n.rfind("mutant-", 0), 0u) << n;
    EXPECT_NE(model::FindMutant(n), nullptr) << n;
    EXPECT_EQ(model::FindVariant(n), model::FindMutant(n)) << n;
    EXPECT_FALSE(model::MutantDescription(n).empty()) << n;
    EXPECT_FALSE(Contains(variants, n)) << n;
  }
  EXPECT_EQ(model::FindMutant(kBaseline), nullptr);
  EXPECT_EQ(model::FindMutant("mutant-unknown"), nullptr);
  EXPECT_EQ(model::FindVariant("mutant-unknown"), nullptr);
}

Scenario Parse(const std::string& style, const std::string& events) {
  absl::StatusOr<Scenario> s = ParseScenario(
      "# dsifuzz v1\n"
      "variant mutant-fifo-devres\n"
      "device host0 dsi-controller\n"
      "device bridge0 i2c-bridge host=host0 style=" +
          style + "\n" + events,
      "test.dsi");
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *s : Scenario{};
}

// A manual bridge whose host goes first (reference §7 B2) fails
// use-after-free on the baseline too; a devm bridge unbound while its host
// is bound fails it only with devres run oldest first.
TEST(MutantsTest, DifferentialShrinkerRejectsWhatTheBaselineFails) {
  const Scenario b2 =
      Parse("manual", "bind host0\nbind bridge0\nunbind host0\n");
  const Scenario fifo =
      Parse("devm-probe", "bind host0\nbind bridge0\nunbind bridge0\n");
  const std::string title = "use-after-free in mipi_dsi_detach";
  ASSERT_EQ(Judge(b2, {"use-after-free"}).title, title);
  ASSERT_EQ(JudgeOn(b2, kBaseline, {"use-after-free"}).title, title);
  ASSERT_EQ(Judge(fifo, {"use-after-free"}).title, title);
  ASSERT_TRUE(JudgeOn(fifo, kBaseline, {"use-after-free"}).failed.empty());

  Shrinker plain(title, {"use-after-free"});
  EXPECT_TRUE(plain.Fails(b2));
  EXPECT_TRUE(plain.Fails(fifo));
  Shrinker differential(title, {"use-after-free"});
  differential.set_clean_on(kBaseline);
  EXPECT_FALSE(differential.Fails(b2));
  EXPECT_TRUE(differential.Fails(fifo));
  // The teardown unbinds the bridge first: two binds are enough.
  Scenario small = differential.Shrink(fifo);
  EXPECT_TRUE(differential.Fails(small));
  EXPECT_EQ(small.events.size(), 2u);
}

TEST(MutantsTest, EveryMutantIsKilledByADifferentialCounterexample) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<Kill> kills;
  for (const std::string& m : Targets()) kills.push_back(Hunt(m));
  const double ms = std::chrono::duration<double, std::milli>(
                        std::chrono::steady_clock::now() - start)
                        .count();

  int killed = 0;
  std::string table = absl::StrFormat("%-28s %-17s %6s %4s  %s\n", "mutant",
                                      "killed by", "events", "run", "title");
  for (const Kill& k : kills) {
    if (!k.property.empty()) ++killed;
    table += absl::StrFormat("%-28s %-17s %6d %4d  %s\n", k.mutant,
                             k.property.empty() ? "NOT KILLED" : k.property,
                             static_cast<int>(k.counterexample.events.size()),
                             static_cast<int>(k.run), k.title);
  }
  table += absl::StrFormat(
      "kill rate %d/%d (seed %d, budget %d cases each, %.0f ms)\n", killed,
      static_cast<int>(kills.size()), static_cast<int>(kSeed),
      static_cast<int>(kBudget), ms);
  std::cout << table;
  for (const Kill& k : kills) {
    if (!k.property.empty())
      std::cout << "--- " << k.mutant << "\n"
                << FormatScenario(k.counterexample);
  }

  for (const Kill& k : kills) {
    SCOPED_TRACE(k.mutant);
    ASSERT_FALSE(k.property.empty()) << "not killed";
    EXPECT_LE(k.counterexample.events.size(), kMaxEvents);
    // The counterexample replays from its text to the same verdicts.
    const std::string text = FormatScenario(k.counterexample);
    absl::StatusOr<Scenario> replay = ParseScenario(text, k.mutant + ".dsi");
    ASSERT_TRUE(replay.ok()) << replay.status() << "\n" << text;
    EXPECT_EQ(replay->variant(), k.mutant);
    Verdict m = Judge(*replay, {k.property});
    EXPECT_TRUE(m.valid) << text;
    EXPECT_EQ(m.title, k.title) << text;
    Verdict b = JudgeOn(*replay, kBaseline, {k.property});
    EXPECT_TRUE(b.valid) << text;
    EXPECT_TRUE(b.failed.empty()) << text << "baseline: " << b.title;
    EXPECT_EQ(Judge(*replay, {}).failed, Judge(k.counterexample, {}).failed);
  }
  EXPECT_EQ(killed, static_cast<int>(kills.size()));
}

}  // namespace
}  // namespace dsifuzz
