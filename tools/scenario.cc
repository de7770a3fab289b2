#include "tools/scenario.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "properties/property.h"

namespace dsifuzz {

using model::DeviceKind;
using model::Event;
using model::EventKind;
using model::Style;

namespace {

struct Named {
  const char* name;
  int value;
};

constexpr Named kKinds[] = {
    {"dsi-controller", static_cast<int>(DeviceKind::kDsiController)},
    {"i2c-bridge", static_cast<int>(DeviceKind::kI2cBridge)},
    {"dsi-panel", static_cast<int>(DeviceKind::kDsiPanel)},
};
constexpr Named kBridgeStyles[] = {
    {"devm-probe", static_cast<int>(Style::kDevmProbe)},
    {"manual", static_cast<int>(Style::kManual)},
    {"no-unregister", static_cast<int>(Style::kNoUnregister)},
};
constexpr Named kPanelStyles[] = {
    {"attach", static_cast<int>(Style::kAttach)},
    {"devm-attach", static_cast<int>(Style::kDevmAttach)},
};
constexpr Named kEventKinds[] = {
    {"bind", static_cast<int>(EventKind::kBind)},
    {"unbind", static_cast<int>(EventKind::kUnbind)},
    {"remove", static_cast<int>(EventKind::kRemove)},
    {"add", static_cast<int>(EventKind::kAdd)},
    {"rmmod", static_cast<int>(EventKind::kRmmod)},
    {"insmod", static_cast<int>(EventKind::kInsmod)},
    {"deferred-probe", static_cast<int>(EventKind::kDeferredProbe)},
    {"transfer", static_cast<int>(EventKind::kTransfer)},
    {"fail", static_cast<int>(EventKind::kFail)},
};
constexpr Named kDrivers[] = {
    {"dsi-controller", 0},
    {"i2c-bridge", 1},
    {"dsi-panel", 2},
};
constexpr Named kSites[] = {
    {"kzalloc", 0}, {"devres", 1}, {"attach", 2}, {"device_add", 3}};

template <size_t N>
int Lookup(const Named (&table)[N], absl::string_view word) {
  for (const Named& n : table) {
    if (word == n.name) return n.value;
  }
  return -1;
}

template <size_t N>
std::string Choices(const Named (&table)[N]) {
  std::vector<std::string> names;
  for (const Named& n : table) names.push_back(n.name);
  return absl::StrJoin(names, ", ");
}

template <size_t N>
const char* NameOf(const Named (&table)[N], int value) {
  for (const Named& n : table) {
    if (n.value == value) return n.name;
  }
  return "?";
}

bool ValidName(absl::string_view name) {
  if (name.empty() || name.size() > 15) return false;
  if (!(name[0] >= 'a' && name[0] <= 'z')) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-'))
      return false;
  }
  return true;
}

std::vector<absl::string_view> Words(absl::string_view line) {
  return absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
}

absl::Status ParseDevice(const std::vector<absl::string_view>& w,
                         model::Topology& topo) {
  if (w.size() < 3)
    return absl::InvalidArgumentError(
        "expected 'device NAME KIND [host=H] [style=S] [channel=N]'");
  model::TopoDevice d;
  d.name = std::string(w[1]);
  if (!ValidName(d.name))
    return absl::InvalidArgumentError(absl::StrCat(
        "bad device name '", d.name,
        "': expected 1-15 characters of a-z, 0-9, '_' or '-', starting with "
        "a letter"));
  if (topo.Find(d.name) >= 0)
    return absl::InvalidArgumentError(
        absl::StrCat("device '", d.name, "' is declared twice"));
  int kind = Lookup(kKinds, w[2]);
  if (kind < 0)
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown device kind '", w[2], "': expected one of ", Choices(kKinds)));
  d.kind = static_cast<DeviceKind>(kind);
  bool has_host = false, has_style = false;
  for (size_t i = 3; i < w.size(); ++i) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(w[i], absl::MaxSplits('=', 1));
    if (kv.first == "host") {
      int h = topo.Find(std::string(kv.second));
      if (h < 0 || topo.devices[h].kind != DeviceKind::kDsiController)
        return absl::InvalidArgumentError(absl::StrCat(
            "host=", kv.second,
            ": expected the name of a dsi-controller declared above"));
      d.host = static_cast<int16_t>(h);
      has_host = true;
    } else if (kv.first == "style") {
      int s =
          d.kind == DeviceKind::kI2cBridge  ? Lookup(kBridgeStyles, kv.second)
          : d.kind == DeviceKind::kDsiPanel ? Lookup(kPanelStyles, kv.second)
                                            : -1;
      if (s < 0)
        return absl::InvalidArgumentError(absl::StrCat(
            "style=", kv.second, ": expected ",
            d.kind == DeviceKind::kI2cBridge ? Choices(kBridgeStyles)
            : d.kind == DeviceKind::kDsiPanel
                ? Choices(kPanelStyles)
                : std::string("no style for a dsi-controller")));
      d.style = static_cast<Style>(s);
      has_style = true;
    } else if (kv.first == "channel") {
      uint32_t ch = 0;
      if (!absl::SimpleAtoi(kv.second, &ch) || ch > 7)
        return absl::InvalidArgumentError(absl::StrCat(
            "channel=", kv.second, ": expected a number from 0 to 7"));
      d.channel = ch;
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown attribute '", w[i],
                       "': expected host=, style= or channel="));
    }
  }
  if (d.kind != DeviceKind::kDsiController && !has_host)
    return absl::InvalidArgumentError(
        absl::StrCat(d.name, ": a peripheral needs host=CONTROLLER"));
  if (d.kind == DeviceKind::kDsiController && has_host)
    return absl::InvalidArgumentError("a dsi-controller takes no host=");
  if (!has_style) {
    if (d.kind == DeviceKind::kI2cBridge) d.style = Style::kDevmProbe;
    if (d.kind == DeviceKind::kDsiPanel) d.style = Style::kAttach;
  }
  topo.devices.push_back(std::move(d));
  return absl::OkStatus();
}

