// Test helpers for the model: a fact sink that keeps copies of every fact,
// topology builders, a World fixture and read-only state inspection.
//
//   TestWorld w({Controller("host0"), Bridge("bridge0", 0)});
//   ASSERT_TRUE(w.Apply(EventKind::kBind, "host0").ok());
//   EXPECT_EQ(w.log.Count(FactKind::kWarn), 0);
#ifndef DSIFUZZ_MODEL_TESTING_H_
#define DSIFUZZ_MODEL_TESTING_H_

#include <algorithm>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "model/fact.h"
#include "model/state.h"
#include "model/state_canon.h"
#include "model/state_hash.h"
#include "model/topology.h"
#include "model/world.h"

namespace dsifuzz::model::test {

// A Fact copied out of the OnFact() call that delivered it.
struct RecordedFact {
  FactKind kind = FactKind::kEnd;
  uint32_t seq = 0;
  int event = 0;
  bool teardown = false;
  ObjId obj = 0;
  int value = 0;
  std::string func;
  std::string what;
  std::vector<std::string> stack;  // outermost first

  bool InStack(std::string_view frame) const {
    for (const std::string& s : stack) {
      if (s == frame) return true;
    }
    return false;
  }
};

// Keeps every fact of a run, in order. `hook` (if set) sees each live Fact
// first, while the model state is as the fact describes it.
class FactLog : public FactSink {
 public:
  void OnFact(const Fact& f) override {
    if (hook) hook(f);
    RecordedFact r;
    r.kind = f.kind;
    r.seq = f.seq;
    r.event = f.event;
    r.teardown = f.teardown;
    r.obj = f.obj;
    r.value = f.value;
    r.func = f.func != nullptr ? f.func : "";
    r.what = f.what != nullptr ? f.what : "";
    for (int i = 0; i < f.depth; ++i) r.stack.emplace_back(f.stack[i]);
    facts_.push_back(std::move(r));
  }

  const std::vector<RecordedFact>& facts() const { return facts_; }
  void Clear() { facts_.clear(); }

  // The facts of `kind` (of `event` unless it is -1, on `obj` unless 0).
  std::vector<RecordedFact> Of(FactKind kind, int event = -1,
                               ObjId obj = 0) const {
    std::vector<RecordedFact> out;
    for (const RecordedFact& f : facts_) {
      if (f.kind == kind && (event < 0 || f.event == event) &&
          (obj == 0 || f.obj == obj))
        out.push_back(f);
    }
    return out;
  }
  int Count(FactKind kind, int event = -1, ObjId obj = 0) const {
    return static_cast<int>(Of(kind, event, obj).size());
  }
  // Index in facts() of the first fact matching `pred`, or -1.
  int Find(const std::function<bool(const RecordedFact&)>& pred,
           int from = 0) const {
    for (size_t i = static_cast<size_t>(from); i < facts_.size(); ++i) {
      if (pred(facts_[i])) return static_cast<int>(i);
    }
    return -1;
  }

  // One line per fact: kind/event/obj/value/func/what.
  std::string Dump() const {
    std::string out;
    for (const RecordedFact& f : facts_) {
      absl::StrAppend(&out, static_cast<int>(f.kind), " e", f.event,
                      f.teardown ? "t" : "", " o", f.obj, " v", f.value, " ",
                      f.func, " ", f.what, "\n");
    }
    return out;
  }

  std::function<void(const Fact&)> hook;

