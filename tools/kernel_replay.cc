#include "tools/kernel_replay.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <memory>

#include "absl/strings/str_cat.h"
#include "model/world.h"
#include "properties/property.h"
#include "tools/generator.h"
#include "tools/report.h"
#include "tools/rng.h"

namespace dsifuzz {

using Class = FirstReport::Class;
using model::DeviceKind;
using model::Event;
using model::EventKind;
using model::Fact;
using model::Style;

const char* ClassName(Class c) {
  switch (c) {
    case Class::kClean:
      return "clean";
    case Class::kUseAfterFree:
      return "use-after-free";
    case Class::kDoubleFree:
      return "double-free";
    case Class::kInvalidFree:
      return "invalid-free";
    case Class::kOops:
      return "oops";
    case Class::kWarning:
      return "WARNING";
    case Class::kLeak:
      return "leak";
    case Class::kHung:
      return "hung";
    case Class::kOther:
      break;
  }
  return "other";
}

namespace {

// Every property, as one sink.
class CaseSink : public model::FactSink {
 public:
  CaseSink() : props_(MakeAllProperties()) {}
  void OnFact(const Fact& f) override {
    for (auto& p : props_) p->OnFact(f);
  }
  const std::vector<std::unique_ptr<Property>>& props() const { return props_; }

