#include "tools/render.h"

#include <algorithm>
#include <map>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "model/world.h"
#include "tools/report.h"

namespace dsifuzz {
namespace {

using model::Fact;
using model::FactKind;
using model::ObjId;
using model::ObjType;

// Geometry, in SVG user units (pixels at 100%).
constexpr int kLeft = 250;     // the event column
constexpr int kLane = 112;     // one object lane
constexpr int kRow = 15;       // one incident
constexpr int kTop = 140;      // title and lane headers
constexpr int kBandGap = 10;   // space between two events
constexpr int kBarWidth = 14;  // a lifetime bar

enum class Lane { kDevice, kDsiDevice, kHost, kDevres, kCore };

Lane LaneOf(ObjType t) {
  switch (t) {
    case ObjType::kPlatformDevice:
    case ObjType::kI2cClient:
      return Lane::kDevice;
    case ObjType::kMipiDsiDevice:
      return Lane::kDsiDevice;
    case ObjType::kDsiController:
      return Lane::kHost;
    case ObjType::kActionDevres:
    case ObjType::kDevresGroup:
    case ObjType::kBridgePriv:
    case ObjType::kPanelPriv:
      return Lane::kDevres;
    default:
      return Lane::kCore;
  }
}

const char* Color(Lane l) {
  switch (l) {
    case Lane::kDevice:
      return "#4e79a7";
    case Lane::kDsiDevice:
      return "#f28e2b";
    case Lane::kHost:
      return "#59a14f";
    case Lane::kDevres:
      return "#b07aa1";
    case Lane::kCore:
      break;
  }
  return "#8c8c8c";
}

// What the picture needs of one fact.
struct Incident {
  FactKind kind;
  int event = 0;
  ObjId obj = 0;
  int value = 0;
  std::string what, func;
  std::vector<std::string> stack;  // innermost first
  int row = 0;                     // y of its row
};

struct Object {
  ObjId id = 0;
  ObjType type = ObjType::kNull;
  std::string name;  // "struct mipi_dsi_device#1 (host0.0)"
  uint32_t alloc_seq = 0;
  bool involved = false;  // in a bad access, a bad free or a leak
};

class Collector : public model::FactSink {
 public:
  explicit Collector(const model::Topology& topo) : topo_(topo) {}
  void OnFact(const Fact& f) override {
    if (f.kind == FactKind::kCall) {
      if (f.event >= static_cast<int>(calls_.size()))
        calls_.resize(f.event + 1);
      calls_[f.event].push_back(
          absl::StrCat(std::string(2 * std::max(f.value - 1, 0), ' '), f.what));
      return;
    }
    switch (f.kind) {
      case FactKind::kAlloc:
      case FactKind::kFree:
      case FactKind::kBadAccess:
      case FactKind::kDoubleFree:
      case FactKind::kInvalidFree:
      case FactKind::kGet:
      case FactKind::kPut:
      case FactKind::kHostAttach:
      case FactKind::kHostDetach:
      case FactKind::kWarn:
      case FactKind::kOops:
      case FactKind::kLeak:
        break;
      default:
        return;
    }
    Incident in;
    in.kind = f.kind;
    in.event = f.event;
    in.obj = f.obj;
    in.value = f.value;
    in.what = f.what;
    in.func = f.func;
    for (int i = f.depth - 1; i >= 0 && f.stack != nullptr; --i)
      in.stack.emplace_back(f.stack[i]);
    if (f.kind == FactKind::kAlloc && f.heap != nullptr &&
        f.heap->Valid(f.obj)) {
      Object o;
      o.id = f.obj;
      o.type = f.heap->slot(f.obj).type;
      o.alloc_seq = f.seq;
      objects_[f.obj] = o;
    }
    if (f.kind == FactKind::kBadAccess || f.kind == FactKind::kDoubleFree ||
        f.kind == FactKind::kInvalidFree || f.kind == FactKind::kLeak) {
      auto it = objects_.find(f.obj);
      if (it != objects_.end()) it->second.involved = true;
    }
    incidents_.push_back(std::move(in));
  }
  void Name(const model::Heap& heap) {
    for (auto& [id, o] : objects_) o.name = ObjectName(heap, id, topo_);
  }

