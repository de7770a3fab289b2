#include "tools/matrix.h"

#include <algorithm>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "model/world.h"
#include "nlohmann/json.hpp"
#include "properties/property.h"
#include "tools/fuzz.h"
#include "tools/judge.h"

namespace dsifuzz {
namespace {

// Shorter first; on equal length, a corpus file, then by title, then by
// path: the order in which candidates come does not matter.
bool Better(int events, const std::string& source, const std::string& title,
            const MatrixCell& than) {
  if (than.ok) return true;
  if (events != than.events) return events < than.events;
  if (source.empty() != than.source.empty()) return !source.empty();
  if (title != than.title) return title < than.title;
  return source < than.source;
}

std::string CellText(const MatrixCell& c) {
  if (c.ok) return "ok";
  return absl::StrCat(c.title, " (", c.events, ")");
}

}  // namespace

absl::StatusOr<Matrix> RunMatrix(const MatrixOptions& opts, std::ostream& log) {
  Matrix m;
  m.options = opts;
  m.variants = opts.variants.empty() ? model::VariantNames() : opts.variants;
  m.properties = opts.properties.empty() ? PropertyNames() : opts.properties;
  for (const std::string& path : opts.corpus) {  // bad files fail fast
    absl::StatusOr<Scenario> s = LoadScenario(path);
    if (!s.ok()) return s.status();
  }
  for (const std::string& variant : m.variants) {
    for (const std::string& property : m.properties) {
      MatrixCell cell;
      cell.variant = variant;
      cell.property = property;
      FuzzOptions f;
      f.variant = variant;
      f.seed = opts.seed;
      f.runs = opts.runs;
      f.max_events = opts.max_events;
      f.properties = {property};
      f.jobs = opts.jobs;
      f.write = false;
      f.coverage = opts.coverage;
      std::ostringstream quiet;
      FuzzResult r = Fuzz(f, nullptr, quiet);
      m.coverage.Merge(r.coverage);
      for (const Finding& finding : r.findings) {
        if (!Better(finding.shrunk_events, "", finding.title, cell)) continue;
        cell.ok = false;
        cell.title = finding.title;
        cell.events = finding.shrunk_events;
        cell.source.clear();
        cell.scenario = finding.shrunk;
      }
      log << variant << " x " << property << ": fuzzing found "
          << CellText(cell) << "\n";
      m.cells.push_back(std::move(cell));
    }
  }
  absl::Status status = AddCorpus(m, opts.corpus);
  if (!status.ok()) return status;
  return m;
}

absl::Status AddCorpus(Matrix& m, const std::vector<std::string>& paths) {
  for (const std::string& path : paths) {
    absl::StatusOr<Scenario> loaded = LoadScenario(path);
    if (!loaded.ok()) return loaded.status();
    for (MatrixCell& cell : m.cells) {
      Scenario s = *loaded;
      s.SetVariant(cell.variant);
      Verdict v = Judge(s, {cell.property});
      if (!v.valid || v.title.empty()) continue;
      int events = static_cast<int>(s.events.size());
      if (!Better(events, path, v.title, cell)) continue;
      cell.ok = false;
      cell.title = v.title;
      cell.events = events;
      cell.source = path;
      cell.scenario = std::move(s);
    }
  }
  return absl::OkStatus();
}

std::string FormatMatrixText(const Matrix& m) {
  std::vector<size_t> width(m.properties.size() + 1, 0);
  width[0] = 7;  // "variant"
  for (const std::string& v : m.variants)
    width[0] = std::max(width[0], v.size());
  for (size_t p = 0; p < m.properties.size(); ++p) {
    width[p + 1] = m.properties[p].size();
    for (size_t v = 0; v < m.variants.size(); ++v)
      width[p + 1] = std::max(width[p + 1], CellText(m.cell(v, p)).size());
  }
  std::string out = absl::StrFormat("%-*s", width[0], "variant");
  for (size_t p = 0; p < m.properties.size(); ++p)
    absl::StrAppend(&out, "  ",
                    absl::StrFormat("%-*s", width[p + 1], m.properties[p]));
  out += "\n";
  for (size_t v = 0; v < m.variants.size(); ++v) {
    std::string line = absl::StrFormat("%-*s", width[0], m.variants[v]);
    for (size_t p = 0; p < m.properties.size(); ++p)
      absl::StrAppend(
          &line, "  ",
          absl::StrFormat("%-*s", width[p + 1], CellText(m.cell(v, p))));
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string FormatMatrixMarkdown(const Matrix& m) {
  std::string out = "| variant |";
  std::string rule = "|---|";
  for (const std::string& p : m.properties) {
    absl::StrAppend(&out, " ", p, " |");
    rule += "---|";
  }
  out += "\n" + rule + "\n";
  for (size_t v = 0; v < m.variants.size(); ++v) {
    absl::StrAppend(&out, "| `", m.variants[v], "` |");
    for (size_t p = 0; p < m.properties.size(); ++p) {
      const MatrixCell& c = m.cell(v, p);
      if (c.ok) {
        out += " ok |";
      } else {
        // The event count links to the corpus file that holds the case.
        if (c.source.empty()) {
          absl::StrAppend(&out, " ", c.title, " (", c.events, ")");
        } else {
          absl::StrAppend(&out, " ", c.title, " ([", c.events, "](", c.source,
                          "))");
        }
        out += " |";
      }
    }
    out += "\n";
  }
  const MatrixOptions& o = m.options;
  absl::StrAppend(&out, "\n`dsifuzz matrix --seed ", o.seed, " --runs ", o.runs,
                  " --max-events ", o.max_events,
                  o.corpus.empty() ? "" : " --corpus corpus", "`: ",
                  "a cell is `ok` or the shortest counterexample found by "
                  "fuzzing that property alone or in the corpus: its title "
                  "and its number of events, linked to its file.\n");
  return out;
}

std::string FormatMatrixJson(const Matrix& m) {
  nlohmann::ordered_json j;
  j["version"] = 1;
  j["command"] = "matrix";
  j["seed"] = m.options.seed;
  j["runs"] = m.options.runs;
  j["max_events"] = m.options.max_events;
  j["corpus"] = m.options.corpus;
  j["variants"] = m.variants;
  j["properties"] = m.properties;
  j["cells"] = nlohmann::ordered_json::array();
  for (const MatrixCell& c : m.cells) {
    nlohmann::ordered_json cell;
    cell["variant"] = c.variant;
    cell["property"] = c.property;
    cell["verdict"] = c.ok ? "ok" : "fail";
    if (!c.ok) {
      cell["title"] = c.title;
      cell["events"] = c.events;
      cell["source"] = c.source.empty() ? "fuzz" : c.source;
      cell["scenario"] = FormatScenario(c.scenario);
    }
    j["cells"].push_back(std::move(cell));
  }
  size_t failing = 0;
  for (const MatrixCell& c : m.cells) failing += c.ok ? 0 : 1;
  j["counts"] = {{"cells", m.cells.size()}, {"failing", failing}};
  return j.dump(2) + "\n";
}

}  // namespace dsifuzz

namespace dsifuzz {

std::vector<std::pair<std::string, std::string>> NewCorpusFiles(
    const Matrix& m) {
  std::vector<std::pair<std::string, std::string>> files;
  std::vector<Scenario> written;
  for (const MatrixCell& c : m.cells) {
    if (c.ok || !c.source.empty()) continue;
    // A file written for an earlier cell may already fail this one as
    // briefly (the same bug on another variant): no second file.
    bool covered = false;
    for (const Scenario& w : written) {
      Scenario s = w;
      s.SetVariant(c.variant);
      Verdict v = Judge(s, {c.property});
      if (v.valid && !v.title.empty() &&
          static_cast<int>(s.events.size()) <= c.events) {
        covered = true;
        break;
      }
    }
    if (covered) continue;
    written.push_back(c.scenario);
    // One variant line and one expect line per variant of the matrix.
    Scenario s = c.scenario;
    s.variants.clear();
    for (const std::string& variant : m.variants) {
      Scenario one = c.scenario;
      one.SetVariant(variant);
      s.variants.push_back({variant, Expectation::Of(Judge(one, {}).failed)});
    }
    std::string text = FormatScenario(s);
    size_t eol = text.find('\n');
    std::string header = absl::StrCat(
        "# ", c.variant, " x ", c.property, ": ", c.title, "\n",
        "# found by: dsifuzz matrix --seed ", m.options.seed, " --runs ",
        m.options.runs, " --max-events ", m.options.max_events, "\n",
        "# Replayed on every variant: each expect line is that variant's "
        "verdict.\n");
    files.emplace_back(Slug(c.variant + " " + c.title),
                       text.substr(0, eol + 1) + header + text.substr(eol + 1));
  }
  return files;
}

}  // namespace dsifuzz