 private:
  std::vector<std::unique_ptr<Property>> props_;
};

// The class a kernel would report a model violation under, or kOther when
// the kernel has no check that fires there.
Class KernelClass(const Violation& v) {
  if (v.kind == "use-after-free") return Class::kUseAfterFree;
  if (v.kind == "double-free") return Class::kDoubleFree;
  if (v.kind == "invalid-free") return Class::kInvalidFree;
  if (v.kind == "null-ptr-deref" || v.kind == "oops") return Class::kOops;
  if (v.kind == "WARNING") return Class::kWarning;
  // An object left allocated is kmemleak's; a count not back to its base
  // (of_node references, host_list) has no kernel check.
  if (v.kind == "leak" && v.obj != 0) return Class::kLeak;
  return Class::kOther;
}

std::string CString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

const char* StyleName(Style s) {
  switch (s) {
    case Style::kNone:
      return "DFZ_NONE";
    case Style::kDevmProbe:
      return "DFZ_DEVM_PROBE";
    case Style::kManual:
      return "DFZ_MANUAL";
    case Style::kNoUnregister:
      return "DFZ_NO_UNREGISTER";
    case Style::kAttach:
      return "DFZ_ATTACH";
    case Style::kDevmAttach:
      break;
  }
  return "DFZ_DEVM_ATTACH";
}

const char* KindName(DeviceKind k) {
  switch (k) {
    case DeviceKind::kDsiController:
      return "DFZ_CONTROLLER";
    case DeviceKind::kI2cBridge:
      return "DFZ_BRIDGE";
    case DeviceKind::kDsiPanel:
      break;
  }
  return "DFZ_PANEL";
}

// The module op of an event; "" when the module has none.
const char* OpName(const Event& e) {
  switch (e.kind) {
    case EventKind::kBind:
      return "DFZ_BIND";
    case EventKind::kUnbind:
      return "DFZ_UNBIND";
    case EventKind::kRemove:
      return "DFZ_REMOVE";
    case EventKind::kAdd:
      return "DFZ_ADD";
    case EventKind::kTransfer:
      return "DFZ_TRANSFER";
    case EventKind::kRmmod:
      return "DFZ_RMMOD";
    case EventKind::kInsmod:
      return "DFZ_INSMOD";
    case EventKind::kFail:
      return e.arg == static_cast<int>(model::FaultSite::kAttach)
                 ? "DFZ_FAIL_ATTACH"
                 : "";
    case EventKind::kDeferredProbe:
      return "DFZ_DEFERRED_PROBE";
  }
  return "";
}

std::vector<std::string> Unsupported(const Scenario& s,
                                     const std::vector<Event>& events) {
  std::vector<std::string> why;
  const model::Topology& t = s.topology;
  for (size_t i = 0; i < t.devices.size(); ++i) {
    const model::TopoDevice& d = t.devices[i];
    if (d.kind != DeviceKind::kDsiPanel) continue;
    if (d.channel > 3) {
      why.push_back(absl::StrCat(
          "panel ", d.name, " has reg ", d.channel,
          ": what goes wrong is a device-tree node reference "
          "(of_mipi_dsi_device_add), and the replay kernel has no device "
          "tree"));
    }
    for (size_t j = 0; j < i; ++j) {
      const model::TopoDevice& o = t.devices[j];
      if (o.kind == DeviceKind::kDsiPanel && o.host == d.host &&
          o.channel == d.channel) {
        why.push_back(absl::StrCat(
            "panels ", o.name, " and ", d.name,
            " share a host and a channel: without a device tree the module "
            "tells panels apart by them"));
      }
    }
  }
  for (const Event& e : events) {
    if (e.kind == EventKind::kFail && *OpName(e) == '\0') {
      why.push_back(absl::StrCat(
          "fail ", model::FaultSiteName(static_cast<model::FaultSite>(e.arg)),
          ": only the host's attach op (our own code) can be made to fail; "
          "the kernel's own allocations have no such fault site"));
    }
  }
  std::sort(why.begin(), why.end());
  why.erase(std::unique(why.begin(), why.end()), why.end());
  return why;
}

std::string Header(const Scenario& s, const std::vector<Event>& events,
                   const std::vector<std::string>& texts) {
  const model::Topology& t = s.topology;
  std::string h = absl::StrCat(
      "/* SPDX-License-Identifier: GPL-2.0 */\n"
      "/*\n * Generated by dsifuzz kernel-replay from ",
      s.path, ":\n * the devices and the events, teardown included.\n */\n",
      "#define DFZ_SCENARIO ", CString(s.path), "\n\n",
      "static const struct dfz_dev dfz_devs[] = {\n");
  for (const model::TopoDevice& d : t.devices) {
    absl::StrAppend(&h, "\t{ ", CString(d.name), ", ", KindName(d.kind), ", ",
                    d.host, ", ", StyleName(d.style), ", ", d.channel, " },\n");
  }
  h += "};\n\nstatic const struct platform_device_id dfz_ctl_ids[] = {\n";
  for (size_t i = 0; i < t.devices.size(); ++i) {
    if (t.devices[i].kind == DeviceKind::kDsiController)
      absl::StrAppend(&h, "\t{ ", CString(t.devices[i].name), ", ", i, " },\n");
  }
  h += "\t{ }\n};\n\nstatic const struct i2c_device_id dfz_bridge_ids[] = {\n";
  for (size_t i = 0; i < t.devices.size(); ++i) {
    if (t.devices[i].kind == DeviceKind::kI2cBridge)
      absl::StrAppend(&h, "\t{ ", CString(t.devices[i].name), ", ", i, " },\n");
  }
  h += "\t{ }\n};\n\nstatic const struct dfz_event dfz_events[] = {\n";
  for (size_t i = 0; i < events.size(); ++i) {
    const Event& e = events[i];
    const int arg = e.kind == EventKind::kFail ? e.count : e.arg;
    absl::StrAppend(&h, "\t{ ", OpName(e), ", ", arg, ", ",
                    CString(texts[i + 1]), " },\n");
  }
  h += "};\n";
  return h;
}

}  // namespace

bool KernelRuns(const Event& e) { return *OpName(e) != '\0'; }

absl::StatusOr<Scenario> RandomKernelScenario(uint64_t seed, uint64_t index,
                                              int max_events) {
  Rng rng(RunSeed(seed, index));
  GenOptions o;
  o.variant = std::string(kKernelVariant);
  o.max_events = std::max(3, max_events);
  o.allow = &KernelRuns;
  // About one case in three is drawn again (a short walk, no peripheral,
  // a panel the module cannot tell apart); a thousand draws that all are
  // would be a broken generator.
  for (int draw = 0; draw < 1000; ++draw) {
    Scenario s = GenerateCase(rng.Next(), o, nullptr);
    const bool peripheral =
        std::any_of(s.topology.devices.begin(), s.topology.devices.end(),
                    [](const model::TopoDevice& d) {
                      return d.kind != DeviceKind::kDsiController;
                    });
    if (peripheral && s.events.size() >= 3 && Unsupported(s, s.events).empty())
      return s;
  }
  return absl::InternalError(absl::StrCat(
      "kernel-replay: no expressible scenario in 1000 draws (seed ", seed,
      ", index ", index, ")"));
}

absl::StatusOr<KernelCase> PlanKernelReplay(const Scenario& s) {
  KernelCase c;
  c.path = s.path;
  CaseSink sink;
  model::World world(s.topology,
                     model::FindVariant(std::string(kKernelVariant)), &sink);
  world.Setup();
  if (absl::Status st = ApplyScenarioEvents(world, s); !st.ok()) return st;
  std::vector<Event> events = s.events;
  world.BeginTeardown();
  model::World::TeardownCursor cursor;
  Event e;
  while (world.NextTeardownStep(cursor, e)) {
    world.TeardownStep(e);
    events.push_back(e);
  }
  world.ReportLeaks();
  for (int i = 0; i <= world.events(); ++i)
    c.event_texts.push_back(world.EventText(i));
  c.unsupported = Unsupported(s, events);
  c.header = Header(s, events, c.event_texts);

  std::vector<const Violation*> all;
  for (const auto& p : sink.props()) {
    for (const Violation& v : p->violations()) all.push_back(&v);
  }
  std::stable_sort(
      all.begin(), all.end(),
      [](const Violation* a, const Violation* b) { return a->seq < b->seq; });
  for (const Violation* v : all) {
    const Class cls = KernelClass(*v);
    if (cls == Class::kOther) {
      const std::string t = absl::StrCat(v->Title(), " [", v->property, "]");
      if (std::find(c.model_only.begin(), c.model_only.end(), t) ==
          c.model_only.end())
        c.model_only.push_back(t);
      continue;
    }
    c.model.cls = cls;
    c.model.kind = v->kind;
    c.model.function = v->function;
    c.model.event = cls == Class::kLeak ? -1 : v->event;
    for (const char* f : v->stack) c.model.stack.emplace_back(f);
    if (cls == Class::kWarning) c.model.where = v->detail;
    c.model.title = absl::StrCat("BUG: ", v->Title());
    break;
  }
  if (c.model.cls == Class::kClean) c.model.title = "clean";
  return c;
}

namespace {

// The kernel symbol at the start of `s` ([A-Za-z_][A-Za-z0-9_.]*), or "".
std::string_view Symbol(std::string_view s) {
  size_t n = 0;
  while (n < s.size() &&
         (std::isalpha(static_cast<unsigned char>(s[n])) || s[n] == '_' ||
          (n > 0 &&
           (std::isdigit(static_cast<unsigned char>(s[n])) || s[n] == '.'))))
    ++n;
  return s.substr(0, n);
}

// The decimal number at the start of `s`, advancing past it; -1 if none.
int Number(std::string_view& s) {
  int v = -1;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc()) return -1;
  s.remove_prefix(static_cast<size_t>(end - s.data()));
  return v;
}

// "  [<ffffffff81..>] F+0x22/0xcf [mod]" or " F+0x22/0xcf": F, else "".
std::string_view FrameFunction(std::string_view line) {
  while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
  if (line.substr(0, 2) == "[<") {
    const size_t close = line.find(">]");
    if (close == std::string_view::npos) return {};
    line.remove_prefix(close + 2);
    while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
  }
  const std::string_view f = Symbol(line);
  if (f.empty() || line.substr(f.size(), 3) != "+0x") return {};
  return f;
}

// The function names of a call trace or backtrace that starts at line
// `from`, innermost first; unreliable ("? ...") entries are left out.
std::vector<std::string> TraceFrom(const std::vector<std::string_view>& lines,
                                   size_t from) {
  std::vector<std::string> out;
  for (size_t i = from; i < lines.size(); ++i) {
    const std::string_view line = lines[i];
    if (line.find("</TASK>") != std::string_view::npos) break;
    if (line.empty() || line.find("Allocated by") != std::string_view::npos)
      break;
    const std::string_view f = FrameFunction(line);
    if (!f.empty()) out.emplace_back(f);
  }
  return out;
}

// The frames of the "Call Trace:" after line `from` (KASAN's or an oops').
std::vector<std::string> CallTrace(const std::vector<std::string_view>& lines,
                                   size_t from) {
  for (size_t i = from; i < lines.size() && i < from + 40; ++i) {
    if (lines[i].find("Call Trace:") != std::string_view::npos)
      return TraceFrom(lines, i + 1);
  }
  return {};
}

// The function of the first "RIP: 0010:F+0x.." after line `from`.
std::string RipFunction(const std::vector<std::string_view>& lines,
                        size_t from) {
  constexpr std::string_view kRip = "RIP: 0010:";
  for (size_t i = from; i < lines.size() && i < from + 60; ++i) {
    const size_t at = lines[i].find(kRip);
    if (at == std::string_view::npos) continue;
    const std::string_view rest = lines[i].substr(at + kRip.size());
    const std::string_view f = Symbol(rest);
    if (!f.empty() && rest.substr(f.size(), 3) == "+0x") return std::string(f);
  }
  return "";
}

}  // namespace