  const model::Topology& topo_;
  std::map<ObjId, Object> objects_;
  std::vector<Incident> incidents_;
  std::vector<std::vector<std::string>> calls_;  // by event
};

// "struct mipi_dsi_device#1 (host0.0)" -> {"mipi_dsi_device#1", "host0.0"}
std::pair<std::string, std::string> HeaderLines(const std::string& name) {
  std::string a = name, b;
  if (a.rfind("struct ", 0) == 0) a = a.substr(7);
  const size_t paren = a.find(" (");
  if (paren != std::string::npos) {
    b = a.substr(paren + 2, a.size() - paren - 3);
    a = a.substr(0, paren);
  }
  return {a, b};
}

}  // namespace

absl::StatusOr<std::string> RenderTimelineSvg(const Scenario& s,
                                              const std::string& variant) {
  model::KernelFactory factory = model::FindVariant(variant);
  if (factory == nullptr)
    return absl::InvalidArgumentError(
        absl::StrCat(s.path, ": unknown variant ", variant));
  absl::StatusOr<RunResult> run = RunScenario(s, variant, false);
  if (!run.ok()) return run.status();

  Collector c(s.topology);
  model::World world(s.topology, factory, &c);
  world.kernel().set_trace(true);
  world.Setup();
  if (absl::Status st = ApplyScenarioEvents(world, s); !st.ok()) return st;
  world.Teardown();
  c.Name(world.state().heap);

  // Lanes: devices, DSI devices, host structs, devres, then driver-core
  // objects (device_private, kobject names) only when something went wrong
  // with them; in allocation order within each.
  std::vector<const Object*> lanes;
  for (const auto& [id, o] : c.objects_) {
    if (LaneOf(o.type) != Lane::kCore || o.involved) lanes.push_back(&o);
  }
  std::stable_sort(lanes.begin(), lanes.end(),
                   [](const Object* a, const Object* b) {
                     if (LaneOf(a->type) != LaneOf(b->type))
                       return LaneOf(a->type) < LaneOf(b->type);
                     return a->alloc_seq < b->alloc_seq;
                   });
  std::map<ObjId, int> lane_x;  // centre of each lane
  for (size_t i = 0; i < lanes.size(); ++i)
    lane_x[lanes[i]->id] = kLeft + static_cast<int>(i) * kLane + kLane / 2;
  auto shown = [&](ObjId id) { return lane_x.count(id) != 0; };

  // Rows: one per incident drawn, setup in a single row; a gap between
  // events.
  const int events = world.events();
  std::vector<int> band_top(events + 2, 0);
  int y = kTop;
  size_t k = 0;
  for (int e = 0; e <= events; ++e) {
    band_top[e] = y;
    y += kRow;  // the event's label row
    bool any = false;
    for (; k < c.incidents_.size() && c.incidents_[k].event == e; ++k) {
      Incident& in = c.incidents_[k];
      const bool drawn = shown(in.obj) || in.kind == FactKind::kWarn ||
                         in.kind == FactKind::kOops;
      in.row = y;
      if (drawn && (e != 0 || !any)) {
        if (e != 0) y += kRow;
        any = true;
      }
    }
    if (e == 0) y += kRow;
    y += kBandGap;
  }
  band_top[events + 1] = y;
  const int bottom = y;
  const int width =
      kLeft + std::max<int>(static_cast<int>(lanes.size()), 3) * kLane + 230;
  const int height = bottom + 70;

  std::string svg = absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
      "viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, Verdana, sans-serif\" "
      "font-size=\"11\">\n",
      width, height, width, height);
  absl::StrAppend(&svg,
                  "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n");
  // Title: the scenario, the variant, the first violation.
  std::string verdict = "clean";
  if (!run->violations.empty()) {
    const Violation& v = run->violations.front();
    verdict = absl::StrCat("BUG: ", v.Title(), " (event ", v.event, ")");
  }
  absl::StrAppend(
      &svg, "<text x=\"16\" y=\"26\" font-size=\"16\" font-weight=\"bold\">",
      XmlEscape(s.path), " on ", XmlEscape(variant), "</text>\n",
      "<text x=\"16\" y=\"46\" font-size=\"13\" fill=\"",
      run->violations.empty() ? "#2a7a2a" : "#c0392b", "\">",
      XmlEscape(verdict));
  if (run->violations.size() > 1)
    absl::StrAppend(&svg, " and ", run->violations.size() - 1, " more");
  svg += "</text>\n";

  // Event bands and labels, with the event's call chain on hover.
  for (int e = 0; e <= events; ++e) {
    const int top = band_top[e], h = band_top[e + 1] - top - kBandGap;
    const bool teardown = e < static_cast<int>(run->event_texts.size()) &&
                          run->event_texts[e].rfind("teardown", 0) == 0;
    absl::StrAppend(&svg, "<g class=\"event\"><title>",
                    XmlEscape(run->event_texts[e]), "\n");
    if (e < static_cast<int>(c.calls_.size())) {
      for (const std::string& line : c.calls_[e])
        absl::StrAppend(&svg, XmlEscape(line), "\n");
    }
    absl::StrAppendFormat(
        &svg,
        "</title><rect x=\"8\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"4\" "
        "fill=\"%s\"/>\n",
        top - 2, width - 16, h + 4,
        teardown ? "#f4f1ea" : (e % 2 ? "#f3f6fa" : "#fafafa"));
    absl::StrAppendFormat(&svg,
                          "<text x=\"16\" y=\"%d\" font-weight=\"bold\">[%d] "
                          "%s</text></g>\n",
                          top + 11, e, XmlEscape(run->event_texts[e]));
  }

