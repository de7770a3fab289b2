#include "model/kernel.h"

namespace dsifuzz::model {

State::State() {
  // Element 0 of every store is the zeroed dummy (see state.h).
  std::apply([](auto&... store) { (store.emplace_back(), ...); }, objs);
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
