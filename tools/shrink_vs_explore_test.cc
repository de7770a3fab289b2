// The shrinker against the explorer (issue 5): for every failing cell of
// the verdict matrix, as the README shows it (dsifuzz matrix --seed 1
// --runs 20000 --corpus corpus), the cell's counterexample is exactly as
// long as the shortest failing sequence the explorer finds for that
// variant and property on the same topology. Label `matrix`: it runs the
// matrix (about 15 s on 2 cores).
#include <gtest/gtest.h>

#include <sstream>

#include "tools/cli.h"
#include "tools/explore.h"
#include "tools/matrix.h"

namespace dsifuzz {
namespace {

TEST(ShrinkVsExplore, EveryFailingCellIsAsShortAsTheExplorersShortest) {
  MatrixOptions o;  // the README's options
  o.jobs = 2;
  std::vector<std::string> corpus;
  ASSERT_TRUE(ExpandScenarioPaths({DSIFUZZ_SOURCE_DIR "/corpus"}, corpus));
  o.corpus = corpus;
  std::ostringstream log;
  absl::StatusOr<Matrix> m = RunMatrix(o, log);
  ASSERT_TRUE(m.ok()) << m.status();
  int failing = 0;
  for (const MatrixCell& c : m->cells) {
    if (c.ok) continue;
    ++failing;
    ExploreOptions e;
    e.variant = c.variant;
    e.topology = c.scenario.topology;
    e.properties = {c.property};
    e.max_depth = c.events;
    absl::StatusOr<ExploreResult> r = Explore(e);
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->findings.size(), 1u)
        << c.variant << " x " << c.property << ": the explorer finds nothing "
        << "up to " << c.events << " events";
    const ExploreFinding& f = r->findings[0];
    EXPECT_EQ(static_cast<int>(f.scenario.events.size()), c.events)
        << c.variant << " x " << c.property << ": the matrix shows " << c.title
        << " in " << c.events << " events, the explorer finds " << f.title
        << " in " << f.scenario.events.size() << ":\n"
        << FormatScenario(f.scenario);
  }
  EXPECT_GE(failing, 20);
}

}  // namespace
}  // namespace dsifuzz