  // Lane headers and lifetime bars.
  for (size_t li = 0; li < lanes.size(); ++li) {
    const Object* o = lanes[li];
    const int x = lane_x[o->id];
    const auto [a, b] = HeaderLines(o->name);
    const char* col = Color(LaneOf(o->type));
    // Every other header one line higher, so long names do not collide.
    const int hy = kTop - 12 - (li % 2 ? 28 : 0);
    absl::StrAppendFormat(
        &svg,
        "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-weight=\"bold\" "
        "fill=\"%s\">%s</text>\n",
        x, hy - 13, col, XmlEscape(a));
    if (!b.empty())
      absl::StrAppendFormat(&svg,
                            "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" "
                            "fill=\"#555\">%s</text>\n",
                            x, hy, XmlEscape(b));
    absl::StrAppendFormat(&svg,
                          "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
                          "stroke=\"#ccc\"/>\n",
                          x, hy + 3, x, kTop - 4);
    int from = -1, to = bottom - kBandGap, alloc_event = -1, free_event = -1;
    bool freed = false, leaked = false;
    for (const Incident& in : c.incidents_) {
      if (in.obj != o->id) continue;
      if (in.kind == FactKind::kAlloc && from < 0) {
        from = in.row;
        alloc_event = in.event;
      }
      if (in.kind == FactKind::kFree && !freed) {
        to = in.row + kRow / 2;
        freed = true;
        free_event = in.event;
      }
      if (in.kind == FactKind::kLeak) leaked = true;
    }
    if (from < 0) continue;
    absl::StrAppendFormat(
        &svg,
        "<g class=\"lifetime\" data-object=\"%s\" data-alloc-event=\"%d\" "
        "data-free-event=\"%d\" data-x=\"%d\"><title>%s: allocated, then "
        "%s</title><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
        "rx=\"3\" fill=\"%s\" fill-opacity=\"0.85\"/></g>\n",
        XmlEscape(o->name), alloc_event, free_event, x, XmlEscape(o->name),
        freed ? "freed" : (leaked ? "leaked" : "alive"), x - kBarWidth / 2,
        from, kBarWidth, std::max(to - from, 4), col);
    if (freed) {
      // Freed memory: a dashed outline to the bottom, where a bad access
      // lands.
      absl::StrAppendFormat(
          &svg,
          "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
          "stroke=\"%s\" stroke-opacity=\"0.5\" stroke-dasharray=\"3 3\"/>\n"
          "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#222\" "
          "stroke-width=\"2\"/>\n",
          x - kBarWidth / 2, to, kBarWidth, bottom - kBandGap - to, col,
          x - kBarWidth, to, x + kBarWidth, to);
    } else if (leaked) {
      absl::StrAppendFormat(&svg,
                            "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" "
                            "fill=\"#c0392b\" font-weight=\"bold\">leaked"
                            "</text>\n",
                            x, bottom + 4);
    }
  }

  // Attachment to a host: a dark strip beside the DSI device's bar.
  std::map<ObjId, int> attached_at;
  for (const Incident& in : c.incidents_) {
    if (!shown(in.obj)) continue;
    const int x = lane_x[in.obj];
    if (in.kind == FactKind::kHostAttach) attached_at[in.obj] = in.row;
    if (in.kind == FactKind::kHostDetach && attached_at.count(in.obj)) {
      absl::StrAppendFormat(
          &svg,
          "<g><title>attached to its host</title><rect x=\"%d\" y=\"%d\" "
          "width=\"4\" height=\"%d\" fill=\"#333\"/></g>\n",
          x + kBarWidth / 2 + 1, attached_at[in.obj],
          std::max(in.row - attached_at[in.obj], 2));
      attached_at.erase(in.obj);
    }
  }
  for (const auto& [id, from] : attached_at) {
    absl::StrAppendFormat(&svg,
                          "<g><title>attached to its host</title><rect "
                          "x=\"%d\" y=\"%d\" width=\"4\" height=\"%d\" "
                          "fill=\"#333\"/></g>\n",
                          lane_x[id] + kBarWidth / 2 + 1, from,
                          bottom - kBandGap - from);
  }

