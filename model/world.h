// A World is a topology instantiated in the modelled kernel, driven by
// events. It owns the State and the Kernel (the variant under test).
//
//   World w(topo, "upstream-6.11", &sink);
//   w.Setup();                                   // event 0
//   absl::Status s = w.Apply(Event{EventKind::kBind, 0});
//   w.Teardown();                                // unbind all, drop refs,
//                                                // report leaks, kEnd
//
// Events are what the outside world does (sysfs bind/unbind, hot-plug,
// module load/unload, the deferred-probe work, armed faults). Every event
// has a precondition, checked by Check() on the current state; Apply()
// refuses an event that does not apply, without touching the model.
#ifndef DSIFUZZ_MODEL_WORLD_H_
#define DSIFUZZ_MODEL_WORLD_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "model/kernel.h"
#include "model/state.h"
#include "model/state_canon.h"
#include "model/topology.h"

namespace dsifuzz::model {

enum class EventKind : uint8_t {
  kBind,           // bind DEV: device_attach(), may defer
  kUnbind,         // unbind DEV: sysfs unbind
  kRemove,         // remove DEV: the device goes away (unbind, then delete)
  kAdd,            // add DEV: a removed device comes back (and probes)
  kRmmod,          // rmmod DRIVER: driver_unregister()
  kInsmod,         // insmod DRIVER: driver_register()
  kDeferredProbe,  // deferred-probe: the deferred-probe work runs once
  kTransfer,       // transfer DEV: a DCS nop from a bound peripheral
  kFail,           // fail SITE [N]: the N-th next call at SITE fails
};

struct Event {
  EventKind kind = EventKind::kBind;
  int16_t arg = -1;    // topology device, DriverKind or FaultSite
  uint16_t count = 1;  // for kFail
  friend bool operator==(const Event&, const Event&) = default;
};

// Whether an event names a topology device in `arg` (rather than a
// driver, a fault site or nothing).
inline bool OnDevice(const Event& e) {
  switch (e.kind) {
    case EventKind::kBind:
    case EventKind::kUnbind:
    case EventKind::kRemove:
    case EventKind::kAdd:
    case EventKind::kTransfer:
      return true;
    default:
      return false;
  }
}

const char* EventKindName(EventKind kind);  // "bind", "deferred-probe"...
const char* FaultSiteName(FaultSite site);  // "kzalloc", "device_add"...
const char* DriverName(DriverKind kind);    // "dsi-controller"...

// Creates the kernel of a variant; nullptr for an unknown name.
using KernelFactory = std::unique_ptr<Kernel> (*)(State&, const Topology&,
                                                  FactSink*);
KernelFactory FindVariant(const std::string& name);
std::vector<std::string> VariantNames();

class Symmetry;

class World {
 public:
  World(const Topology& topo, KernelFactory variant, FactSink* sink);

  // Event 0: drivers loaded and devices present, nothing bound (the buses
  // do not autoprobe during setup; they do afterwards).
  void Setup();
  // Snapshots: the state after Setup() can be saved and put back, so a
  // fuzz loop on one topology pays for the setup once. Restore() forgets
  // the events applied since and sends the facts that follow to `sink`.
  State Save() const { return state_; }
  void Restore(const State& saved, FactSink* sink);

  // Whether `e` applies now; FailedPrecondition saying why not.
  absl::Status Check(const Event& e) const;
  // Checks, then runs `e` as the next event.
  absl::Status Apply(const Event& e);
  // Runs `e`, one of the events EnabledEvents() gave for the current
  // state, which Check() accepts (world_test), without checking it again:
  // the explorer's runs.
  void ApplyEnabled(const Event& e) {
    log_.push_back({e, false});
    Run(e);
  }
  // The end-of-run teardown, as a module unload would do it: bound
  // peripherals unbound, then controllers, then the world's own references
  // dropped; then leaks and unbalanced counts are reported, then kEnd.
  void Teardown();

  // The teardown step by step, for the explorer, which judges each step on
  // its own: BeginTeardown(), then NextTeardownStep() and TeardownStep()
  // while there is a step, then ReportLeaks(). The cursor walks the steps
  // in order: unbind the bound peripherals, the bound controllers, then
  // remove the bridges, the controllers, each pass from the last device
  // to the first; it never goes back (a step that leaves its device bound,
  // because its task died, is not retried).
  struct TeardownCursor {
    int pass = 0;
    int device = -1;  // the next device to look at; -1: the pass's last
  };
  void BeginTeardown();
  // The next step from `c` that applies now, if any; advances `c` past it.
  bool NextTeardownStep(TeardownCursor& c, Event& e) const;
  // Whether the steps left from `c` are those of a teardown begun now: no
  // step that comes before `c` applies.
  bool TeardownFromStart(const TeardownCursor& c) const;
  void TeardownStep(const Event& e);
  // Reports leaks and unbalanced counts, then kEnd.
  void ReportLeaks();

  // Appends every event that applies now to `out`, in a fixed order:
  // per device bind, unbind, remove, add, transfer; per driver rmmod or
  // insmod; deferred-probe; per fault site `fail SITE` (count 1).
  void EnabledEvents(std::vector<Event>& out) const;
  // Its last part: `fail SITE` for each site `faults` does not arm. The
  // events before them do not look at the faults (the explorer lists an
  // armed state's events from its fault-free sibling's and these).
  static void AppendFailEvents(const Faults& faults, std::vector<Event>& out);

  // The one-line text of an event ("bind bridge0").
  std::string Format(const Event& e) const;
  // The text of event i of this run: "setup", an applied event, or a
  // teardown step ("teardown: unbind bridge0").
  std::string EventText(int i) const;
  int events() const { return static_cast<int>(log_.size()); }

  const Topology& topology() const { return topo_; }
  Kernel& kernel() { return *kernel_; }
  const State& state() const { return state_; }
  // Puts the state in canonical form (model/state_canon.h), for the
  // explorer; the run goes on as if nothing happened, ids renamed.
  void Canonicalize(Renaming& r) { model::Canonicalize(state_, r); }
  // Renames interchangeable devices (model/state_symmetry.h) to the order
  // `sym` normalizes this state to, for the explorer's symmetry folding;
  // says in `p` how (p[i]: the new index of device i).
  void Normalize(const Symmetry& sym, std::vector<int16_t>& p);

  // Model inspection for events and tests (no checked accesses, no facts).
  // The current struct device of topology device i, or 0.
  ObjId DeviceOf(int i) const;
  bool Bound(int i) const;

 private:
  void Run(const Event& e);
  void Dispatch(const Event& e);
  // Whether teardown pass `pass` has a step on device `i` now.
  bool TeardownApplies(int pass, int i) const;

  const Topology& topo_;
  State state_;
  std::unique_ptr<Kernel> kernel_;
  struct Entry {
    Event event;
    bool teardown;
  };
  std::vector<Entry> log_;  // index = event number - 1
};

}  // namespace dsifuzz::model

#endif  // DSIFUZZ_MODEL_WORLD_H_