 private:
  std::vector<RecordedFact> facts_;
};

inline TopoDevice Controller(std::string name) {
  TopoDevice d;
  d.name = std::move(name);
  d.kind = DeviceKind::kDsiController;
  return d;
}

inline TopoDevice Bridge(std::string name, int host,
                         Style style = Style::kDevmProbe,
                         uint32_t channel = 0) {
  TopoDevice d;
  d.name = std::move(name);
  d.kind = DeviceKind::kI2cBridge;
  d.style = style;
  d.host = static_cast<int16_t>(host);
  d.channel = channel;
  return d;
}

inline TopoDevice Panel(std::string name, int host,
                        Style style = Style::kAttach, uint32_t channel = 0) {
  TopoDevice d = Bridge(std::move(name), host, style, channel);
  d.kind = DeviceKind::kDsiPanel;
  return d;
}

// Two controllers, a bridge of each style and a DT panel (the topology of
// bench/topologies/two-hosts-four-peripherals.dsi).
inline Topology TwoHostsFourPeripherals() {
  return Topology{{Controller("host0"), Controller("host1"),
                   Bridge("bridge0", 0),
                   Bridge("bridge1", 0, Style::kManual, 1),
                   Bridge("bridge2", 1, Style::kNoUnregister),
                   Panel("panel0", 1, Style::kAttach, 1)}};
}

// The canonical encoding of `s` (model/state_hash.h).
inline std::string Canonical(const State& s) {
  std::string out;
  Renaming r;
  EncodeCanonical(s, out, r);
  return out;
}

// Random walks of the enabled events, for what must hold in every state:
// for each variant and seeds 1..`seeds`, a world on `topo` set up, then
// `steps` times `at(variant, world, enabled, step)` on the state and its
// enabled events, and one of them, chosen at random, applied (`at` may run
// events, but leaves the world in the state it was given). Failures name
// the variant and seed; a fatal one ends the walks.
template <class At>
void ForEachWalkState(const Topology& topo, uint32_t seeds, int steps,
                      At&& at) {
  for (const std::string& variant : VariantNames()) {
    for (uint32_t seed = 1; seed <= seeds; ++seed) {
      SCOPED_TRACE(variant + " seed " + std::to_string(seed));
      World w(topo, FindVariant(variant), nullptr);
      w.Setup();
      std::mt19937 rng(seed);
      std::vector<Event> enabled;
      for (int i = 0; i < steps; ++i) {
        enabled.clear();
        w.EnabledEvents(enabled);
        at(variant, w, enabled, i);
        if (::testing::Test::HasFatalFailure()) return;
        ASSERT_TRUE(w.Apply(enabled[rng() % enabled.size()]).ok());
      }
    }
  }
}

// A World on upstream-6.11 over its own topology and fact log, set up.
class TestWorld {
 public:
  explicit TestWorld(std::vector<TopoDevice> devices)
      : topo_{std::move(devices)},
        world_(topo_, FindVariant("upstream-6.11"), &log) {
    world_.Setup();
  }

  absl::Status Apply(const Event& e) { return world_.Apply(e); }
  // An event on a device named in the topology.
  absl::Status Apply(EventKind kind, const std::string& device) {
    return world_.Apply(Event{kind, static_cast<int16_t>(topo_.Find(device))});
  }
  absl::Status Fail(FaultSite site, int count = 1) {
    return world_.Apply(Event{EventKind::kFail, static_cast<int16_t>(site),
                              static_cast<uint16_t>(count)});
  }

  World& world() { return world_; }
  Kernel& kernel() { return world_.kernel(); }
  const State& state() const { return world_.state(); }
  const Topology& topology() const { return topo_; }
  // The current struct device of a named topology device (0 if absent).
  ObjId Dev(const std::string& name) const {
    return world_.DeviceOf(topo_.Find(name));
  }
  bool Bound(const std::string& name) const {
    return world_.Bound(topo_.Find(name));
  }

  FactLog log;

 private:
  Topology topo_;
  World world_;
};

// Two runs that must be one run up to a renaming of object ids: world
// `b`'s State is put in canonical form (and maybe renamed otherwise)
// between events, world `a`'s is not. Compare() checks the facts logged
// since the last call one for one: same kind, function, detail, stack and
// value, and objects that correspond. Ids of `b` are matched to ids of `a`
// as they are allocated, and through each renaming of `b`'s State
// (Renamed()). Leak facts come in id order, which a renaming changes:
// LeaksMatch() compares them as sets at the end.
class RenamedRun {
 public:
  RenamedRun(const FactLog& a, const FactLog& b, size_t heap_size)
      : a_(a), b_(b), a_of_(heap_size) {
    for (ObjId id = 0; id < a_of_.size(); ++id) a_of_[id] = id;
  }