  // Reference counts, and the marks.
  for (const Incident& in : c.incidents_) {
    const bool lane = shown(in.obj);
    // A WARN or oops about no drawn object goes in the log column.
    const int x = lane ? lane_x[in.obj]
                       : kLeft + static_cast<int>(lanes.size()) * kLane + 16;
    const int cy = in.row + kRow / 2;
    std::string stack;
    for (const std::string& f : in.stack) absl::StrAppend(&stack, "\n  ", f);
    switch (in.kind) {
      case FactKind::kGet:
      case FactKind::kPut:
        if (!lane || in.event == 0) break;
        absl::StrAppendFormat(
            &svg,
            "<g><title>refcount %s %d%s</title><text x=\"%d\" y=\"%d\" "
            "font-size=\"9\" fill=\"#333\">%s%d</text></g>\n",
            in.kind == FactKind::kGet ? "up to" : "down to", in.value,
            XmlEscape(stack), x - kBarWidth / 2 - 16, cy + 3,
            in.kind == FactKind::kGet ? "&#8593;" : "&#8595;", in.value);
        break;
      case FactKind::kBadAccess:
      case FactKind::kDoubleFree:
      case FactKind::kInvalidFree: {
        if (!lane) break;
        const std::string what =
            in.kind == FactKind::kBadAccess
                ? in.what
                : (in.kind == FactKind::kDoubleFree ? "double free"
                                                    : "invalid free");
        absl::StrAppendFormat(
            &svg,
            "<g class=\"bad-access\" data-object=\"%s\" data-event=\"%d\" "
            "data-x=\"%d\"><title>%s in %s%s</title>"
            "<circle cx=\"%d\" cy=\"%d\" r=\"7\" fill=\"#d62728\" "
            "stroke=\"#fff\" stroke-width=\"1.5\"/>"
            "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#fff\" "
            "font-weight=\"bold\" font-size=\"11\">!</text>"
            "<text x=\"%d\" y=\"%d\" fill=\"#d62728\" font-size=\"10\">%s"
            "</text></g>\n",
            XmlEscape(c.objects_[in.obj].name), in.event, x, XmlEscape(what),
            XmlEscape(in.func), XmlEscape(stack), x, cy, x, cy + 4,
            x + kBarWidth, cy + 4, XmlEscape(what));
        break;
      }
      case FactKind::kWarn:
      case FactKind::kOops:
        absl::StrAppendFormat(
            &svg,
            "<g class=\"warn\"><title>%s %s in %s%s</title>"
            "<path d=\"M%d %d l7 12 h-14 z\" fill=\"%s\"/>"
            "<text x=\"%d\" y=\"%d\" fill=\"%s\" font-size=\"10\">%s %s"
            "</text></g>\n",
            in.kind == FactKind::kWarn ? "WARNING" : "oops", XmlEscape(in.what),
            XmlEscape(in.func), XmlEscape(stack), x, cy - 6,
            in.kind == FactKind::kWarn ? "#e6a100" : "#222", x + 10, cy + 4,
            in.kind == FactKind::kWarn ? "#a06a00" : "#222",
            in.kind == FactKind::kWarn ? "WARN" : "oops", XmlEscape(in.func));
        break;
      case FactKind::kAlloc:
        if (lane && in.event != 0)
          absl::StrAppendFormat(&svg,
                                "<g><title>allocated in %s%s</title><circle "
                                "cx=\"%d\" cy=\"%d\" r=\"3\" fill=\"#fff\"/>"
                                "</g>\n",
                                XmlEscape(in.func), XmlEscape(stack), x,
                                in.row + 4);
        break;
      case FactKind::kFree:
        if (lane)
          absl::StrAppendFormat(
              &svg,
              "<g><title>freed in %s%s</title><rect x=\"%d\" y=\"%d\" "
              "width=\"%d\" height=\"6\" fill-opacity=\"0\"/></g>\n",
              XmlEscape(in.func), XmlEscape(stack), x - kBarWidth, cy - 3,
              2 * kBarWidth);
        break;
      default:
        break;
    }
  }

  // Legend.
  const int ly = bottom + 30;
  const struct {
    Lane lane;
    const char* text;
  } legend[] = {{Lane::kDevice, "struct device of a controller or bridge"},
                {Lane::kDsiDevice, "DSI device"},
                {Lane::kHost, "host struct (controller driver data)"},
                {Lane::kDevres, "devres node or devm memory"},
                {Lane::kCore, "driver-core object"}};
  int lx = 16;
  for (const auto& l : legend) {
    absl::StrAppendFormat(&svg,
                          "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" "
                          "rx=\"2\" fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s"
                          "</text>\n",
                          lx, ly, Color(l.lane), lx + 16, ly + 10, l.text);
    lx += 30 + 6 * static_cast<int>(std::string_view(l.text).size());
  }
  absl::StrAppendFormat(
      &svg,
      "<text x=\"16\" y=\"%d\" fill=\"#555\">Bars: from allocation to free "
      "(dashed: freed memory); &#8593;&#8595;N: reference count; dark strip: "
      "attached to the host; red !: bad access; hover for the call "
      "chain.</text>\n",
      ly + 30);
  svg += "</svg>\n";
  return svg;
}

std::string XmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace dsifuzz
