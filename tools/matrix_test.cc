// The verdict matrix: cells, corpus preference, formats, new corpus files.
#include "tools/matrix.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "nlohmann/json.hpp"
#include "tools/judge.h"
#include "tools/scenario.h"

namespace dsifuzz {
namespace {

MatrixOptions Small() {
  MatrixOptions o;
  o.variants = {"upstream-6.11", "tomi-v1", "dsifuzz-fix"};
  o.properties = {"use-after-free", "no-warn"};
  o.seed = 7;
  o.runs = 3000;
  return o;
}

std::string WriteTemp(const std::string& name, const std::string& text) {
  std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

TEST(MatrixTest, CellsAreTheShortestCounterexampleOrOk) {
  std::ostringstream log;
  absl::StatusOr<Matrix> m = RunMatrix(Small(), log);
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ(m->cells.size(), 6u);
  const MatrixCell& uaf = m->cell(0, 0);
  EXPECT_FALSE(uaf.ok);
  EXPECT_EQ(uaf.variant, "upstream-6.11");
  EXPECT_EQ(uaf.title, "use-after-free in mipi_dsi_detach");
  EXPECT_EQ(uaf.events, 3);
  EXPECT_TRUE(uaf.source.empty());
  // The counterexample replays to the cell.
  Verdict v = Judge(uaf.scenario, {"use-after-free"});
  EXPECT_EQ(v.title, uaf.title);
  EXPECT_EQ(static_cast<int>(uaf.scenario.events.size()), uaf.events);
  // tomi-v1 still fails the manual bridge; the fix passes everything.
  EXPECT_EQ(m->cell(1, 0).title, "use-after-free in mipi_dsi_do_detach");
  EXPECT_TRUE(m->cell(2, 0).ok);
  EXPECT_TRUE(m->cell(2, 1).ok);
}

TEST(MatrixTest, SameOptionsSameTableWhateverTheJobs) {
  std::ostringstream log;
  MatrixOptions one = Small(), two = Small();
  two.jobs = 2;
  absl::StatusOr<Matrix> a = RunMatrix(one, log), b = RunMatrix(two, log);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(FormatMatrixMarkdown(*a), FormatMatrixMarkdown(*b));
  EXPECT_EQ(FormatMatrixJson(*a), FormatMatrixJson(*b));
}

TEST(MatrixTest, ACorpusFileOfEqualLengthWinsAndIsLinked) {
  std::ostringstream log;
  MatrixOptions o = Small();
  o.variants = {"upstream-6.11"};
  o.properties = {"use-after-free"};
  absl::StatusOr<Matrix> fuzzed = RunMatrix(o, log);
  ASSERT_TRUE(fuzzed.ok());
  std::string path =
      WriteTemp("cell.dsi", FormatScenario(fuzzed->cell(0, 0).scenario));
  o.corpus = {path};
  absl::StatusOr<Matrix> m = RunMatrix(o, log);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->cell(0, 0).source, path);
  EXPECT_NE(FormatMatrixMarkdown(*m).find("([3](" + path + "))"),
            std::string::npos)
      << FormatMatrixMarkdown(*m);
  // A longer corpus case does not replace a shorter fuzzed one.
  Scenario longer = fuzzed->cell(0, 0).scenario;
  longer.events.insert(longer.events.begin(),
                       model::Event{model::EventKind::kDeferredProbe, -1, 1});
  o.corpus = {WriteTemp("longer.dsi", FormatScenario(longer))};
  m = RunMatrix(o, log);
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->cell(0, 0).source.empty());
}

TEST(MatrixTest, ABadCorpusFileIsAnErrorNamingIt) {
  std::ostringstream log;
  MatrixOptions o = Small();
  o.corpus = {WriteTemp("bad.dsi", "# dsifuzz v1\nbind nothing\n")};
  absl::StatusOr<Matrix> m = RunMatrix(o, log);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("bad.dsi:2"), std::string::npos)
      << m.status();
}

TEST(MatrixTest, JsonHasEveryCell) {
  std::ostringstream log;
  absl::StatusOr<Matrix> m = RunMatrix(Small(), log);
  ASSERT_TRUE(m.ok());
  nlohmann::json j = nlohmann::json::parse(FormatMatrixJson(*m));
  EXPECT_EQ(j["seed"], 7);
  ASSERT_EQ(j["cells"].size(), 6u);
  EXPECT_EQ(j["cells"][0]["verdict"], "fail");
  EXPECT_EQ(j["cells"][0]["events"], 3);
  EXPECT_EQ(j["cells"][0]["source"], "fuzz");
  EXPECT_EQ(j["cells"][5]["verdict"], "ok");
  // The scenario text parses back.
  absl::StatusOr<Scenario> s =
      ParseScenario(j["cells"][0]["scenario"].get<std::string>(), "json");
  EXPECT_TRUE(s.ok()) << s.status();
}

TEST(MatrixTest, NewCorpusFilesNameEveryVariantWithItsVerdict) {
  std::ostringstream log;
  absl::StatusOr<Matrix> m = RunMatrix(Small(), log);
  ASSERT_TRUE(m.ok());
  auto files = NewCorpusFiles(*m);
  ASSERT_FALSE(files.empty());
  for (const auto& [name, text] : files) {
    absl::StatusOr<Scenario> s = ParseScenario(text, name);
    ASSERT_TRUE(s.ok()) << s.status();
    EXPECT_EQ(s->VariantNames(), m->variants);
    for (const ScenarioVariant& v : s->variants) {
      Scenario one = *s;
      one.SetVariant(v.name);
      EXPECT_EQ(v.expect, Expectation::Of(Judge(one, {}).failed)) << v.name;
    }
  }
  // No two files for the same bug: a file that already fails a later cell
  // as briefly covers it.
  EXPECT_LT(files.size(), 4u);
}

}  // namespace
}  // namespace dsifuzz
