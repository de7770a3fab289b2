#include "model/kernel.h"

#include <tuple>
#include <utility>

namespace dsifuzz::model {

State::State() {
  // Element 0 of every store is the zeroed dummy (see state.h).
  std::apply([](auto&... store) { (store.emplace_back(), ...); }, objs);
}

// A new field of State: copy it here.
static_assert(sizeof(State) == 9792 || sizeof(void*) != 8);

State& State::operator=(const State& o) {
  if (this == &o) return *this;
  heap = o.heap;
  const size_t from = dummies_used || o.dummies_used ? 0 : 1;
  [&]<size_t... I>(std::index_sequence<I...>) {
    (std::get<I>(objs).AssignFrom(std::get<I>(o.objs), from), ...);
  }
  (std::make_index_sequence<std::tuple_size_v<decltype(objs)>>());
  dummies_used = o.dummies_used;
  drivers = o.drivers;
  buses = o.buses;
  host_list = o.host_list;
  deferred_pending = o.deferred_pending;
  deferred_active = o.deferred_active;
  deferred_trigger_count = o.deferred_trigger_count;
  of_refcount = o.of_refcount;
  faults = o.faults;
  topo_dev = o.topo_dev;
  sysfs = o.sysfs;
  return *this;
}

Kernel::Kernel(State& state, const Topology& topo, FactSink* sink)
    : s_(state),
      topo_(topo),
      sink_(sink),
      interest_(sink != nullptr ? sink->Interest() : 0) {}

void Kernel::EmitFact(FactKind kind, ObjId obj, int value, const char* what) {
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
