#include "model/kernel.h"

namespace dsifuzz::model {

State::State() {
  // Element 0 of every store is the zeroed dummy (see state.h).
  std::apply([](auto&... store) { (store.emplace_back(), ...); }, objs);
}

State::State(const State& other) { *this = other; }

State& State::operator=(const State& other) {
  heap = other.heap;
  objs = other.objs;
  dummies_used = other.dummies_used;
  drivers = other.drivers;
  buses = other.buses;
  host_list = other.host_list;
  deferred_pending = other.deferred_pending;
  deferred_active = other.deferred_active;
  deferred_trigger_count = other.deferred_trigger_count;
  of_refcount = other.of_refcount;
  faults = other.faults;
  topo_dev = other.topo_dev;
  sysfs = other.sysfs;
  for (ObjId id = 1; id < heap.size(); ++id) Bind(id);
  return *this;
}

void State::Bind(ObjId id) {
  Slot& slot = heap.slot(id);
  auto at = [&](auto& store) -> auto& { return store[slot.index]; };
  switch (slot.type) {
    case ObjType::kPlatformDevice: {
      auto& o = at(storage<platform_device>());
      slot.obj = &o;
      slot.dev = &o.dev;
      break;
    }
    case ObjType::kI2cClient: {
      auto& o = at(storage<i2c_client>());
      slot.obj = &o;
      slot.dev = &o.dev;
      break;
    }
    case ObjType::kMipiDsiDevice: {
      auto& o = at(storage<mipi_dsi_device>());
      slot.obj = &o;
      slot.dev = &o.dev;
      break;
    }
    case ObjType::kDevicePrivate:
      slot.obj = &at(storage<device_private>());
      break;
    case ObjType::kKobjName:
      slot.obj = &at(storage<kobj_name>());
      break;
    case ObjType::kActionDevres:
      slot.obj = &at(storage<action_devres>());
      break;
    case ObjType::kDevresGroup:
      slot.obj = &at(storage<devres_group>());
      break;
    case ObjType::kDsiController:
      slot.obj = &at(storage<dsi_controller>());
      break;
    case ObjType::kBridgePriv:
      slot.obj = &at(storage<bridge_priv>());
      break;
    case ObjType::kPanelPriv:
      slot.obj = &at(storage<panel_priv>());
      break;
    case ObjType::kNull:
    case ObjType::kCount:
      break;
  }
}

Kernel::Kernel(State& state, const Topology& topo, FactSink* sink)
    : s_(state),
      topo_(topo),
      sink_(sink),
      interest_(sink != nullptr ? sink->Interest() : 0) {}

void Kernel::Emit(FactKind kind, ObjId obj, int value, const char* what) {
  if ((interest_ & FactBit(kind)) == 0) return;
  Fact f;
  f.kind = kind;
  f.seq = ++seq_;
  f.event = event_;
  f.teardown = teardown_;
  f.obj = obj;
  f.value = value;
  f.func = depth_ > 0 ? stack_[depth_ - 1] : "";
  f.what = what;
  f.stack = stack_.data();
  f.depth = depth_;
  if (s_.heap.Valid(obj)) f.slot = &s_.heap.slot(obj);
  f.heap = &s_.heap;
  sink_->OnFact(f);
}

}  // namespace dsifuzz::model