std::string StyleName(const model::TopoDevice& d) {
  if (d.kind == DeviceKind::kI2cBridge)
    return NameOf(kBridgeStyles, static_cast<int>(d.style));
  return NameOf(kPanelStyles, static_cast<int>(d.style));
}

}  // namespace

absl::StatusOr<Event> ParseEvent(absl::string_view line,
                                 const model::Topology& topo) {
  std::vector<absl::string_view> w = Words(line);
  if (w.empty()) return absl::InvalidArgumentError("expected an event");
  int kind = Lookup(kEventKinds, w[0]);
  if (kind < 0)
    return absl::InvalidArgumentError(
        absl::StrCat("unknown event '", w[0], "': expected one of ",
                     Choices(kEventKinds), ", or device, variant, expect"));
  Event e;
  e.kind = static_cast<EventKind>(kind);
  switch (e.kind) {
    case EventKind::kDeferredProbe:
      if (w.size() != 1)
        return absl::InvalidArgumentError("deferred-probe takes no argument");
      return e;
    case EventKind::kRmmod:
    case EventKind::kInsmod:
      if (w.size() != 2 ||
          (e.arg = static_cast<int16_t>(Lookup(kDrivers, w[1]))) < 0)
        return absl::InvalidArgumentError(
            absl::StrCat("expected '", w[0], " DRIVER' with DRIVER one of ",
                         Choices(kDrivers)));
      return e;
    case EventKind::kFail: {
      if (w.size() < 2 || w.size() > 3 ||
          (e.arg = static_cast<int16_t>(Lookup(kSites, w[1]))) < 0)
        return absl::InvalidArgumentError(absl::StrCat(
            "expected 'fail SITE [N]' with SITE one of ", Choices(kSites)));
      if (w.size() == 3) {
        uint32_t n = 0;
        if (!absl::SimpleAtoi(w[2], &n) || n < 1 || n > 1000)
          return absl::InvalidArgumentError(absl::StrCat(
              "fail ", w[1], " ", w[2], ": expected a count from 1 to 1000"));
        e.count = static_cast<uint16_t>(n);
      }
      return e;
    }
    default:
      break;
  }
  if (w.size() != 2)
    return absl::InvalidArgumentError(
        absl::StrCat("expected '", w[0], " DEVICE'"));
  int dev = topo.Find(std::string(w[1]));
  if (dev < 0)
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown device '", w[1], "': expected a device declared above"));
  e.arg = static_cast<int16_t>(dev);
  return e;
}

void Scenario::SetVariant(absl::string_view name) {
  variants.clear();
  variants.push_back({std::string(name), Expectation{}});
}

bool Scenario::has_expect() const {
  for (const ScenarioVariant& v : variants) {
    if (v.expect.given()) return true;
  }
  return false;
}

std::vector<std::string> Scenario::VariantNames() const {
  std::vector<std::string> names;
  for (const ScenarioVariant& v : variants) names.push_back(v.name);
  return names;
}

const Expectation* Scenario::ExpectationFor(absl::string_view name) const {
  for (const ScenarioVariant& v : variants) {
    if (v.name == name) return &v.expect;
  }
  return nullptr;
}

