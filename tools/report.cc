#include "tools/report.h"

#include <algorithm>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "model/world.h"

namespace dsifuzz {

namespace {

using model::Fact;
using model::FactKind;

// Prints the model calls and the notable facts of each event, indented by
// call depth.
class TracePrinter : public model::FactSink {
 public:
  TracePrinter(const model::World* world, std::string* out)
      : world_(world), out_(out) {}

  void OnFact(const Fact& f) override {
    if (f.kind == FactKind::kEvent) {
      absl::StrAppend(out_, "[", f.event, "] ", world_->EventText(f.event),
                      f.event == 0 ? " (drivers loaded, devices added, "
                                     "nothing bound)"
                                   : "",
                      "\n");
      return;
    }
    if (f.event == 0 || f.kind == FactKind::kEnd) return;
    const model::Heap& heap = *f.heap;
    const model::Topology& topo = world_->topology();
    auto obj = [&] { return ObjectName(heap, f.obj, topo); };
    std::string line;
    switch (f.kind) {
      case FactKind::kCall:
        Line(f.value - 1, f.what);
        return;
      case FactKind::kAlloc:
        line = absl::StrCat("+ ", obj());
        break;
      case FactKind::kFree:
        line = absl::StrCat("- ", obj());
        break;
      case FactKind::kGet:
      case FactKind::kPut:
        line = absl::StrCat("refcount ", obj(), " = ", f.value);
        break;
      case FactKind::kBadAccess:
        line = absl::StrCat("!! bad access (", f.what, ") to ", obj());
        break;
      case FactKind::kDoubleFree:
        line = absl::StrCat("!! double free of ", obj());
        break;
      case FactKind::kInvalidFree:
        line = absl::StrCat("!! invalid free of ", obj());
        break;
      case FactKind::kWarn:
        line = absl::StrCat("!! WARNING: ", f.what);
        break;
      case FactKind::kOops:
        line = absl::StrCat("!! ", f.what);
        break;
      case FactKind::kHung:
        line = absl::StrCat("!! INFO: ", f.what);
        break;
      case FactKind::kFaultHit:
        line = absl::StrCat("!! injected failure: ", f.what);
        break;
      case FactKind::kPrintk:
        line = absl::StrCat("printk: ", f.what);
        if (f.value != 0) absl::StrAppend(&line, " (", f.value, ")");
        break;
      case FactKind::kProbeResult:
        line = absl::StrCat("probe returned ", f.value);
        break;
      case FactKind::kHostAttach:
        line = absl::StrCat("host attached ", obj());
        break;
      case FactKind::kHostDetach:
        line = absl::StrCat("host detached ", obj());
        break;
      case FactKind::kDevresRemove:
        line = absl::StrCat("devres node removed unrun: ", obj());
        break;
      case FactKind::kLeak:
        line = absl::StrCat("leak: ", obj());
        break;
      case FactKind::kRefLeak:
        line = absl::StrCat("leak: ", f.what);
        break;
      default:
        return;
    }
    Line(f.depth, line);
  }

 private:
  void Line(int depth, absl::string_view text) {
    absl::StrAppend(out_, std::string(2 + 2 * std::max(depth, 0), ' '), text,
                    "\n");
  }
  const model::World* world_;
  std::string* out_;
};

class FanOut : public model::FactSink {
 public:
  void OnFact(const Fact& f) override {
    for (model::FactSink* s : sinks_) s->OnFact(f);
  }
  void Add(model::FactSink* s) { sinks_.push_back(s); }

