#include "model/state_hash.h"

#include <cstring>
#include <type_traits>

#include "xxhash.h"

namespace dsifuzz::model {
namespace {

// A new field changes its struct's size: encode it below (or say in
// state_hash.h and docs/explore.md why it is left out); if it holds an
// ObjId, list it in state_canon.cc's Ids(); if it holds a topology index,
// a DT node, a device name or a channel, rename it in
// Symmetry::Permute(); then update the size here. The sizes are those of
// x86-64 (gcc and clang).
#if defined(__x86_64__)
static_assert(sizeof(Slot) == 56);
static_assert(sizeof(Label) == 4);
static_assert(sizeof(kobject) == 16);
static_assert(sizeof(klist_node) == 8);
static_assert(sizeof(devres_node) == 12);
static_assert(sizeof(device) == 128);
static_assert(sizeof(device_private) == 56);
static_assert(sizeof(platform_device) == 136);
static_assert(sizeof(i2c_client) == 136);
static_assert(sizeof(mipi_dsi_device) == 160);
static_assert(sizeof(mipi_dsi_host) == 8);
static_assert(sizeof(kobj_name) == 4);
static_assert(sizeof(dsi_controller) == 20);
static_assert(sizeof(bridge_priv) == 4);
static_assert(sizeof(panel_priv) == 4);
static_assert(sizeof(device_driver) == 40);
static_assert(sizeof(bus_state) == 32);
static_assert(sizeof(Faults) == 16);
static_assert(sizeof(State::SysfsEntry) == 8);
static_assert(sizeof(State) == 1312);
static_assert(sizeof(Heap) == 96);
#endif
static_assert(std::tuple_size_v<decltype(State::objs)> == 10,
              "a new object type: encode its store below");
static_assert(static_cast<int>(ObjType::kCount) == 11);

// The encoded fields of each struct, listed once and run by the Writer
// (EncodeState) and the Reader (DecodeState): `a(v)` writes or reads one
// integral or enum field.
class Writer {
 public:
  static constexpr bool kReading = false;
  // Fields are a few bytes each: they go through a local buffer, appended
  // to `out` when full and at the end (one append per field would
  // dominate the encoding).
  explicit Writer(std::string& out) : out_(out) {}
  ~Writer() { Flush(); }
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  template <class T>
  requires std::is_integral_v<T> || std::is_enum_v<T>
  void operator()(T& v) {
    if (used_ + sizeof(T) > sizeof(buf_)) Flush();
    std::memcpy(buf_ + used_, &v, sizeof(T));
    used_ += sizeof(T);
  }

 private:
  void Flush() {
    out_.append(buf_, used_);
    used_ = 0;
  }
  std::string& out_;
  size_t used_ = 0;
  char buf_[512];
};

class Reader {
 public:
  static constexpr bool kReading = true;
  explicit Reader(std::string_view& in) : in_(in) {}
  template <class T>
  requires std::is_integral_v<T> || std::is_enum_v<T>
  void operator()(T& v) {
    if (in_.size() < sizeof(T)) {
      ok_ = false;
      v = T{};
      return;
    }
    std::memcpy(&v, in_.data(), sizeof(T));
    in_.remove_prefix(sizeof(T));
  }
  bool ok() const { return ok_; }
  // A count read from the input, refused when it cannot be right (a
  // truncated or foreign input), so that a bad one cannot allocate much.
  bool Plausible(uint32_t n) {
    if (n > in_.size() + 1) ok_ = false;
    return ok_;
  }