namespace {

constexpr char kNoMixing[] =
    "qualified and unqualified expect lines do not mix";

// Adds the words of an expect line ("clean" or property names) to `e`.
// `form` is the line's syntax, for the error of an empty line.
absl::Status ParseExpectWords(const std::vector<absl::string_view>& words,
                              absl::string_view form, Expectation& e) {
  if (words.empty())
    return absl::InvalidArgumentError(
        absl::StrCat("expected '", form, "clean' or '", form, "PROPERTY...'"));
  std::vector<std::string> known = PropertyNames();
  for (absl::string_view word : words) {
    if (word == "clean") {
      e.clean = true;
      continue;
    }
    if (std::find(known.begin(), known.end(), word) == known.end())
      return absl::InvalidArgumentError(
          absl::StrCat("unknown property '", word, "': expected clean or ",
                       absl::StrJoin(known, ", ")));
    if (std::find(e.failing.begin(), e.failing.end(), word) == e.failing.end())
      e.failing.emplace_back(word);
  }
  if (e.clean && !e.failing.empty())
    return absl::InvalidArgumentError(
        "'expect clean' cannot be combined with failing properties");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Scenario> ParseScenario(absl::string_view text,
                                       absl::string_view path) {
  Scenario s;
  s.path = std::string(path);
  bool header = false;
  // Set by the first variant line, which replaces the default variant.
  bool variant_declared = false;
  // Per variant: the line declaring it, and the line of its qualified
  // expect (0: none).
  std::vector<int> variant_lines, expect_lines;
  // The unqualified expect lines, added up, and the first one's line.
  Expectation unqualified;
  int unqualified_line = 0, qualified_line = 0;
  int lineno = 0;
  auto error = [&](const absl::Status& st) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ":", lineno, ": ", st.message()));
  };
  auto declared = [&] {
    return variant_declared ? absl::StrJoin(s.VariantNames(), ", ")
                            : std::string("none");
  };
  auto needs_qualified = [&] {
    return absl::InvalidArgumentError(absl::StrCat(
        "an unqualified expect needs a single variant, and this file names ",
        s.variants.size(), " (", declared(),
        "): expected 'expect VARIANT: clean' or 'expect VARIANT: "
        "PROPERTY...'"));
  };
  for (absl::string_view raw : absl::StrSplit(text, '\n')) {
    ++lineno;
    absl::string_view line = absl::StripAsciiWhitespace(raw);
    if (!header) {
      if (line.empty()) continue;
      if (line != kScenarioHeader)
        return error(absl::InvalidArgumentError(
            absl::StrCat("expected the header line '", kScenarioHeader, "'")));
      header = true;
      continue;
    }
    size_t hash = line.find('#');
    if (hash != absl::string_view::npos) line = line.substr(0, hash);
    line = absl::StripAsciiWhitespace(line);
    if (line.empty()) continue;
    std::vector<absl::string_view> w = Words(line);
    if (w[0] == "variant") {
      if (w.size() != 2)
        return error(absl::InvalidArgumentError("expected 'variant NAME'"));
      if (!s.events.empty() || !s.topology.devices.empty())
        return error(absl::InvalidArgumentError(
            "variant lines come before devices and events"));
      if (model::FindVariant(std::string(w[1])) == nullptr)
        return error(absl::InvalidArgumentError(
            absl::StrCat("unknown variant '", w[1], "': expected one of ",
                         absl::StrJoin(model::VariantNames(), ", "))));
      if (!variant_declared) {
        s.variants.clear();
        variant_declared = true;
      }
      for (size_t i = 0; i < s.variants.size(); ++i) {
        if (s.variants[i].name == w[1])
          return error(absl::InvalidArgumentError(
              absl::StrCat("variant '", w[1], "' is declared twice (first at ",
                           "line ", variant_lines[i], ")")));
      }
      s.variants.push_back({std::string(w[1]), Expectation{}});
      variant_lines.push_back(lineno);
      expect_lines.push_back(0);
      if (unqualified_line != 0 && s.variants.size() > 1) {
        lineno = unqualified_line;
        return error(needs_qualified());
      }
    } else if (w[0] == "expect") {
      absl::string_view rest = line.substr(w[0].size());
      size_t colon = rest.find(':');
      if (colon == absl::string_view::npos) {
        // `expect PROPERTY...|clean`: the single variant's, added up.
        if (s.variants.size() > 1) return error(needs_qualified());
        if (qualified_line != 0)
          return error(absl::InvalidArgumentError(absl::StrCat(
              "expected 'expect VARIANT: ...' like the expect line at line ",
              qualified_line, ": ", kNoMixing)));
        absl::Status st = ParseExpectWords(Words(rest), "expect ", unqualified);
        if (!st.ok()) return error(st);
        if (unqualified_line == 0) unqualified_line = lineno;
        continue;
      }
      // `expect VARIANT: PROPERTY...|clean`.
      std::vector<absl::string_view> name = Words(rest.substr(0, colon));
      if (name.size() != 1)
        return error(absl::InvalidArgumentError(
            "expected 'expect VARIANT: clean' or 'expect VARIANT: "
            "PROPERTY...', with one variant name before ':'"));
      if (unqualified_line != 0)
        return error(absl::InvalidArgumentError(absl::StrCat(
            "expected 'expect PROPERTY...' like the expect line at line ",
            unqualified_line, ": ", kNoMixing)));
      size_t v = 0;
      while (v < s.variants.size() &&
             !(variant_declared && s.variants[v].name == name[0]))
        ++v;
      if (v == s.variants.size()) {
        const bool exists = model::FindVariant(std::string(name[0])) != nullptr;
        return error(absl::InvalidArgumentError(absl::StrCat(
            exists ? "undeclared" : "unknown", " variant '", name[0],
            "' in expect: expected one of the variants declared above (",
            declared(), ")",
            exists ? absl::StrCat(", or a 'variant ", name[0],
                                  "' line before the devices")
                   : "")));
      }
      if (expect_lines[v] != 0)
        return error(absl::InvalidArgumentError(absl::StrCat(
            "a second expect line for variant '", name[0], "' (the first is ",
            "at line ", expect_lines[v], "): expected one per variant")));
      const std::string form = absl::StrCat("expect ", name[0], ": ");
      absl::Status st = ParseExpectWords(Words(rest.substr(colon + 1)), form,
                                         s.variants[v].expect);
      if (!st.ok()) return error(st);
      expect_lines[v] = lineno;
      if (qualified_line == 0) qualified_line = lineno;
    } else if (w[0] == "device") {
      if (!s.events.empty())
        return error(absl::InvalidArgumentError(
            "devices are declared before the first event"));
      absl::Status st = ParseDevice(w, s.topology);
      if (!st.ok()) return error(st);
    } else {
      absl::StatusOr<Event> e = ParseEvent(line, s.topology);
      if (!e.ok()) return error(e.status());
      s.events.push_back(*e);
      s.event_lines.push_back(lineno);
    }
  }
  if (!header) {
    lineno = 1;
    return error(absl::InvalidArgumentError(absl::StrCat(
        "empty file: expected the header line '", kScenarioHeader, "'")));
  }
  if (unqualified_line != 0) s.variants.front().expect = unqualified;
  // Qualified expect lines: every variant has one, or none has.
  if (qualified_line != 0) {
    for (size_t v = 0; v < s.variants.size(); ++v) {
      if (expect_lines[v] != 0) continue;
      lineno = variant_lines[v];
      return error(absl::InvalidArgumentError(absl::StrCat(
          "variant '", s.variants[v].name,
          "' has no expect line, but another variant has one (line ",
          qualified_line, "): expected 'expect ", s.variants[v].name,
          ": ...' for every variant, or no expect line")));
    }
  }
  return s;
}