  // The id in run `a` of object `id` of run `b` (NULL and ERR_PTRs as
  // they are).
  ObjId A(ObjId id) const { return id < a_of_.size() ? a_of_[id] : id; }

  // Assertions: call ASSERT_NO_FATAL_FAILURE(run.Compare()).
  void Compare() {
    const auto& a = a_.facts();
    const auto& b = b_.facts();
    ASSERT_EQ(a.size(), b.size());
    for (; checked_ < a.size(); ++checked_) {
      const RecordedFact& fa = a[checked_];
      const RecordedFact& fb = b[checked_];
      if (fa.kind == FactKind::kLeak && fb.kind == FactKind::kLeak) {
        leaks_a_.push_back(fa.obj);
        leaks_b_.push_back(A(fb.obj));
        continue;
      }
      if (fb.kind == FactKind::kAlloc) {
        if (a_of_.size() <= fb.obj) a_of_.resize(fb.obj + 1, 0);
        a_of_[fb.obj] = fa.obj;
      }
      ASSERT_EQ(fa.kind, fb.kind) << checked_;
      ASSERT_EQ(fa.func, fb.func) << checked_;
      ASSERT_EQ(fa.what, fb.what) << checked_;
      ASSERT_EQ(fa.stack, fb.stack) << checked_;
      ASSERT_EQ(fa.obj, A(fb.obj)) << checked_;
      if (fa.kind == FactKind::kHostAttach ||
          fa.kind == FactKind::kHostDetach) {
        // The value is the host's id.
        ASSERT_EQ(static_cast<ObjId>(fa.value),
                  A(static_cast<ObjId>(fb.value)));
      } else {
        ASSERT_EQ(fa.value, fb.value) << checked_;
      }
    }
  }

  // `b`'s State went from `old_size` slots to `new_size` by `r`.
  void Renamed(const Renaming& r, size_t old_size, size_t new_size) {
    if (r.identity()) return;
    std::vector<ObjId> renamed(new_size, 0);
    for (ObjId id = 1; id < old_size; ++id) {
      if (r(id) != 0) renamed[r(id)] = A(id);
    }
    a_of_ = std::move(renamed);
  }

  bool LeaksMatch() const {
    std::vector<ObjId> a = leaks_a_, b = leaks_b_;
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    return a == b;
  }

 private:
  const FactLog& a_;
  const FactLog& b_;
  std::vector<ObjId> a_of_;  // id in `a` of each id of `b`
  size_t checked_ = 0;
  std::vector<ObjId> leaks_a_, leaks_b_;
};

// ---- read-only inspection of a State (no checked access, no facts) -------

// Every slot of `type` ever allocated (live or retired), in allocation order.
inline std::vector<ObjId> Objects(const State& s, ObjType type) {
  std::vector<ObjId> out;
  for (ObjId id = 1; id < s.heap.size(); ++id) {
    if (s.heap.slot(id).type == type) out.push_back(id);
  }
  return out;
}

inline std::vector<ObjId> LiveObjects(const State& s, ObjType type) {
  std::vector<ObjId> out;
  for (ObjId id : Objects(s, type)) {
    if (s.heap.slot(id).live) out.push_back(id);
  }
  return out;
}

template <class T>
const T& Object(const State& s, ObjId id) {
  return s.storage<T>()[s.heap.slot(id).index];
}

// The struct device inside a platform_device, i2c_client or mipi_dsi_device.
inline const device& DeviceIn(const State& s, ObjId id) {
  switch (s.heap.slot(id).type) {
    case ObjType::kPlatformDevice:
      return Object<platform_device>(s, id).dev;
    case ObjType::kI2cClient:
      return Object<i2c_client>(s, id).dev;
    default:
      return Object<mipi_dsi_device>(s, id).dev;
  }
}

inline int Refcount(const State& s, ObjId id) {
  return DeviceIn(s, id).kobj.refcount;
}

// "a > b > c" for failure messages.
inline std::string StackText(const std::vector<std::string>& stack) {
  std::string out;
  for (const std::string& f : stack) absl::StrAppend(&out, " > ", f);
  return out;
}

}  // namespace dsifuzz::model::test

#endif  // DSIFUZZ_MODEL_TESTING_H_
