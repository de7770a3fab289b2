#include "model/state_hash.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <span>
#include <type_traits>

#include "model/state_canon.h"
#include "model/state_fields.h"
#if defined(__x86_64__)
#include "xxh_x86dispatch.h"
#else
#include "xxhash.h"
#endif

namespace dsifuzz::model {
namespace {

// A new field changes its struct's size: encode it below (or say in
// state_hash.h and docs/explore.md why it is left out); if it holds an
// ObjId, list it in state_canon.cc's Ids(); if it holds a topology index,
// a DT node, a device name or a channel, rename it in
// Symmetry::Permute(); then update the size here. The sizes are those of
// x86-64 (gcc and clang).
#if defined(__x86_64__)
static_assert(sizeof(Slot) == 40);
static_assert(sizeof(Label) == 4);
static_assert(sizeof(kobject) == 16);
static_assert(sizeof(klist_node) == 8);
static_assert(sizeof(devres_node) == 12);
static_assert(sizeof(device) == 136);
static_assert(sizeof(device_private) == 64);
static_assert(sizeof(platform_device) == 144);
static_assert(sizeof(i2c_client) == 144);
static_assert(sizeof(mipi_dsi_device) == 168);
static_assert(sizeof(mipi_dsi_host) == 8);
static_assert(sizeof(kobj_name) == 4);
static_assert(sizeof(dsi_controller) == 20);
static_assert(sizeof(bridge_priv) == 4);
static_assert(sizeof(panel_priv) == 4);
static_assert(sizeof(device_driver) == 48);
static_assert(sizeof(bus_state) == 40);
static_assert(sizeof(Faults) == 16);
static_assert(sizeof(State::SysfsEntry) == 8);
static_assert(sizeof(State) == 9784);
static_assert(sizeof(Heap) == 96);
#endif
static_assert(std::tuple_size_v<decltype(State::objs)> == 10,
              "a new object type: encode its store below");
constexpr int kObjTypes = static_cast<int>(ObjType::kCount);
static_assert(kObjTypes == 11);

// The archives of the field lists (model/state_fields.h): the Writer
// appends every field as it is, the RenamingWriter writes each id through
// a Renaming (the canonical encoding), the Reader fills the fields back.
//
// A writer writes straight into its string, without a length check per
// field: the field lists call Reserve(n) before each list and each object,
// which leaves room for n bytes and kSlack more, and no run of fields
// between two Reserve() calls is longer than kSlack. A writer is a few
// pointers, kept in registers by the encoders (a local copy: bytes stored
// through a writer in memory would make the compiler reload it after each
// one).
template <class W>
class WriterBase {
 public:
  static constexpr bool kReading = false;
  static constexpr size_t kSlack = 256;

  // Room for as much as the last writer wrote (growing the string fills
  // what it adds).
  explicit WriterBase(std::string& out) : out_(&out), base_(out.size()) {
    out.resize(base_ + last_ + 2 * kSlack);
    Rebase(base_);
  }
  // Cuts the string back to what was written.
  void Finish() {
    const size_t used = p_ - out_->data();
    last_ = used - base_;
    out_->resize(used);
  }

  template <fields::Scalar T>
  [[gnu::always_inline]] void operator()(const T& v) {
    std::memcpy(p_, &v, sizeof(T));
    p_ += sizeof(T);
  }
  [[gnu::always_inline]] void Reserve(size_t n) {
    if (static_cast<size_t>(end_ - p_) < n + kSlack) [[unlikely]]
      static_cast<W&>(*this) = Grown(static_cast<const W&>(*this), n);
  }

 private:
  void Rebase(size_t used) {
    p_ = out_->data() + used;
    end_ = out_->data() + out_->size();
  }
  // By value in and out, so that the writer's address never escapes.
  [[gnu::noinline]] static W Grown(W w, size_t n) {
    const size_t used = w.p_ - w.out_->data();
    w.out_->resize(std::max(2 * w.out_->size(), used + n + 2 * kSlack));
    w.Rebase(used);
    return w;
  }

  static inline thread_local size_t last_ = 0;
  std::string* out_;
  size_t base_;
  char* p_;
  char* end_;
};

class Writer : public WriterBase<Writer> {
 public:
  using WriterBase::WriterBase;
  [[gnu::always_inline]] void id(ObjId v) { (*this)(v); }
};

class RenamingWriter : public WriterBase<RenamingWriter> {
 public:
  RenamingWriter(std::string& out, const Renaming& r)
      : WriterBase(out), r_(&r) {}
  [[gnu::always_inline]] void id(ObjId v) { (*this)((*r_)(v)); }

