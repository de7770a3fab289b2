// The verdict matrix behind `dsifuzz matrix`: every variant against every
// property. A cell is `ok`, or the shortest counterexample found for it:
// by a fuzz campaign that counts only that property (fixed seed and
// budget, so the table is the same on every machine), or by a corpus
// scenario replayed on the variant; on equal length the corpus file wins,
// so a cell points at a file a reader can open.
#ifndef DSIFUZZ_TOOLS_MATRIX_H_
#define DSIFUZZ_TOOLS_MATRIX_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "tools/coverage.h"
#include "tools/scenario.h"

namespace dsifuzz {

struct MatrixOptions {
  std::vector<std::string> variants;    // empty: every registered variant
  std::vector<std::string> properties;  // empty: every property
  uint64_t seed = 1;
  uint64_t runs = 20000;  // fuzz cases per cell
  int max_events = 24;
  int jobs = 1;
  std::vector<std::string> corpus;  // scenario files to replay on each cell
  bool coverage = false;            // count the campaigns' model coverage
};

struct MatrixCell {
  std::string variant;
  std::string property;
  bool ok = true;
  std::string title;   // the counterexample's first violation
  int events = 0;      // its length
  std::string source;  // the corpus file, or "" when found by fuzzing
  Scenario scenario;   // the counterexample (single variant, no expect)
};

struct Matrix {
  MatrixOptions options;
  std::vector<std::string> variants;
  std::vector<std::string> properties;
  std::vector<MatrixCell> cells;  // variant-major
  Coverage coverage;  // of every cell's campaign, with options.coverage
  const MatrixCell& cell(size_t v, size_t p) const {
    return cells[v * properties.size() + p];
  }
};

// Runs every cell. Corpus files that do not parse are an error.
absl::StatusOr<Matrix> RunMatrix(const MatrixOptions& opts, std::ostream& log);

// Replays each scenario file on every cell's variant and property; a file
// that fails the cell at least as briefly as its counterexample becomes it.
absl::Status AddCorpus(Matrix& m, const std::vector<std::string>& paths);

// The table as aligned text, a Markdown table or JSON.
std::string FormatMatrixText(const Matrix& m);
std::string FormatMatrixMarkdown(const Matrix& m);
std::string FormatMatrixJson(const Matrix& m);

// The counterexamples of failing cells that no corpus file holds, one
// multi-variant scenario per distinct event sequence, with an expect line
// for every variant of the matrix (each variant's own outcome on it).
// Returns (file name without .dsi, text) pairs in cell order.
std::vector<std::pair<std::string, std::string>> NewCorpusFiles(
    const Matrix& m);

}  // namespace dsifuzz

#endif  // DSIFUZZ_TOOLS_MATRIX_H_