 private:
  std::vector<model::FactSink*> sinks_;
};

void AppendStack(std::string& out, const Stack& stack) {
  for (auto it = stack.rbegin(); it != stack.rend(); ++it)
    absl::StrAppend(&out, " ", *it, "\n");
}

}  // namespace

std::string ObjectName(const model::Heap& heap, model::ObjId id,
                       const model::Topology& topo) {
  if (!heap.Valid(id)) return id == 0 ? "NULL" : "a wild pointer";
  const model::Slot& s = heap.slot(id);
  std::string name = absl::StrCat(model::ObjTypeName(s.type), "#", s.ordinal);
  if (s.label.base >= 0 &&
      s.label.base < static_cast<int>(topo.devices.size())) {
    absl::StrAppend(&name, " (", topo.devices[s.label.base].name);
    if (s.label.suffix >= 0) absl::StrAppend(&name, ".", s.label.suffix);
    name += ")";
  }
  return name;
}

absl::Status ApplyScenarioEvents(model::World& world, const Scenario& s) {
  for (size_t i = 0; i < s.events.size(); ++i) {
    absl::Status st = world.Apply(s.events[i]);
    if (!st.ok())
      return absl::FailedPreconditionError(
          absl::StrCat(s.path, ":", s.event_lines[i],
                       ": event does not apply: ", st.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<RunResult> RunScenario(const Scenario& s, bool trace) {
  return RunScenario(s, s.variant(), trace);
}

absl::StatusOr<RunResult> RunScenario(const Scenario& s,
                                      absl::string_view variant_name,
                                      bool trace) {
  model::KernelFactory variant = model::FindVariant(std::string(variant_name));
  if (variant == nullptr)
    return absl::InvalidArgumentError(
        absl::StrCat(s.path, ": unknown variant ", variant_name));
  RunResult r;
  std::vector<std::unique_ptr<Property>> props = MakeAllProperties();
  FanOut sink;
  for (auto& p : props) sink.Add(p.get());
  model::World world(s.topology, variant, &sink);
  world.kernel().set_trace(trace);
  TracePrinter printer(&world, &r.trace);
  if (trace) sink.Add(&printer);
  world.Setup();
  if (absl::Status st = ApplyScenarioEvents(world, s); !st.ok()) return st;
  world.Teardown();
  for (int i = 0; i <= world.events(); ++i)
    r.event_texts.push_back(world.EventText(i));
  // One report per (property, title), in the order the facts came.
  std::vector<Violation> all;
  for (auto& p : props) {
    if (!p->violations().empty()) r.failed.emplace_back(p->name());
    for (const Violation& v : p->violations()) all.push_back(v);
  }
  std::stable_sort(
      all.begin(), all.end(),
      [](const Violation& a, const Violation& b) { return a.seq < b.seq; });
  for (Violation& v : all) {
    v.object = ObjectName(world.state().heap, v.obj, s.topology);
    bool seen = false;
    for (size_t i = 0; i < r.violations.size(); ++i) {
      if (r.violations[i].property == v.property &&
          r.violations[i].Title() == v.Title()) {
        ++r.repeats[i];
        seen = true;
        break;
      }
    }
    if (!seen) {
      r.violations.push_back(std::move(v));
      r.repeats.push_back(0);
    }
  }
  return r;
}

std::string FormatReport(const Violation& v,
                         const std::vector<std::string>& texts) {
  auto event = [&](int i) {
    std::string text = i >= 0 && i < static_cast<int>(texts.size())
                           ? texts[i]
                           : std::string("?");
    return absl::StrCat("event ", i, " (", text, ")");
  };
  std::string out = absl::StrCat("BUG: ", v.Title(), "\n");
  absl::StrAppend(&out, "property: ", v.property,
                  v.teardown ? " (during the end-of-run teardown)" : "", "\n");
  if (!v.detail.empty()) absl::StrAppend(&out, v.detail);
  if (v.obj != 0) {
    absl::StrAppend(&out, v.detail.empty() ? "" : " of ", v.object);
  }
  absl::StrAppend(&out, v.detail.empty() && v.obj == 0 ? "" : " ", "at ",
                  event(v.event), ":\n");
  AppendStack(out, v.stack);
  if (v.alloc_event >= 0) {
    absl::StrAppend(&out, "\nAllocated by ", event(v.alloc_event), ":\n");
    AppendStack(out, v.alloc_stack);
  }
  if (v.free_event >= 0) {
    absl::StrAppend(&out, "\nFreed by ", event(v.free_event), ":\n");
    AppendStack(out, v.free_stack);
  }
  return out;
}

bool OutcomeMatches(const Expectation& expect, const RunResult& r) {
  if (!expect.given()) return true;
  std::vector<std::string> want = expect.failing;
  std::vector<std::string> got = r.failed;
  std::sort(want.begin(), want.end());
  std::sort(got.begin(), got.end());
  return want == got;
}

}  // namespace dsifuzz
