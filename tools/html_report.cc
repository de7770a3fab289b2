#include "tools/html_report.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tools/matrix.h"
#include "tools/render.h"
#include "tools/report.h"

namespace dsifuzz {
namespace {

constexpr char kStyle[] = R"css(
body { font: 14px/1.45 "DejaVu Sans", Verdana, sans-serif; color: #222;
       margin: 0 auto; max-width: 1200px; padding: 16px 24px; }
h1 { font-size: 22px; margin: 8px 0 4px; }
h2 { font-size: 18px; border-bottom: 2px solid #ddd; padding-bottom: 4px;
     margin-top: 28px; }
h3 { font-size: 15px; margin: 0 0 6px; color: #c0392b; }
.summary { font-size: 15px; margin: 4px 0 12px; }
table { border-collapse: collapse; margin: 6px 0; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left;
         vertical-align: top; }
th { background: #f4f4f4; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
pre { background: #f8f8f8; border: 1px solid #e4e4e4; padding: 8px;
      overflow-x: auto; font: 12px/1.35 "DejaVu Sans Mono", monospace; }
pre.kasan { background: #fff5f4; border-color: #f1c4bf; }
.finding { border: 1px solid #e2e2e2; border-left: 5px solid #c0392b;
           padding: 10px 14px; margin: 14px 0; border-radius: 3px; }
.prop { color: #555; font-weight: normal; }
.timeline { overflow-x: auto; border: 1px solid #eee; max-height: 720px; }
td.ok { background: #e9f7ef; color: #1e7b45; }
td.fail { background: #fdecea; }
td.fail a { color: #a93226; }
tr.never td { background: #fff3cd; font-weight: bold; }
tr.beyond td { color: #666; }
.clean { color: #1e7b45; font-weight: bold; }
details > summary { cursor: pointer; color: #555; margin: 4px 0; }
nav { font-size: 13px; color: #777; }
nav a, .index a { color: #2c5d8f; }
)css";

void Section(std::string& out, const char* id, const std::string& title) {
  absl::StrAppend(&out, "<section id=\"", id, "\">\n<h2>", XmlEscape(title),
                  "</h2>\n");
}

void Findings(std::string& out, const RunReport& r) {
  Section(out, "findings", absl::StrCat("Findings (", r.findings.size(), ")"));
  if (r.findings.empty())
    absl::StrAppend(&out, "<p class=\"clean\">No property failed.</p>\n");
  else
    absl::StrAppend(&out,
                    "<table class=\"index\">\n<tr><th>#</th><th>title</th>"
                    "<th>property</th><th>events</th><th>variants</th>"
                    "<th>file</th></tr>\n");
  for (size_t i = 0; i < r.findings.size(); ++i) {
    const ReportFinding& f = r.findings[i];
    absl::StrAppend(
        &out, "<tr><td class=\"num\">", i + 1, "</td><td><a href=\"#finding-",
        i + 1, "\">", XmlEscape(f.title), "</a></td><td>",
        XmlEscape(f.property), "</td><td class=\"num\">",
        f.scenario.events.size(), "</td><td>",
        XmlEscape(f.variants.empty() ? f.scenario.variant()
                                     : absl::StrJoin(f.variants, " ")),
        "</td><td>",
        f.file.empty() ? ""
                       : absl::StrCat("<code>", XmlEscape(f.file), "</code>"),
        "</td></tr>\n");
  }
  if (!r.findings.empty()) absl::StrAppend(&out, "</table>\n");
  for (size_t i = 0; i < r.findings.size(); ++i) {
    const ReportFinding& f = r.findings[i];
    absl::StrAppend(
        &out, "<article class=\"finding\" id=\"finding-", i + 1,
        "\" data-title=\"", XmlEscape(f.title), "\" data-property=\"",
        XmlEscape(f.property), "\">\n<h3>BUG: ", XmlEscape(f.title),
        " <span class=\"prop\">[", XmlEscape(f.property), "]</span></h3>\n");
    absl::StrAppend(
        &out, "<p>", f.scenario.events.size(), " events; fails on ",
        XmlEscape(f.variants.empty() ? f.scenario.variant()
                                     : absl::StrJoin(f.variants, ", ")),
        f.variants.size() > 1
            ? absl::StrCat(" (replayed on ", XmlEscape(f.scenario.variant()),
                           ")")
            : "",
        f.file.empty()
            ? ""
            : absl::StrCat(", written to <code>", XmlEscape(f.file), "</code>"),
        "</p>\n");
    absl::StrAppend(&out,
                    "<details open><summary>Scenario</summary><pre "
                    "class=\"scenario\">",
                    XmlEscape(f.text), "</pre></details>\n");
    absl::StatusOr<RunResult> run = RunScenario(f.scenario, false);
    if (run.ok() && !run->violations.empty()) {
      // The finding's own report in view (its title's first violation;
      // the run may fail other properties earlier), the others one click
      // away, in the order they happened.
      size_t own = 0;
      for (size_t k = 0; k < run->violations.size(); ++k) {
        if (run->violations[k].Title() == f.title) {
          own = k;
          break;
        }
      }
      absl::StrAppend(
          &out, "<pre class=\"kasan\">",
          XmlEscape(FormatReport(run->violations[own], run->event_texts)),
          "</pre>\n");
      if (run->violations.size() > 1) {
        absl::StrAppend(&out, "<details><summary>", run->violations.size() - 1,
                        " more reports</summary><pre class=\"kasan\">");
        for (size_t k = 0; k < run->violations.size(); ++k) {
          if (k == own) continue;
          absl::StrAppend(
              &out,
              XmlEscape(FormatReport(run->violations[k], run->event_texts)),
              "\n");
        }
        absl::StrAppend(&out, "</pre></details>\n");
      }
    } else if (!run.ok()) {
      absl::StrAppend(&out, "<p>Does not replay: ",
                      XmlEscape(std::string(run.status().message())), "</p>\n");
    }
    absl::StatusOr<std::string> svg =
        RenderTimelineSvg(f.scenario, f.scenario.variant());
    if (svg.ok())
      absl::StrAppend(&out,
                      "<details open><summary>Timeline</summary><div "
                      "class=\"timeline\">",
                      *svg, "</div></details>\n");
    absl::StrAppend(&out, "</article>\n");
  }
  absl::StrAppend(&out, "</section>\n");
}

void MatrixSection(std::string& out, const RunReport& r) {
  if (r.matrix == nullptr) return;
  const Matrix& m = *r.matrix;
  Section(out, "matrix", "Variant matrix");
  absl::StrAppend(&out, "<table class=\"matrix\">\n<tr><th>variant</th>");
  for (const std::string& p : m.properties)
    absl::StrAppend(&out, "<th>", XmlEscape(p), "</th>");
  absl::StrAppend(&out, "</tr>\n");
  for (size_t v = 0; v < m.variants.size(); ++v) {
    absl::StrAppend(&out, "<tr><th>", XmlEscape(m.variants[v]), "</th>");
    for (size_t p = 0; p < m.properties.size(); ++p) {
      const MatrixCell& c = m.cell(v, p);
      if (c.ok) {
        absl::StrAppend(&out, "<td class=\"ok\">ok</td>");
        continue;
      }
      // The finding that holds this cell's counterexample.
      const std::string key = FindingKey(c.title, c.scenario);
      size_t k = 0;
      while (k < r.findings.size() &&
             FindingKey(r.findings[k].title, r.findings[k].scenario) != key)
        ++k;
      absl::StrAppend(&out, "<td class=\"fail\"><a href=\"#finding-", k + 1,
                      "\">", XmlEscape(c.title), "</a> (", c.events, ")</td>");
    }
    absl::StrAppend(&out, "</tr>\n");
  }
  absl::StrAppend(&out, "</table>\n</section>\n");
}

void CoverageSection(std::string& out, const RunReport& r) {
  if (!r.coverage) return;
  const CoverageTable& t = *r.coverage;
  Section(out, "coverage", "Model-state coverage");
  if (t.reference.empty()) {
    absl::StrAppend(
        &out, "<p>", t.transitions.size(),
        " (state, event) transitions reached. No reference: on a "
        "fixed topology the explorer says what is reachable.</p>\n");
  } else {
    absl::StrAppend(
        &out, "<p class=\"coverage-summary\">", t.reached_reachable_transitions,
        " of ", t.reachable_transitions, " (state, event) transitions and ",
        t.reached_reachable_states, " of ", t.reachable_states,
        " device states that the ", XmlEscape(t.reference),
        " reaches were reached; never-reached ones are highlighted.</p>\n");
  }
  absl::StrAppend(&out,
                  "<table class=\"coverage\">\n<tr><th>device</th><th>state"
                  "</th><th>event</th><th>count</th></tr>\n");
  for (const CoverageRow& row : t.transitions) {
    const char* cls = row.count == 0                             ? "never"
                      : (!t.reference.empty() && !row.reachable) ? "beyond"
                                                                 : "reached";
    absl::StrAppend(&out, "<tr class=\"", cls, "\"><td>", XmlEscape(row.device),
                    "</td><td>", XmlEscape(row.state), "</td><td>",
                    XmlEscape(row.event), "</td><td class=\"num\">", row.count,
                    "</td></tr>\n");
  }
  absl::StrAppend(&out, "</table>\n</section>\n");
}

absl::Status WriteWhole(const std::filesystem::path& path,
                        const std::string& text) {
  const std::filesystem::path tmp = path.string() + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << text;
    if (!f.flush())
      return absl::UnavailableError(
          absl::StrCat("cannot write ", tmp.string()));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec)
    return absl::UnavailableError(
        absl::StrCat("cannot write ", path.string(), ": ", ec.message()));
  return absl::OkStatus();
}

}  // namespace

std::string FindingKey(const std::string& title, const Scenario& s) {
  Scenario any = s;
  any.SetVariant("any");
  return title + "\n" + FormatScenario(any);
}

std::string FormatHtmlReport(const RunReport& r) {
  std::string out;
  absl::StrAppend(
      &out,
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta "
      "charset=\"utf-8\">\n<title>dsifuzz ",
      XmlEscape(r.command), " report</title>\n<style>", kStyle,
      "</style>\n</head>\n<body>\n<header>\n<h1>dsifuzz ", XmlEscape(r.command),
      "</h1>\n<p class=\"summary\">", XmlEscape(r.summary),
      "</p>\n<nav><a href=\"#parameters\">run</a>",
      r.matrix != nullptr ? " · <a href=\"#matrix\">matrix</a>" : "",
      " · <a href=\"#findings\">findings</a>",
      r.coverage ? " · <a href=\"#coverage\">coverage</a>" : "",
      "</nav>\n</header>\n");
  Section(out, "parameters", "Run");
  absl::StrAppend(&out, "<table>\n");
  for (const auto& [k, v] : r.parameters)
    absl::StrAppend(&out, "<tr><th>", XmlEscape(k), "</th><td>", XmlEscape(v),
                    "</td></tr>\n");
  absl::StrAppend(&out, "</table>\n</section>\n");
  MatrixSection(out, r);
  Findings(out, r);
  CoverageSection(out, r);
  absl::StrAppend(&out, "</body>\n</html>\n");
  return out;
}

absl::Status WriteHtmlReport(const std::string& dir, const RunReport& r) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return absl::UnavailableError(
        absl::StrCat("cannot create ", dir, ": ", ec.message()));
  absl::Status s = WriteWhole(std::filesystem::path(dir) / "report.json",
                              r.json.dump(2) + "\n");
  if (!s.ok()) return s;
  return WriteWhole(std::filesystem::path(dir) / "index.html",
                    FormatHtmlReport(r));
}

}  // namespace dsifuzz
