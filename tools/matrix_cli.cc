// `dsifuzz matrix`: flags, then RunMatrix and the chosen format.
#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "model/world.h"
#include "properties/property.h"
#include "tools/cli.h"
#include "tools/fuzz.h"
#include "tools/html_report.h"
#include "tools/matrix.h"

namespace dsifuzz {
namespace {

// The report: one finding per distinct counterexample of the failing cells
// (a bug that fails several variants is shown once), the matrix linking
// to them, and the coverage of the campaigns (random topologies: no
// reference).
absl::Status WriteMatrixReport(const Matrix& m, const std::string& dir) {
  RunReport rep;
  rep.command = "matrix";
  rep.parameters = {{"variants", absl::StrJoin(m.variants, " ")},
                    {"properties", absl::StrJoin(m.properties, " ")},
                    {"seed", absl::StrCat(m.options.seed)},
                    {"runs per cell", absl::StrCat(m.options.runs)},
                    {"max events", absl::StrCat(m.options.max_events)},
                    {"corpus", m.options.corpus.empty()
                                   ? std::string("(none)")
                                   : absl::StrJoin(m.options.corpus, " ")}};
  size_t failing = 0;
  for (const MatrixCell& c : m.cells) {
    if (c.ok) continue;
    ++failing;
    const std::string key = FindingKey(c.title, c.scenario);
    ReportFinding* same = nullptr;
    for (ReportFinding& f : rep.findings) {
      if (FindingKey(f.title, f.scenario) == key) same = &f;
    }
    if (same == nullptr) {
      rep.findings.push_back(ReportFinding{c.title,
                                           c.property,
                                           c.source,
                                           FormatScenario(c.scenario),
                                           c.scenario,
                                           {}});
      same = &rep.findings.back();
    }
    if (std::find(same->variants.begin(), same->variants.end(), c.variant) ==
        same->variants.end())
      same->variants.push_back(c.variant);
  }
  rep.summary =
      absl::StrCat(m.variants.size(), " variants x ", m.properties.size(),
                   " properties: ", failing, " failing cells, ",
                   rep.findings.size(), " distinct counterexamples");
  rep.matrix = &m;
  rep.coverage = MakeCoverageTable(m.coverage, nullptr, "");
  rep.json = nlohmann::json::parse(FormatMatrixJson(m));
  return WriteHtmlReport(dir, rep);
}

}  // namespace

int MatrixCommand(const std::vector<std::string>& args) {
  MatrixOptions o;
  std::string format = "text", write_dir, report_dir;
  std::vector<std::string> corpus_args;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string v, error;
    uint64_t n = 0;
    if (TakeValue(args, i, "--variant", &v, &error)) {
      if (!CheckVariant(v, &error)) return Usage(error);
      o.variants.push_back(v);
    } else if (TakeValue(args, i, "--property", &v, &error)) {
      if (!CheckProperty(v, &error)) return Usage(error);
      o.properties.push_back(v);
    } else if (TakeValue(args, i, "--seed", &v, &error)) {
      if (!TakeNumber("--seed", v, 0, UINT64_MAX, &o.seed, &error))
        return Usage(error);
    } else if (TakeValue(args, i, "--runs", &v, &error)) {
      if (!TakeNumber("--runs", v, 1, 1000000000000ull, &o.runs, &error))
        return Usage(error);
    } else if (TakeValue(args, i, "--max-events", &v, &error)) {
      if (!TakeNumber("--max-events", v, 1, 10000, &n, &error))
        return Usage(error);
      o.max_events = static_cast<int>(n);
    } else if (TakeValue(args, i, "--jobs", &v, &error)) {
      if (!TakeNumber("--jobs", v, 1, 256, &n, &error)) return Usage(error);
      o.jobs = static_cast<int>(n);
    } else if (TakeValue(args, i, "--corpus", &v, &error)) {
      corpus_args.push_back(v);
    } else if (TakeValue(args, i, "--format", &v, &error)) {
      if (v != "text" && v != "markdown" && v != "json")
        return Usage("--format=" + v + ": expected text, markdown or json");
      format = v;
    } else if (args[i] == "--json") {
      format = "json";
    } else if (TakeValue(args, i, "--report", &v, &error)) {
      report_dir = v;
    } else if (TakeValue(args, i, "--write", &v, &error)) {
      write_dir = v;
    } else {
      return Usage(error.empty()
                       ? "unknown argument '" + args[i] + "' for matrix"
                       : error);
    }
    if (!error.empty()) return Usage(error);
  }
  if (!corpus_args.empty() && !ExpandScenarioPaths(corpus_args, o.corpus))
    return 2;
  o.coverage = !report_dir.empty();
  absl::StatusOr<Matrix> m = RunMatrix(o, std::cerr);
  if (!m.ok()) {
    std::cerr << "dsifuzz: " << m.status().message() << "\n";
    return 2;
  }
  if (!write_dir.empty()) {
    std::vector<std::string> written;
    for (const auto& [name, text] : NewCorpusFiles(*m)) {
      std::string path = WriteNewFile(write_dir, name,
                                      [&](const std::string&) { return text; });
      if (path.empty()) {
        std::cerr << "dsifuzz: cannot write " << write_dir << "/" << name
                  << ".dsi; its text follows:\n"
                  << text;
        return 2;
      }
      std::cerr << "wrote " << path << "\n";
      written.push_back(path);
    }
    // The cells now point at the files just written.
    absl::Status status = AddCorpus(*m, written);
    if (!status.ok()) {
      std::cerr << "dsifuzz: " << status.message() << "\n";
      return 2;
    }
    m->options.corpus.insert(m->options.corpus.end(), written.begin(),
                             written.end());
  }
  if (!report_dir.empty()) {
    absl::Status st = WriteMatrixReport(*m, report_dir);
    if (!st.ok()) {
      std::cerr << "dsifuzz: " << st.message() << "\n";
      return 2;
    }
    std::cerr << "report: " << report_dir << "/index.html\n";
  }
  if (format == "json") {
    std::cout << FormatMatrixJson(*m);
  } else if (format == "markdown") {
    std::cout << FormatMatrixMarkdown(*m);
  } else {
    std::cout << FormatMatrixText(*m);
  }
  return 0;
}

}  // namespace dsifuzz