absl::StatusOr<FirstReport> ParseKernelConsole(std::string_view console) {
  std::vector<std::string_view> lines;
  for (size_t at = 0; at <= console.size();) {
    size_t end = console.find('\n', at);
    if (end == std::string_view::npos) end = console.size();
    std::string_view l = console.substr(at, end - at);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    lines.push_back(l);
    at = end + 1;
  }
  bool setup = false, done = false, leaks_read = false, timed_out = false;
  int event = -1;
  bool event_open = false;
  FirstReport r;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string line(lines[i]);
    if (line.rfind("dsifuzz: setup of ", 0) == 0) {
      setup = true;
      continue;
    }
    if (!setup) continue;
    constexpr std::string_view kEvent = "dsifuzz: event ";
    if (line.rfind(kEvent, 0) == 0) {
      std::string_view rest = std::string_view(line).substr(kEvent.size());
      const int n = Number(rest);
      if (n >= 0 && rest.substr(0, 2) == ": ") {
        event = n;
        event_open = true;
        continue;
      }
      if (n >= 0 && rest.substr(0, 9) == " returned") {
        event_open = false;
        continue;
      }
    }
    if (line == "dsifuzz: events done") {
      done = true;
      event = -1;
      continue;
    }
    if (line == "dsifuzz: kmemleak end") {
      leaks_read = true;
      continue;
    }
    if (line.rfind("dsifuzz: qemu timed out", 0) == 0) {
      timed_out = true;
      continue;
    }
    r.event = event;
    constexpr std::string_view kKasan = "BUG: KASAN: ";
    const size_t kasan = line.find(kKasan);
    const size_t kasan_in = kasan == std::string::npos
                                ? std::string::npos
                                : line.find(" in ", kasan + kKasan.size());
    if (kasan_in != std::string::npos) {
      std::string kind =
          line.substr(kasan + kKasan.size(), kasan_in - kasan - kKasan.size());
      if (kind.rfind("maybe ", 0) == 0) kind = kind.substr(6);
      r.kind = kind;
      r.function =
          std::string(Symbol(std::string_view(line).substr(kasan_in + 4)));
      r.stack = CallTrace(lines, i + 1);
      r.title = absl::StrCat("BUG: KASAN: ", kind, " in ", r.function);
      if (kind == "use-after-free") {
        r.cls = Class::kUseAfterFree;
      } else if (kind == "double-free") {
        r.cls = Class::kDoubleFree;
      } else if (kind == "invalid-free") {
        r.cls = Class::kInvalidFree;
      } else if (kind == "null-ptr-deref" || kind == "wild-memory-access") {
        r.cls = Class::kOops;
      } else {
        r.cls = Class::kOther;
      }
      return r;
    }
    // "WARNING: CPU: 0 PID: 1 at FILE:LINE FUNCTION+0x78/0xcf"
    const size_t warn = line.rfind("WARNING: CPU: ", 0) == 0
                            ? line.find(" at ")
                            : std::string::npos;
    const size_t warn_space =
        warn == std::string::npos ? warn : line.find(' ', warn + 4);
    if (warn_space != std::string::npos) {
      r.cls = Class::kWarning;
      r.kind = "WARNING";
      r.where = line.substr(warn + 4, warn_space - warn - 4);
      r.function =
          std::string(Symbol(std::string_view(line).substr(warn_space + 1)));
      r.stack = CallTrace(lines, i + 1);
      r.title = absl::StrCat("WARNING: at ", r.where, " ", r.function);
      return r;
    }
    if (line.find("BUG: kernel NULL pointer dereference") == 0 ||
        line.find("general protection fault") == 0 ||
        line.find("BUG: unable to handle page fault") == 0 ||
        line.find("kernel BUG at ") == 0 ||
        line.find("Oops: ") != std::string::npos) {
      r.cls = Class::kOops;
      r.kind = "oops";
      r.function = RipFunction(lines, i + 1);
      r.stack = CallTrace(lines, i + 1);
      r.title = absl::StrCat(line, " (RIP ", r.function, ")");
      if (line.find("general protection fault") == 0 && i + 1 < lines.size() &&
          lines[i + 1].find("KASAN: null-ptr-deref") != std::string_view::npos)
        r.title = absl::StrCat("KASAN: null-ptr-deref in ", r.function);
      return r;
    }
    if (line.rfind("unreferenced object 0x", 0) == 0) {
      // Only what the replay's own tasks allocated (the module's setup in
      // insmod, the events in init, deferred probes in a kworker) is the
      // scenario's.
      const std::string_view next =
          i + 1 < lines.size() ? lines[i + 1] : std::string_view();
      const size_t q = next.find("comm \"");
      const size_t q_end =
          q == std::string_view::npos ? q : next.find('"', q + 6);
      const std::string_view comm = q_end == std::string_view::npos
                                        ? std::string_view()
                                        : next.substr(q + 6, q_end - q - 6);
      if (comm != "init" && comm != "insmod" && comm.substr(0, 8) != "kworker/")
        continue;
      r.cls = Class::kLeak;
      r.kind = "leak";
      r.event = -1;
      for (size_t j = i + 1; j < lines.size(); ++j) {
        if (lines[j].find("backtrace:") != std::string_view::npos) {
          r.stack = TraceFrom(lines, j + 1);
          break;
        }
      }
      // The allocating function: the first frame past the allocator.
      static const char* const kAlloc[] = {"kmalloc",
                                           "__kmalloc",
                                           "kmalloc_trace",
                                           "__kmalloc_node_track_caller",
                                           "kmem_cache_alloc",
                                           "kvasprintf",
                                           "kstrdup",
                                           "kstrdup_const",
                                           "kvasprintf_const",
                                           "kmalloc_node_track_caller",
                                           "__kmem_cache_alloc_node",
                                           "slab_post_alloc_hook"};
      for (const std::string& f : r.stack) {
        if (std::find(std::begin(kAlloc), std::end(kAlloc), f) ==
            std::end(kAlloc)) {
          r.function = f;
          break;
        }
      }
      r.title = absl::StrCat("kmemleak: unreferenced object, allocated in ",
                             r.function);
      return r;
    }
    if (line.rfind("Kernel panic - not syncing", 0) == 0) {
      r.cls = Class::kOther;
      r.kind = "panic";
      r.title = line;
      return r;
    }
  }
  if (!setup)
    return absl::NotFoundError(
        "the console shows no replay: the kernel did not boot or the module "
        "did not load");
  if (timed_out || (event_open && !done)) {
    r.cls = Class::kHung;
    r.kind = "hung";
    r.event = event;
    r.title = absl::StrCat("hung in event ", event);
    return r;
  }
  if (!done)
    return absl::NotFoundError("the console ends before the events did");
  (void)leaks_read;
  r.cls = Class::kClean;
  r.event = -1;
  r.title = "clean";
  return r;
}