 private:
  std::string_view& in_;
  bool ok_ = true;
};

template <class A, class T>
requires std::is_integral_v<T> || std::is_enum_v<T>
void Io(A& a, T& v) { a(v); }
template <class A>
void Io(A& a, DevPtr& p) {
  a(p.id);
}
template <class A, class T>
void Io(A& a, Ptr<T>& p) {
  a(p.id);
}
template <class A>
void Io(A& a, Label& l) {
  a(l.base);
  a(l.suffix);
}
// A list: its length, then its elements (read into fresh ones).
template <class A, class L>
void IoList(A& a, L& list) {
  auto n = static_cast<uint32_t>(list.size());
  a(n);
  if constexpr (A::kReading) {
    list.clear();
    if (!a.Plausible(n)) return;
    list.resize(n);
  }
  for (auto& x : list) Io(a, x);
}
template <class A>
void Io(A& a, kobject& k) {
  a(k.name);
  a(k.refcount);
  a(k.state_initialized);
  a(k.state_in_sysfs);
  Io(a, k.parent);
}
template <class A>
void Io(A& a, klist_node& n) {
  a(n.attached);
  a(n.dead);
  a(n.ref);
  a(n.klist);
}
template <class A>
void Io(A& a, devres_node& n) {
  a(n.kind);
  a(n.action);
  a(n.node);
  a(n.data);
}
template <class A>
void Io(A& a, device& d) {
  Io(a, d.kobj);
  Io(a, d.parent);
  a(d.p);
  a(d.bus);
  a(d.type);
  a(d.release);
  a(d.driver);
  a(d.driver_data);
  a(d.of_node);
  a(d.can_match);
  a(d.devres_initialized);
  IoList(a, d.devres_head);
  a(d.mutex_dead);
}
template <class A>
void Io(A& a, platform_device& o) {
  Io(a, o.dev);
  a(o.topo);
}
template <class A>
void Io(A& a, i2c_client& o) {
  Io(a, o.dev);
  a(o.topo);
  a(o.devres_group_id);
}
template <class A>
void Io(A& a, mipi_dsi_device& o) {
  Io(a, o.host);
  Io(a, o.dev);
  a(o.attached);
  a(o.channel);
  a(o.mode_flags);
  a(o.name);
  Io(a, o.devres_register_dev);
  Io(a, o.devres_attach_dev);
  a(o.unregistered);
  a(o.released);
}
template <class A>
void Io(A& a, device_private& o) {
  IoList(a, o.klist_children);
  Io(a, o.knode_parent);
  Io(a, o.knode_driver);
  Io(a, o.knode_bus);
  a(o.deferred);
  a(o.dead);
  Io(a, o.device);
}
template <class A>
void Io(A& a, kobj_name& o) {
  Io(a, o.label);
}
template <class A>
void Io(A&, action_devres&) {}
template <class A>
void Io(A&, devres_group&) {}
template <class A>
void Io(A& a, dsi_controller& o) {
  Io(a, o.host.dev);
  a(o.host.ops);
  a(o.host.on_host_list);
  a(o.bridges);
  a(o.mode_flags);
  // o.transfers: incremented by ops->transfer, never read (history).
}
template <class A>
void Io(A& a, bridge_priv& o) {
  Io(a, o.dsi);
}
template <class A>
void Io(A& a, panel_priv& o) {
  Io(a, o.dsi);
}
template <class A>
void Io(A& a, State::SysfsEntry& e) {
  Io(a, e.parent);
  Io(a, e.name);
}

// The slots, freed ones included; the allocation and free records, the
// ordinals and labels are left out (history and names for reports).
template <class A>
void IoHeap(A& a, Heap& heap) {
  auto n = static_cast<uint32_t>(heap.size());
  a(n);
  if constexpr (A::kReading) {
    heap = Heap();
    if (!a.Plausible(n)) return;
  }
  for (ObjId id = 1; id < n; ++id) {
    Slot tmp;
    Slot& slot = A::kReading ? tmp : heap.slot(id);
    a(slot.type);
    a(slot.live);
    a(slot.devm);
    a(slot.index);
    if constexpr (A::kReading) {
      heap.NewSlot(slot.type, slot.index, -1, StackRef{});
      heap.slot(id).live = slot.live;
      heap.slot(id).devm = slot.devm;
    }
  }
}

template <class A>
void IoState(A& a, State& s) {
  IoHeap(a, s.heap);
  // Every object of every store, the dummy element 0 included.
  std::apply([&](auto&... store) { (IoList(a, store), ...); }, s.objs);
  for (device_driver& d : s.drivers) {
    // d.name is fixed by d.kind.
    a(d.kind);
    a(d.bus);
    a(d.registered);
    IoList(a, d.klist_devices);
  }
  for (bus_state& b : s.buses) {
    IoList(a, b.klist_devices);
    a(b.drivers_autoprobe);
  }
  IoList(a, s.host_list);
  IoList(a, s.deferred_pending);
  IoList(a, s.deferred_active);
  // s.deferred_trigger_count: only compared with a copy taken in the same
  // event (dd.c), so its absolute value is history.
  IoList(a, s.of_refcount);
  a(s.faults.kzalloc);
  a(s.faults.devres);
  a(s.faults.attach);
  a(s.faults.device_add);
  IoList(a, s.topo_dev);
  IoList(a, s.sysfs);
}

// The number of objects (the dummy included) in the store of `type`; 0 for
// a type without one.
size_t StoreSize(const State& s, ObjType type) {
  size_t size = 0;
  std::apply(
      [&](const auto&... store) {
        auto one = [&](const auto& st) {
          using T = typename std::decay_t<decltype(st)>::value_type;
          if (type == TypeOf<T>::value) size = st.size();
        };
        (one(store), ...);
      },
      s.objs);
  return size;
}

}  // namespace

void EncodeState(const State& s, std::string& out) {
  Writer w(out);
  // The Writer only reads the fields it is handed.
  IoState(w, const_cast<State&>(s));
}

bool DecodeState(std::string_view& in, State& s) {
  Reader r(in);
  IoState(r, s);
  s.deferred_trigger_count = 0;
  if (!r.ok()) return false;
  // Every slot must point into its store.
  for (ObjId id = 1; id < s.heap.size(); ++id) {
    const Slot& slot = s.heap.slot(id);
    const size_t size = StoreSize(s, slot.type);
    if (slot.index == 0 || slot.index >= size) return false;
    s.Bind(id);
  }
  return true;
}

Fingerprint FingerprintOf(std::string_view bytes) {
  const XXH128_hash_t h = XXH3_128bits(bytes.data(), bytes.size());
  return Fingerprint{h.low64, h.high64};
}

}  // namespace dsifuzz::model