 private:
  const Renaming* r_;
};

class Reader {
 public:
  static constexpr bool kReading = true;
  explicit Reader(std::string_view& in) : in_(in) {}
  template <fields::Scalar T>
  void operator()(T& v) {
    if (in_.size() < sizeof(T)) {
      ok_ = false;
      v = T{};
      return;
    }
    std::memcpy(&v, in_.data(), sizeof(T));
    in_.remove_prefix(sizeof(T));
  }
  void id(ObjId& v) { (*this)(v); }
  void Reserve(size_t) {}
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

// The slots, freed ones included; the allocation and free records, the
// ordinals and labels are left out (history and names for reports).
template <class A>
[[gnu::always_inline]] inline void IoSlot(A& a, Slot& slot) {
  a(slot.type);
  a(slot.live);
  a(slot.devm);
  a(slot.index);
}

template <class A>
void IoHeap(A& a, Heap& heap) {
  auto n = static_cast<uint32_t>(heap.size());
  a.Reserve(4 + 8 * n);
  a(n);
  if constexpr (A::kReading) {
    heap = Heap();
    if (!a.Plausible(n)) return;
  }
  for (ObjId id = 1; id < n; ++id) {
    Slot tmp;
    Slot& slot = A::kReading ? tmp : heap.slot(id);
    IoSlot(a, slot);
    if constexpr (A::kReading) {
      heap.NewSlot(slot.type, slot.index, -1, StackRef{});
      heap.slot(id).live = slot.live;
      heap.slot(id).devm = slot.devm;
    }
  }
}

// A store: its size, then its dummy element 0 if dummies were used
// (otherwise it is as State() made it), then its objects.
template <class A, class T>
void IoStore(A& a, Store<T>& store, bool dummies) {
  if (!fields::IoLength(a, store, 0)) return;
  if (store.empty()) return;  // only a foreign input has no dummy
  if (dummies) {
    fields::Io(a, store[0]);
  } else if constexpr (A::kReading) {
    store[0] = Store<T>::Fresh();
  }
  for (size_t i = 1; i < store.size(); ++i) {
    a.Reserve(sizeof(T));
    fields::Io(a, store[i]);
  }
}

template <class A>
void IoState(A& a, State& s) {
  IoHeap(a, s.heap);
  a(s.dummies_used);
  // Every object of every store.
  fields::ForEachStore(s,
                       [&](auto& store) { IoStore(a, store, s.dummies_used); });
  fields::IoGlobals(a, s);
  fields::IoList(a, s.sysfs);
}

// The number of objects (the dummy included) in the store of `type`; 0 for
// a type without one.
size_t StoreSize(const State& s, ObjType type) {
  size_t size = 0;
  fields::ForEachStore(s, [&](const auto& store) {
    using T = typename std::decay_t<decltype(store)>::value_type;
    if (type == TypeOf<T>::value) size = store.size();
  });
  return size;
}

}  // namespace

void EncodeState(const State& s, std::string& out) {
  Writer w(out);  // a local: in registers
  // The Writer only reads the fields it is handed.
  IoState(w, const_cast<State&>(s));
  w.Finish();
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
  }
  return true;
}

void EncodeCanonical(const State& cs, std::string& out, Renaming& r) {
  // Reused from call to call: the canonical order, the old store indices
  // of the objects kept grouped by type (each group in the new order) and
  // the sysfs entries.
  thread_local std::vector<ObjId> order;
  thread_local std::vector<uint32_t> by_type;
  thread_local std::vector<State::SysfsEntry> sysfs;
  State& s = const_cast<State&>(cs);  // the writers only read
  CanonicalOrder(s, r, order);
  sysfs.assign(s.sysfs.begin(), s.sysfs.end());
  for (State::SysfsEntry& e : sysfs) e.parent.id = r(e.parent.id);
  std::sort(sysfs.begin(), sysfs.end(), SysfsBefore);
  // A counting sort on the type: group t is by_type[start[t], start[t+1]).
  std::array<uint32_t, kObjTypes + 1> start{};
  for (ObjId id : order) ++start[static_cast<int>(s.heap.slot(id).type) + 1];
  for (int t = 0; t < kObjTypes; ++t) start[t + 1] += start[t];
  std::array<uint32_t, kObjTypes> next;
  std::copy(start.begin(), start.begin() + kObjTypes, next.begin());
  by_type.resize(order.size());
  RenamingWriter w(out, r);  // a local: in registers
  // The slots in their new order, each with its index in the store once
  // that is compacted in the same order.
  w.Reserve(4 + 8 * order.size());
  w(static_cast<uint32_t>(order.size() + 1));
  for (ObjId id : order) {
    Slot slot = s.heap.slot(id);
    const int t = static_cast<int>(slot.type);
    by_type[next[t]++] = slot.index;
    slot.index = next[t] - start[t];
    IoSlot(w, slot);
  }
  // Each store: its dummy (if used), then the objects kept, in the new
  // order.
  w(s.dummies_used);
  fields::ForEachStore(s, [&](auto& store) {
    using T = typename std::decay_t<decltype(store)>::value_type;
    const int t = static_cast<int>(TypeOf<T>::value);
    const std::span<const uint32_t> kept(by_type.data() + start[t],
                                         start[t + 1] - start[t]);
    RenamingWriter sw = w;
    sw.Reserve(4 + sizeof(T));
    sw(static_cast<uint32_t>(kept.size() + 1));
    if (s.dummies_used) fields::Io(sw, store[0]);
    for (uint32_t index : kept) {
      sw.Reserve(sizeof(T));
      fields::Io(sw, store[index]);
    }
    w = sw;
  });
  fields::IoGlobals(w, s);
  w.Reserve(4 + sizeof(State::SysfsEntry) * sysfs.size());
  w(static_cast<uint32_t>(sysfs.size()));
  for (State::SysfsEntry& e : sysfs) {
    // Already renamed: written as they are.
    w(e.parent.id);
    fields::Io(w, e.name);
  }
  w.Finish();
}

Fingerprint FingerprintOf(std::string_view bytes) {
#if defined(__x86_64__)
  // The same function, on the widest vector unit this CPU has (libxxhash
  // picks SSE2, AVX2 or AVX-512 at its first call).
  const XXH128_hash_t h = XXH3_128bits_dispatch(bytes.data(), bytes.size());
#else
  const XXH128_hash_t h = XXH3_128bits(bytes.data(), bytes.size());
#endif
  return Fingerprint{h.low64, h.high64};
}

}  // namespace dsifuzz::model
