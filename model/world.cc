#include "model/world.h"

#include "absl/strings/str_cat.h"
#include "model/state_symmetry.h"

namespace dsifuzz::model {

const char* EventKindName(EventKind kind) {
  switch (kind) {
    case EventKind::kBind:
      return "bind";
    case EventKind::kUnbind:
      return "unbind";
    case EventKind::kRemove:
      return "remove";
    case EventKind::kAdd:
      return "add";
    case EventKind::kRmmod:
      return "rmmod";
    case EventKind::kInsmod:
      return "insmod";
    case EventKind::kDeferredProbe:
      return "deferred-probe";
    case EventKind::kTransfer:
      return "transfer";
    case EventKind::kFail:
      return "fail";
  }
  return "?";
}

const char* FaultSiteName(FaultSite site) {
  switch (site) {
    case FaultSite::kKzalloc:
      return "kzalloc";
    case FaultSite::kDevres:
      return "devres";
    case FaultSite::kAttach:
      return "attach";
    case FaultSite::kDeviceAdd:
      return "device_add";
  }
  return "?";
}

const char* DriverName(DriverKind kind) {
  switch (kind) {
    case DriverKind::kDsiController:
      return "dsi-controller";
    case DriverKind::kI2cBridge:
      return "i2c-bridge";
    case DriverKind::kDsiPanel:
      return "dsi-panel";
  }
  return "?";
}

World::World(const Topology& topo, KernelFactory variant, FactSink* sink)
    : topo_(topo) {
  state_.of_refcount.assign(topo.devices.size(), 0);
  state_.topo_dev.assign(topo.devices.size(), 0);
  const Bus buses[] = {Bus::kPlatform, Bus::kI2c, Bus::kMipiDsi};
  for (int k = 0; k < 3; ++k) {
    device_driver& drv = state_.drivers[k];
    drv.kind = static_cast<DriverKind>(k);
    drv.name = DriverName(drv.kind);
    drv.bus = buses[k];
  }
  kernel_ = variant(state_, topo_, sink);
}

void World::Setup() {
  Kernel& k = *kernel_;
  k.SetEvent(0, false);
  k.Emit(FactKind::kEvent);
  for (bus_state& bus : state_.buses) bus.drivers_autoprobe = false;
  for (DriverId drv = 0; drv < 3; ++drv) k.driver_register(drv);
  for (size_t i = 0; i < topo_.devices.size(); ++i) {
    const int topo = static_cast<int>(i);
    switch (topo_.devices[i].kind) {
      case DeviceKind::kDsiController:
        state_.topo_dev[i] = k.platform_device_register(topo).id;
        break;
      case DeviceKind::kI2cBridge:
        state_.topo_dev[i] = k.i2c_new_client_device(topo).id;
        break;
      case DeviceKind::kDsiPanel:
        break;  // created by its host's mipi_dsi_host_register
    }
  }
  for (bus_state& bus : state_.buses) bus.drivers_autoprobe = true;
}

void World::Normalize(const Symmetry& sym, std::vector<int16_t>& p) {
  p = sym.Normalizing(state_);
  if (!Symmetry::Identity(p)) sym.Permute(state_, p);
}

void World::Restore(const State& saved, FactSink* sink) {
  state_ = saved;  // reuses the storage of the current state
  log_.clear();
  kernel_->Reset(sink);
}

namespace {
// The struct device inside a live container, read without a checked access.
const device* DeviceIn(const State& s, ObjId id) {
  if (!s.heap.Valid(id)) return nullptr;
  const Slot& slot = s.heap.slot(id);
  return slot.live ? s.dev(id) : nullptr;
}

DriverKind DriverOf(DeviceKind kind) {
  switch (kind) {
    case DeviceKind::kDsiController:
      return DriverKind::kDsiController;
    case DeviceKind::kI2cBridge:
      return DriverKind::kI2cBridge;
    case DeviceKind::kDsiPanel:
      break;
  }
  return DriverKind::kDsiPanel;
}
}  // namespace

ObjId World::DeviceOf(int i) const {
  if (topo_.devices[i].kind != DeviceKind::kDsiPanel) {
    const device* d = DeviceIn(state_, state_.topo_dev[i]);
    return d != nullptr && d->kobj.state_in_sysfs ? state_.topo_dev[i] : 0;
  }
  // A panel is the registered DSI device of its node that a sysfs bind or
  // unbind would name: the first one on the mipi-dsi bus's device list,
  // which bus_find_device_by_name() walks in order (drivers/base/bus.c@6.11).
  for (ObjId p : state_.buses[static_cast<int>(Bus::kMipiDsi)].klist_devices) {
    if (!state_.heap.Valid(p) || !state_.heap.slot(p).live ||
        state_.heap.slot(p).type != ObjType::kDevicePrivate)
      continue;
    const ObjId id =
        state_.storage<device_private>()[state_.heap.slot(p).index].device.id;
    if (!state_.heap.Valid(id) ||
        state_.heap.slot(id).type != ObjType::kMipiDsiDevice)
      continue;
    const device* d = DeviceIn(state_, id);
    if (d != nullptr && d->of_node == i && d->kobj.state_in_sysfs) return id;
  }
  return 0;
}

bool World::Bound(int i) const {
  const device* d = DeviceIn(state_, DeviceOf(i));
  return d != nullptr && d->driver >= 0;
}

absl::Status World::Check(const Event& e) const {
  // The event's text is built only for a refusal (Check is on the hot path).
  auto refuse = [&](const std::string& why) {
    return absl::FailedPreconditionError(absl::StrCat(Format(e), ": ", why));
  };
  const int n = static_cast<int>(topo_.devices.size());
  switch (e.kind) {
    case EventKind::kDeferredProbe:
      if (state_.deferred_active.empty())
        return refuse("no device waits on the deferred-probe active list");
      return absl::OkStatus();
    case EventKind::kRmmod:
    case EventKind::kInsmod: {
      if (e.arg < 0 || e.arg > 2) return refuse("unknown driver");
      bool loaded = state_.drivers[e.arg].registered;
      if (e.kind == EventKind::kRmmod && !loaded)
        return refuse("the driver is not loaded");
      if (e.kind == EventKind::kInsmod && loaded)
        return refuse("the driver is already loaded");
      return absl::OkStatus();
    }
    case EventKind::kFail: {
      const Faults& f = state_.faults;
      const int counts[] = {f.kzalloc, f.devres, f.attach, f.device_add};
      if (e.arg < 0 || e.arg > 3) return refuse("unknown fault site");
      if (e.count == 0) return refuse("the count must be at least 1");
      if (counts[e.arg] != 0) return refuse("this fault is already armed");
      return absl::OkStatus();
    }
    default:
      break;
  }
  if (e.arg < 0 || e.arg >= n) return refuse("unknown device");
  const TopoDevice& t = topo_.devices[e.arg];
  const bool present = DeviceOf(e.arg) != 0;
  const bool panel = t.kind == DeviceKind::kDsiPanel;
  switch (e.kind) {
    case EventKind::kBind:
      if (!present) return refuse(absl::StrCat(t.name, " is not present"));
      if (Bound(e.arg))
        return refuse(absl::StrCat(t.name, " is already bound"));
      if (!state_.drivers[static_cast<int>(DriverOf(t.kind))].registered)
        return refuse(absl::StrCat("driver ", DriverName(DriverOf(t.kind)),
                                   " is not loaded"));
      return absl::OkStatus();
    case EventKind::kUnbind:
      if (!present || !Bound(e.arg))
        return refuse(absl::StrCat(t.name, " is not bound"));
      return absl::OkStatus();
    case EventKind::kRemove:
    case EventKind::kAdd:
      if (panel)
        return refuse(absl::StrCat(t.name,
                                   " is a device-tree child of its "
                                   "host; it comes and goes with it"));
      if (e.kind == EventKind::kRemove && !present)
        return refuse(absl::StrCat(t.name, " is not present"));
      if (e.kind == EventKind::kAdd && present)
        return refuse(absl::StrCat(t.name, " is already present"));
      return absl::OkStatus();
    case EventKind::kTransfer:
      if (t.kind == DeviceKind::kDsiController)
        return refuse("only a peripheral (bridge or panel) sends DSI commands");
      if (!present || !Bound(e.arg))
        return refuse(absl::StrCat(t.name, " is not bound"));
      return absl::OkStatus();
    default:
      return absl::OkStatus();
  }
}

void World::EnabledEvents(std::vector<Event>& out) const {
  const int n = static_cast<int>(topo_.devices.size());
  for (int i = 0; i < n; ++i) {
    const DeviceKind kind = topo_.devices[i].kind;
    const bool panel = kind == DeviceKind::kDsiPanel;
    const bool present = DeviceOf(i) != 0;
    const bool bound = present && Bound(i);
    const auto arg = static_cast<int16_t>(i);
    if (present && !bound &&
        state_.drivers[static_cast<int>(DriverOf(kind))].registered)
      out.push_back(Event{EventKind::kBind, arg});
    if (bound) out.push_back(Event{EventKind::kUnbind, arg});
    if (!panel) {
      out.push_back(Event{present ? EventKind::kRemove : EventKind::kAdd, arg});
    }
    if (bound && kind != DeviceKind::kDsiController)
      out.push_back(Event{EventKind::kTransfer, arg});
  }
  for (int16_t drv = 0; drv < 3; ++drv) {
    out.push_back(Event{
        state_.drivers[drv].registered ? EventKind::kRmmod : EventKind::kInsmod,
        drv});
  }
  if (!state_.deferred_active.empty())
    out.push_back(Event{EventKind::kDeferredProbe});
  AppendFailEvents(state_.faults, out);
}

void World::AppendFailEvents(const Faults& f, std::vector<Event>& out) {
  const int counts[] = {f.kzalloc, f.devres, f.attach, f.device_add};
  for (int16_t site = 0; site < 4; ++site) {
    if (counts[site] == 0) out.push_back(Event{EventKind::kFail, site});
  }
}

absl::Status World::Apply(const Event& e) {
  absl::Status status = Check(e);
  if (!status.ok()) return status;
  log_.push_back({e, false});
  Run(e);
  return absl::OkStatus();
}

void World::Run(const Event& e) {
  Kernel& k = *kernel_;
  k.SetEvent(static_cast<int>(log_.size()), log_.back().teardown);
  k.Emit(FactKind::kEvent);
  try {
    Dispatch(e);
  } catch (const KernelOops&) {
    // The task that ran the event died (or blocks forever); the world goes
    // on without it, and the mutexes it held stay locked.
    k.TaskDied();
  }
}

void World::Dispatch(const Event& e) {
  Kernel& k = *kernel_;
  const DevPtr d{e.arg >= 0 && e.kind != EventKind::kFail &&
                         e.kind != EventKind::kRmmod &&
                         e.kind != EventKind::kInsmod
                     ? DeviceOf(e.arg)
                     : 0};
  const DeviceKind kind = d ? topo_.devices[e.arg].kind : DeviceKind::kDsiPanel;
  switch (e.kind) {
    case EventKind::kBind:
      k.device_attach(d);
      break;
    case EventKind::kUnbind:
      k.unbind_store(DeviceIn(state_, d.id)->driver, d);
      break;
    case EventKind::kRemove:
      if (kind == DeviceKind::kDsiController) {
        k.platform_device_unregister(d);
      } else {
        k.i2c_unregister_device(d);
      }
      state_.topo_dev[e.arg] = 0;
      break;
    case EventKind::kAdd:
      if (topo_.devices[e.arg].kind == DeviceKind::kDsiController) {
        state_.topo_dev[e.arg] = k.platform_device_register(e.arg).id;
      } else {
        state_.topo_dev[e.arg] = k.i2c_new_client_device(e.arg).id;
      }
      break;
    case EventKind::kRmmod:
      k.driver_unregister(static_cast<DriverId>(e.arg));
      break;
    case EventKind::kInsmod:
      k.driver_register(static_cast<DriverId>(e.arg));
      break;
    case EventKind::kDeferredProbe:
      k.deferred_probe_work_func();
      break;
    case EventKind::kTransfer:
      if (kind == DeviceKind::kI2cBridge) {
        k.bridge_enable(d);
      } else {
        k.panel_prepare(Ptr<mipi_dsi_device>{d.id});
      }
      break;
    case EventKind::kFail: {
      Faults& f = state_.faults;
      int* counts[] = {&f.kzalloc, &f.devres, &f.attach, &f.device_add};
      *counts[e.arg] = e.count;
      break;
    }
  }
}

void World::TeardownStep(const Event& e) {
  log_.push_back({e, true});
  Run(e);
}

void World::Teardown() {
  BeginTeardown();
  TeardownCursor c;
  Event e;
  while (NextTeardownStep(c, e)) TeardownStep(e);
  ReportLeaks();
}

void World::BeginTeardown() {
  kernel_->SetEvent(static_cast<int>(log_.size()), true);
  kernel_->Emit(FactKind::kTeardown);
}

// Passes 0 and 1 unbind bound peripherals, then bound controllers; passes
// 2 and 3 drop the world's own references on the devices it created
// (bridges, then controllers).
bool World::TeardownApplies(int pass, int i) const {
  const DeviceKind kind = topo_.devices[i].kind;
  const bool controller = kind == DeviceKind::kDsiController;
  if (controller != (pass % 2 == 1)) return false;
  if (pass >= 2 && kind == DeviceKind::kDsiPanel) return false;
  if (DeviceOf(i) == 0) return false;
  return pass >= 2 || Bound(i);
}

bool World::NextTeardownStep(TeardownCursor& c, Event& e) const {
  const int n = static_cast<int>(topo_.devices.size());
  for (; c.pass < 4; ++c.pass, c.device = -1) {
    if (c.device < 0) c.device = n - 1;
    for (; c.device >= 0; --c.device) {
      if (!TeardownApplies(c.pass, c.device)) continue;
      e = Event{c.pass < 2 ? EventKind::kUnbind : EventKind::kRemove,
                static_cast<int16_t>(c.device)};
      --c.device;
      if (c.device < 0) {
        ++c.pass;
        c.device = -1;
      }
      return true;
    }
  }
  return false;
}

bool World::TeardownFromStart(const TeardownCursor& c) const {
  const int n = static_cast<int>(topo_.devices.size());
  for (int pass = 0; pass <= c.pass && pass < 4; ++pass) {
    // Before the cursor: every device of an earlier pass, and those of
    // its own pass it has passed.
    int last = -1;
    if (pass == c.pass) {
      if (c.device < 0) break;
      last = c.device;
    }
    for (int i = n - 1; i > last; --i) {
      if (TeardownApplies(pass, i)) return false;
    }
  }
  return true;
}

void World::ReportLeaks() {
  Kernel& k = *kernel_;
  k.SetEvent(static_cast<int>(log_.size()), true);
  for (ObjId id = 1; id < state_.heap.size(); ++id) {
    if (state_.heap.slot(id).live) k.Emit(FactKind::kLeak, id);
  }
  for (size_t i = 0; i < state_.of_refcount.size(); ++i) {
    if (state_.of_refcount[i] != 0) {
      // Reported in the function that took the reference not given back.
      Kernel::Frame f(&k, "of_node_get");
      k.Emit(
          FactKind::kRefLeak, 0, state_.of_refcount[i],
          "of_node reference not returned (of_node_get without of_node_put)");
    }
  }
  if (!state_.host_list.empty()) {
    Kernel::Frame f(&k, "mipi_dsi_host_register");
    k.Emit(FactKind::kRefLeak, 0, static_cast<int>(state_.host_list.size()),
           "a DSI host is still on host_list");
  }
  k.Emit(FactKind::kEnd);
}

std::string World::Format(const Event& e) const {
  const char* name = EventKindName(e.kind);
  switch (e.kind) {
    case EventKind::kDeferredProbe:
      return name;
    case EventKind::kRmmod:
    case EventKind::kInsmod:
      return absl::StrCat(name, " ",
                          e.arg >= 0 && e.arg <= 2
                              ? DriverName(static_cast<DriverKind>(e.arg))
                              : "?");
    case EventKind::kFail: {
      std::string s =
          absl::StrCat(name, " ",
                       e.arg >= 0 && e.arg <= 3
                           ? FaultSiteName(static_cast<FaultSite>(e.arg))
                           : "?");
      if (e.count != 1) absl::StrAppend(&s, " ", e.count);
      return s;
    }
    default:
      break;
  }
  const bool known =
      e.arg >= 0 && e.arg < static_cast<int>(topo_.devices.size());
  return absl::StrCat(name, " ", known ? topo_.devices[e.arg].name : "?");
}

std::string World::EventText(int i) const {
  if (i <= 0) return "setup";
  if (i > static_cast<int>(log_.size())) return "end";
  const Entry& entry = log_[i - 1];
  return entry.teardown ? absl::StrCat("teardown: ", Format(entry.event))
                        : Format(entry.event);
}

}  // namespace dsifuzz::model