Agreement CompareReports(const FirstReport& model, const FirstReport& kernel) {
  Agreement a;
  if (model.cls != kernel.cls) {
    a.note = absl::StrCat("the model's first report is ", ClassName(model.cls),
                          ", the kernel's ", ClassName(kernel.cls));
    return a;
  }
  if (model.cls == Class::kClean) {
    a.agree = true;
    return a;
  }
  if (model.event != kernel.event) {
    a.note = absl::StrCat("the model reports it in event ", model.event,
                          ", the kernel in event ", kernel.event);
    return a;
  }
  if (model.function == kernel.function) {
    a.agree = true;
    return a;
  }
  if (model.cls == Class::kLeak) {
    if (std::find(kernel.stack.begin(), kernel.stack.end(), model.function) !=
        kernel.stack.end()) {
      a.agree = true;
      a.note = absl::StrCat(model.function, " is in kmemleak's backtrace");
      return a;
    }
  } else if (std::find(model.stack.begin(), model.stack.end(),
                       kernel.function) != model.stack.end()) {
    a.agree = true;
    a.note = absl::StrCat(model.function, " inlined into ", kernel.function);
    return a;
  }
  a.note = absl::StrCat("the model reports it in ", model.function,
                        ", the kernel in ", kernel.function);
  return a;
}

}  // namespace dsifuzz
