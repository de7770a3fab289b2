#include "tools/coverage.h"

#include <algorithm>
#include <bit>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "nlohmann/json.hpp"
#include "tools/explore.h"

namespace dsifuzz {
namespace {

using model::DeviceKind;
using model::EventKind;
using model::ObjId;
using model::State;
using model::Style;

// Roles: the controller, the bridge styles, the panel styles, the kernel.
enum Role : uint32_t {
  kController,
  kBridgeDevm,
  kBridgeManual,
  kBridgeNoUnregister,
  kPanelAttach,
  kPanelDevmAttach,
  kKernel,
  kRoles
};
constexpr const char* kRoleNames[kRoles] = {
    "controller",      "bridge (devm-probe)",
    "bridge (manual)", "bridge (no-unregister)",
    "panel (attach)",  "panel (devm-attach)",
    "kernel"};

// The abstract state, as bits.
enum : uint32_t {
  kLifeMask = 3,  // 0 removed/absent, 1 unbound, 2 deferred, 3 bound
  // controller
  kHostListed = 1u << 2,
  kAttachedShift = 3,  // 3 bits: DSI devices attached to the host
  // bridge and panel
  kDsiRegistered = 1u << 2,
  kDsiUnregistered = 1u << 3,  // alive, out of sysfs
  kDsiFreed = 1u << 4,
  kDsiAttached = 1u << 5,
  kDsiHostFreed = 1u << 6,
};

// Event codes: the event kinds before kFail, then fail per site.
constexpr int kFailCode = static_cast<int>(EventKind::kFail);

// A state's index in the dense counters: its role and its bits (fewer
// than 7); a transition's: the state's, then the event code + 1 (at most
// 12).
constexpr uint32_t kStateBits = 7;
constexpr uint32_t kEventSlots = 16;
constexpr size_t kStateIndexes = size_t{kRoles} << kStateBits;
uint32_t StateIndex(uint32_t role, uint32_t state) {
  return role << kStateBits | (state & ((1u << kStateBits) - 1));
}
// The keys the tables and tests see: role, state, event + 1, packed.
uint32_t StateKey(uint32_t index) {
  return (index >> kStateBits) << 24 | (index & ((1u << kStateBits) - 1)) << 8;
}
uint32_t TransitionKey(uint32_t slot) {
  return StateKey(slot / kEventSlots) | slot % kEventSlots;
}
uint32_t RoleOf(uint32_t key) { return key >> 24; }
uint32_t StateOf(uint32_t key) { return key >> 8 & 0xffff; }
int EventOf(uint32_t key) { return static_cast<int>(key & 0xff) - 1; }

uint32_t RoleOf(const model::TopoDevice& d) {
  switch (d.kind) {
    case DeviceKind::kDsiController:
      return kController;
    case DeviceKind::kI2cBridge:
      if (d.style == Style::kManual) return kBridgeManual;
      if (d.style == Style::kNoUnregister) return kBridgeNoUnregister;
      return kBridgeDevm;
    case DeviceKind::kDsiPanel:
      return d.style == Style::kDevmAttach ? kPanelDevmAttach : kPanelAttach;
  }
  return kKernel;
}

bool Live(const State& s, ObjId id) {
  return s.heap.Valid(id) && s.heap.slot(id).live;
}

// The life bits of a device (removed when `id` is no live device).
uint32_t Life(const State& s, ObjId id) {
  const model::device* d = Live(s, id) ? s.dev(id) : nullptr;
  if (d == nullptr || !d->kobj.state_in_sysfs) return 0;
  if (d->driver >= 0) return 3;
  if (Live(s, d->p) &&
      s.heap.slot(d->p).type == model::ObjType::kDevicePrivate &&
      s.storage<model::device_private>()[s.heap.slot(d->p).index].deferred !=
          model::DeferredList::kNone)
    return 2;
  return 1;
}

// The DSI device bits of mipi_dsi_device `id` (0 for none).
uint32_t DsiBits(const State& s, ObjId id) {
  if (!s.heap.Valid(id) ||
      s.heap.slot(id).type != model::ObjType::kMipiDsiDevice)
    return 0;
  const model::Slot& slot = s.heap.slot(id);
  const model::mipi_dsi_device& dsi =
      s.storage<model::mipi_dsi_device>()[slot.index];
  uint32_t bits = 0;
  if (!slot.live)
    bits |= kDsiFreed;
  else if (dsi.dev.kobj.state_in_sysfs)
    bits |= kDsiRegistered;
  else
    bits |= kDsiUnregistered;
  if (dsi.attached) bits |= kDsiAttached;
  if (dsi.host.id != 0 && !Live(s, dsi.host.id)) bits |= kDsiHostFreed;
  return bits;
}

// The registered DSI devices on the mipi-dsi bus, in list order.
template <class F>
void ForEachRegisteredDsi(const State& s, F f) {
  for (ObjId p :
       s.buses[static_cast<int>(model::Bus::kMipiDsi)].klist_devices) {
    if (!Live(s, p) || s.heap.slot(p).type != model::ObjType::kDevicePrivate)
      continue;
    const ObjId id =
        s.storage<model::device_private>()[s.heap.slot(p).index].device.id;
    if (!Live(s, id) || s.heap.slot(id).type != model::ObjType::kMipiDsiDevice)
      continue;
    f(id, s.storage<model::mipi_dsi_device>()[s.heap.slot(id).index]);
  }
}

uint32_t DeviceState(const model::World& w, int i) {
  const State& s = w.state();
  const model::TopoDevice& d = w.topology().devices[i];
  switch (d.kind) {
    case DeviceKind::kDsiController: {
      const ObjId id = s.topo_dev[i];
      uint32_t bits = Life(s, id);
      if (bits != 3) return bits;
      const ObjId ctl = s.dev(id)->driver_data;
      if (!Live(s, ctl) ||
          s.heap.slot(ctl).type != model::ObjType::kDsiController)
        return bits;
      if (s.storage<model::dsi_controller>()[s.heap.slot(ctl).index]
              .host.on_host_list)
        bits |= kHostListed;
      uint32_t attached = 0;
      ForEachRegisteredDsi(s, [&](ObjId, const model::mipi_dsi_device& dsi) {
        if (dsi.attached && dsi.host.id == ctl) ++attached;
      });
      return bits | std::min<uint32_t>(attached, 7) << kAttachedShift;
    }
    case DeviceKind::kI2cBridge: {
      const ObjId id = s.topo_dev[i];
      const uint32_t life = Life(s, id);
      ObjId dsi = 0;
      if (life == 3) {
        const ObjId priv = s.dev(id)->driver_data;
        if (Live(s, priv) &&
            s.heap.slot(priv).type == model::ObjType::kBridgePriv)
          dsi = s.storage<model::bridge_priv>()[s.heap.slot(priv).index].dsi.id;
      }
      // Not bound (or not pointing at one): a DSI device of its name left
      // registered, as the no-unregister style leaves it.
      if (dsi == 0) {
        ForEachRegisteredDsi(s,
                             [&](ObjId dev, const model::mipi_dsi_device& m) {
                               if (dsi == 0 && m.name == i) dsi = dev;
                             });
      }
      return life | DsiBits(s, dsi);
    }
    case DeviceKind::kDsiPanel: {
      const ObjId id = w.DeviceOf(i);
      if (id == 0) return 0;
      uint32_t bits =
          Life(s, id) | (DsiBits(s, id) & (kDsiAttached | kDsiHostFreed));
      return bits;
    }
  }
  return 0;
}

const char* LifeName(uint32_t life, bool panel) {
  switch (life) {
    case 0:
      return panel ? "absent" : "removed";
    case 1:
      return "unbound";
    case 2:
      return "deferred";
    default:
      return "bound";
  }
}

std::string StateText(uint32_t role, uint32_t bits) {
  if (role == kKernel) {
    if (bits == 0) return "no fault armed";
    return absl::StrCat(bits, bits == 1 ? " fault" : " faults", " armed");
  }
  const bool panel = role == kPanelAttach || role == kPanelDevmAttach;
  std::string out = LifeName(bits & kLifeMask, panel);
  if (role == kController) {
    if (bits & kHostListed) absl::StrAppend(&out, ", host listed");
    const uint32_t n = bits >> kAttachedShift & 7;
    if (n > 0) absl::StrAppend(&out, ", ", n, " attached");
    return out;
  }
  if (!panel) {
    if (bits & kDsiRegistered) absl::StrAppend(&out, "; dsi registered");
    if (bits & kDsiUnregistered) absl::StrAppend(&out, "; dsi unregistered");
    if (bits & kDsiFreed) absl::StrAppend(&out, "; dsi freed");
  }
  if (bits & kDsiAttached)
    absl::StrAppend(&out, panel ? "; " : ", ", "attached");
  if (bits & kDsiHostFreed) absl::StrAppend(&out, ", host freed");
  return out;
}

std::string EventText(int code) {
  if (code >= kFailCode)
    return absl::StrCat(
        "fail ",
        model::FaultSiteName(static_cast<model::FaultSite>(code - kFailCode)));
  return model::EventKindName(static_cast<EventKind>(code));
}

}  // namespace

Coverage::Coverage()
    : state_counts_(kStateIndexes),
      transition_counts_(kStateIndexes * kEventSlots) {}

void Coverage::Visit(const model::World& w) {
  const model::Topology& topo = w.topology();
  last_.resize(topo.devices.size() + 1);
  for (size_t i = 0; i < topo.devices.size(); ++i) {
    last_[i] = StateIndex(RoleOf(topo.devices[i]),
                          DeviceState(w, static_cast<int>(i)));
    ++state_counts_[last_[i]];
  }
  last_.back() = StateIndex(
      kKernel, static_cast<uint32_t>(std::popcount(w.state().faults.Armed())));
  ++state_counts_[last_.back()];
}

void Coverage::Take(const model::World& w, const model::Event& e) {
  const model::Topology& topo = w.topology();
  const int code =
      e.kind == EventKind::kFail ? kFailCode + e.arg : static_cast<int>(e.kind);
  auto take = [&](size_t i) {
    ++transition_counts_[last_[i] * kEventSlots +
                         static_cast<uint32_t>(code + 1)];
  };
  switch (e.kind) {
    case EventKind::kRmmod:
    case EventKind::kInsmod:
      for (size_t i = 0; i < topo.devices.size(); ++i) {
        if (static_cast<int>(topo.devices[i].kind) == e.arg) take(i);
      }
      return;
    case EventKind::kDeferredProbe: {
      bool any = false;
      for (size_t i = 0; i < topo.devices.size(); ++i) {
        if ((last_[i] & kLifeMask) == 2) {
          take(i);
          any = true;
        }
      }
      if (!any) take(topo.devices.size());
      return;
    }
    case EventKind::kFail:
      take(topo.devices.size());
      return;
    default:
      take(static_cast<size_t>(e.arg));
  }
}

void Coverage::Merge(const Coverage& other) {
  for (size_t i = 0; i < state_counts_.size(); ++i)
    state_counts_[i] += other.state_counts_[i];
  for (size_t i = 0; i < transition_counts_.size(); ++i)
    transition_counts_[i] += other.transition_counts_[i];
}

absl::flat_hash_map<uint32_t, uint64_t> Coverage::states() const {
  absl::flat_hash_map<uint32_t, uint64_t> out;
  for (uint32_t i = 0; i < state_counts_.size(); ++i) {
    if (state_counts_[i] != 0) out[StateKey(i)] = state_counts_[i];
  }
  return out;
}

absl::flat_hash_map<uint32_t, uint64_t> Coverage::transitions() const {
  absl::flat_hash_map<uint32_t, uint64_t> out;
  for (uint32_t i = 0; i < transition_counts_.size(); ++i) {
    if (transition_counts_[i] != 0)
      out[TransitionKey(i)] = transition_counts_[i];
  }
  return out;
}

CoverageTable MakeCoverageTable(const Coverage& run, const Coverage* reference,
                                const std::string& reference_name) {
  CoverageTable t;
  t.reference = reference != nullptr ? reference_name : "";
  auto rows = [&](const absl::flat_hash_map<uint32_t, uint64_t>& got,
                  const absl::flat_hash_map<uint32_t, uint64_t>* want,
                  std::vector<CoverageRow>& out, size_t& reachable,
                  size_t& reached) {
    std::vector<uint32_t> keys;
    for (const auto& [k, n] : got) keys.push_back(k);
    if (want != nullptr) {
      for (const auto& [k, n] : *want) {
        if (!got.contains(k)) keys.push_back(k);
      }
    }
    // Role, then the state's bits, then the event: a stable order.
    std::sort(keys.begin(), keys.end());
    for (uint32_t k : keys) {
      CoverageRow row;
      row.device = kRoleNames[std::min<uint32_t>(RoleOf(k), kKernel)];
      row.state = StateText(RoleOf(k), StateOf(k));
      if (EventOf(k) >= 0) row.event = EventText(EventOf(k));
      auto it = got.find(k);
      row.count = it == got.end() ? 0 : it->second;
      row.reachable = want != nullptr && want->contains(k);
      if (row.reachable) {
        ++reachable;
        if (row.count > 0) ++reached;
      }
      out.push_back(std::move(row));
    }
  };
  absl::flat_hash_map<uint32_t, uint64_t> want;
  if (reference != nullptr) want = reference->states();
  rows(run.states(), reference != nullptr ? &want : nullptr, t.states,
       t.reachable_states, t.reached_reachable_states);
  if (reference != nullptr) want = reference->transitions();
  rows(run.transitions(), reference != nullptr ? &want : nullptr, t.transitions,
       t.reachable_transitions, t.reached_reachable_transitions);
  return t;
}

std::string FormatCoverage(const CoverageTable& t) {
  std::string out;
  if (t.reference.empty()) {
    absl::StrAppend(&out, "coverage: ", t.states.size(), " device states, ",
                    t.transitions.size(),
                    " (state, event) transitions reached (no reference: "
                    "pass --topology to compare with the explorer)\n");
  } else {
    absl::StrAppend(&out, "coverage: ", t.reached_reachable_transitions, " of ",
                    t.reachable_transitions, " (state, event) transitions and ",
                    t.reached_reachable_states, " of ", t.reachable_states,
                    " device states that the ", t.reference,
                    " reaches were reached\n");
  }
  size_t w_dev = 6, w_state = 5, w_event = 5;
  for (const CoverageRow& r : t.transitions) {
    w_dev = std::max(w_dev, r.device.size());
    w_state = std::max(w_state, r.state.size());
    w_event = std::max(w_event, r.event.size());
  }
  auto line = [&](const CoverageRow& r, const std::string& count) {
    absl::StrAppend(&out, "  ",
                    absl::StrFormat("%-*s  %-*s  %-*s  %10s", w_dev, r.device,
                                    w_state, r.state, w_event, r.event, count));
    if (!t.reference.empty())
      absl::StrAppend(&out, r.reachable ? "" : "  (beyond the reference)");
    absl::StrAppend(&out, "\n");
  };
  CoverageRow head{"device", "state", "event", 0, true};
  line(head, "count");
  std::vector<const CoverageRow*> never;
  for (const CoverageRow& r : t.transitions) {
    if (r.count == 0) {
      never.push_back(&r);
      continue;
    }
    line(r, absl::StrCat(r.count));
  }
  if (t.reference.empty()) return out;
  if (never.empty()) {
    absl::StrAppend(&out, "every reachable transition was reached\n");
    return out;
  }
  absl::StrAppend(&out, "never reached (", never.size(), "):\n");
  for (const CoverageRow* r : never) line(*r, "0");
  for (const CoverageRow& r : t.states) {
    if (r.count == 0 && r.reachable)
      absl::StrAppend(&out, "  state never reached: ", r.device, ": ", r.state,
                      "\n");
  }
  return out;
}

nlohmann::json CoverageJson(const CoverageTable& t) {
  nlohmann::json j;
  j["reference"] = t.reference.empty() ? nlohmann::json(nullptr)
                                       : nlohmann::json(t.reference);
  auto rows = [&](const std::vector<CoverageRow>& rs, bool transitions) {
    nlohmann::json a = nlohmann::json::array();
    for (const CoverageRow& r : rs) {
      nlohmann::json row = {{"device", r.device},
                            {"state", r.state},
                            {"count", r.count},
                            {"reachable", r.reachable}};
      if (transitions) row["event"] = r.event;
      a.push_back(std::move(row));
    }
    return a;
  };
  j["states"] = rows(t.states, false);
  j["transitions"] = rows(t.transitions, true);
  j["reachable_states"] = t.reachable_states;
  j["reached_reachable_states"] = t.reached_reachable_states;
  j["reachable_transitions"] = t.reachable_transitions;
  j["reached_reachable_transitions"] = t.reached_reachable_transitions;
  return j;
}

Coverage ReachableCoverage(const model::Topology& topo,
                           const std::string& variant, int depth) {
  Coverage c;
  ExploreOptions o;
  o.variant = variant;
  o.topology = topo;
  o.max_depth = depth;
  o.coverage = &c;
  (void)Explore(o);  // the variant is known: the caller checked it
  return c;
}

}  // namespace dsifuzz