absl::StatusOr<Scenario> LoadScenario(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open file"));
  std::stringstream buf;
  buf << in.rdbuf();
  return ParseScenario(buf.str(), path);
}

std::string FormatExpectation(const Expectation& e) {
  if (!e.failing.empty()) return absl::StrJoin(e.failing, " ");
  return e.clean ? "clean" : "";
}

std::string FormatScenario(const Scenario& s) {
  std::string out = absl::StrCat(kScenarioHeader, "\n");
  for (const ScenarioVariant& v : s.variants)
    absl::StrAppend(&out, "variant ", v.name, "\n");
  const model::Topology& t = s.topology;
  for (const model::TopoDevice& d : t.devices) {
    absl::StrAppend(&out, "device ", d.name, " ",
                    NameOf(kKinds, static_cast<int>(d.kind)));
    if (d.kind != DeviceKind::kDsiController) {
      absl::StrAppend(&out, " host=", t.devices[d.host].name,
                      " style=", StyleName(d));
      if (d.channel != 0) absl::StrAppend(&out, " channel=", d.channel);
    }
    out += "\n";
  }
  for (const Event& e : s.events) {
    std::string line = model::EventKindName(e.kind);
    switch (e.kind) {
      case EventKind::kDeferredProbe:
        break;
      case EventKind::kRmmod:
      case EventKind::kInsmod:
        absl::StrAppend(&line, " ", NameOf(kDrivers, e.arg));
        break;
      case EventKind::kFail:
        absl::StrAppend(&line, " ", NameOf(kSites, e.arg));
        if (e.count != 1) absl::StrAppend(&line, " ", e.count);
        break;
      default:
        absl::StrAppend(&line, " ", t.devices[e.arg].name);
    }
    absl::StrAppend(&out, line, "\n");
  }
  for (const ScenarioVariant& v : s.variants) {
    if (!v.expect.given()) continue;
    absl::StrAppend(&out, "expect ",
                    s.variants.size() == 1 ? "" : absl::StrCat(v.name, ": "),
                    FormatExpectation(v.expect), "\n");
  }
  return out;
}

}  // namespace dsifuzz
