#include "model/state_hash.h"

#include <algorithm>
#include <array>
#include <cstring>
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
// state_hash.h and docs/explore.md why it is left out) in its field list
// in state_fields.h, marked as an id if it holds an ObjId; if it holds a
// topology index,
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
static_assert(sizeof(State) == 9792);
static_assert(sizeof(Heap) == 104);
#endif
static_assert(std::tuple_size_v<decltype(State::objs)> == 10,
              "a new object type: encode its store below");
constexpr int kObjTypes = static_cast<int>(ObjType::kCount);
// The largest object type (mipi_dsi_device), for a writer's room.
constexpr size_t kLargestObject = 168;
static_assert(kObjTypes == 11);

// The archives of the field lists (model/state_fields.h): the Writer
// appends every field as it is, the CanonicalWriter numbers the objects as
// their ids come and writes each id as its number (the canonical
// encoding), the Reader fills the fields back.
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

  // Writes from out[at] on, with room for as much as the last writer wrote.
  // Growing the string fills what it adds, so a string kept long from call
  // to call (EncodeCanonicalAt) is not filled again.
  WriterBase(std::string& out, size_t at) : out_(&out), base_(at) {
    if (out.size() < base_ + last_ + 2 * kSlack)
      out.resize(base_ + last_ + 2 * kSlack);
    Rebase(base_);
  }
  // Where the next field goes, in the string.
  size_t Offset() const { return p_ - out_->data(); }
  // Where the writing ended; the bytes after it are left as they are.
  size_t Finish() {
    const size_t used = p_ - out_->data();
    last_ = used - base_;
    return used;
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
  explicit Writer(std::string& out) : WriterBase(out, out.size()) {}
  [[gnu::always_inline]] void id(ObjId v) { (*this)(v); }
};

// The archive of the canonical encoding: it numbers each object the first
// time an id names it (the canonical walk: state_canon.h) and writes every
// id as that number. NULL, ERR_PTRs and ids past the heap stay as they are.
class CanonicalWriter : public WriterBase<CanonicalWriter> {
 public:
  // `to` and `order` have room for every id of the heap.
  CanonicalWriter(std::string& out, size_t at, ObjId* to, ObjId* order, ObjId n)
      : WriterBase(out, at), to_(to), order_(order), n_(n) {}
  // Numbers `v` if it is the first time an id names it.
  [[gnu::always_inline]] ObjId Number(ObjId v) {
    // v == 0 or v >= n_, in one comparison (n_ >= 1: slot 0 is NULL).
    if (v - 1 >= n_ - 1) return v;
    ObjId& to = to_[v];
    if (to == 0) {
      order_[numbered_] = v;
      to = ++numbered_;
    }
    return to;
  }
  [[gnu::always_inline]] void id(ObjId v) { (*this)(Number(v)); }
  // How many objects have a number; order[k] is the one numbered k + 1.
  ObjId numbered() const { return numbered_; }

 private:
  ObjId* to_;
  ObjId* order_;
  ObjId n_;
  ObjId numbered_ = 0;
};

// The decoder's archive: it reads from a copy of the input followed by
// kPad zero bytes, without a bounds check per field. It checks that it is
// still within the input at each list length (Plausible) and each object
// (ok()); no run of fields between two checks is longer than kPad (the
// largest object is 168 bytes, the dummies of all stores together less
// than 1 KiB), so a truncated input reads zeros, never past the copy. Two
// pointers, kept in registers by DecodeState (a local whose address no call
// sees: the bytes it stores into the State could be the reader itself to a
// compiler that saw its address escape).
class Reader {
 public:
  static constexpr bool kReading = true;
  static constexpr size_t kPad = 1024;
  // [p, end) is the input, followed by kPad readable bytes.
  Reader(const char* p, const char* end) : p_(p), end_(end) {}
  template <fields::Scalar T>
  [[gnu::always_inline]] void operator()(T& v) {
    if constexpr (std::is_same_v<T, bool>) {
      // A byte other than 0 and 1 is no bool (nor an encoding).
      const auto b = static_cast<uint8_t>(*p_++);
      if (b > 1) ok_ = false;
      v = b != 0;
    } else {
      // Enums have a fixed underlying type: any bytes are a value.
      std::memcpy(&v, p_, sizeof(T));
      p_ += sizeof(T);
    }
  }
  [[gnu::always_inline]] void id(ObjId& v) { (*this)(v); }
  void Reserve(size_t) {}
  // Whether everything read so far was input.
  bool ok() {
    if (p_ > end_) ok_ = false;
    return ok_;
  }
  // A count read from the input, refused when it cannot be right (a
  // truncated or foreign input), so that a bad one cannot allocate much.
  bool Plausible(uint32_t n) {
    if (!ok() || n > static_cast<size_t>(end_ - p_) + 1) ok_ = false;
    return ok_;
  }
  const char* at() const { return p_; }

 private:
  const char* p_;
  const char* end_;
  bool ok_ = true;
};

// An object's slot: its type and whether it is live and devm memory. The
// allocation and free records, the ordinal and the label are left out
// (history and names for reports); the index into its store is its rank
// among the objects of its type, in the order of the encoding.
template <class A>
[[gnu::always_inline]] inline void IoSlot(A& a, Slot& slot) {
  a(slot.type);
  a(slot.live);
  a(slot.devm);
}

// The plain encoding: the slots, the stores (the dummies if used), the
// globals, sysfs in its order.
template <class A>
void IoState(A& a, State& s) {
  auto n = static_cast<uint32_t>(s.heap.size());
  a.Reserve(4 + 8 * n);
  a(n);
  for (ObjId id = 1; id < n; ++id) {
    IoSlot(a, s.heap.slot(id));
    a(s.heap.slot(id).index);
  }
  a(s.dummies_used);
  fields::ForEachStore(s, [&](auto& store) {
    fields::IoLength(a, store, 0);
    if (s.dummies_used) fields::Io(a, store[0]);
    for (size_t i = 1; i < store.size(); ++i) {
      a.Reserve(sizeof(store[i]));
      fields::Io(a, store[i]);
    }
  });
  fields::IoGlobals(a, s);
  fields::IoFaults(a, s);
  fields::IoList(a, s.sysfs);
}

// Sorts a few keys (insertion sort: a sysfs has a handful of names), or
// many.
void SortKeys(std::vector<uint64_t>& keys) {
  if (keys.size() > 32) {
    std::sort(keys.begin(), keys.end());
    return;
  }
  for (size_t i = 1; i < keys.size(); ++i) {
    const uint64_t k = keys[i];
    size_t j = i;
    for (; j > 0 && keys[j - 1] > k; --j) keys[j] = keys[j - 1];
    keys[j] = k;
  }
}

}  // namespace

void EncodeState(const State& s, std::string& out) {
  Writer w(out);  // a local: in registers
  // The Writer only reads the fields it is handed.
  IoState(w, const_cast<State&>(s));
  out.resize(w.Finish());
}

// The canonical encoding, in the order of the canonical walk: the number
// of objects, the armed faults, whether dummies were used, the globals (their
// ids numbering the objects they name first), sysfs, the dummies if used, then
// each object in its number's order, its slot then its fields, each id
// numbering the objects it names first. So the walk and the encoding are one
// pass.
void EncodeCanonical(const State& s, std::string& out, Renaming& r) {
  out.resize(EncodeCanonicalAt(s, out, out.size(), r));
}

size_t EncodeCanonicalAt(const State& cs, std::string& out, size_t at,
                         Renaming& r) {
  // Reused from call to call: the canonical order, the sysfs entries and
  // the leaked objects.
  thread_local std::vector<ObjId> order;
  thread_local std::vector<uint64_t> sysfs;
  thread_local std::vector<ObjId> orphans;
  State& s = const_cast<State&>(cs);  // the writer only reads
  const auto n = static_cast<ObjId>(s.heap.size());
  std::vector<ObjId>& to = r.to_;
  to.assign(n, 0);
  // Never cut back: growing fills what it adds.
  if (order.size() < n) order.resize(n);
  CanonicalWriter w(out, at, to.data(), order.data(), n);  // in registers
  w.Reserve(4);
  const size_t count_at = w.Offset();
  w(uint32_t{0});          // the number of objects, known at the end
  fields::IoFaults(w, s);  // at a fixed place: RewriteFault()
  w(s.dummies_used);
  fields::IoGlobals(w, s);
  // sysfs names the objects it holds in the order of their names (and old
  // ids, for equal names), and is written in the order of names and new
  // ids: a set either way.
  // Sorted as SysfsKey()s: no call per comparison.
  sysfs.clear();
  for (const State::SysfsEntry& e : s.sysfs) sysfs.push_back(SysfsKey(e));
  SortKeys(sysfs);
  // The parents renumbered (the low 32 bits of a key). Their order matters
  // only between equal names: sorted again only if two names are equal.
  bool equal_names = false;
  for (size_t i = 0; i < sysfs.size(); ++i) {
    uint64_t& k = sysfs[i];
    k = (k & ~uint64_t{0xFFFFFFFF}) | w.Number(static_cast<ObjId>(k));
    if (i > 0 && (k >> 32) == (sysfs[i - 1] >> 32)) equal_names = true;
  }
  if (equal_names) SortKeys(sysfs);
  w.Reserve(4 + sizeof(State::SysfsEntry) * sysfs.size());
  w(static_cast<uint32_t>(sysfs.size()));
  for (uint64_t k : sysfs) {
    State::SysfsEntry e = SysfsEntryOf(k);
    w(e.parent.id);  // numbered above
    fields::Io(w, e.name);
  }
  // The dummy element 0 of each store: a type-confused write may have put
  // ids there, and a type-confused read may find them.
  if (s.dummies_used) {
    fields::ForEachStore(s, [&](auto& store) {
      w.Reserve(sizeof(store[0]));
      fields::Io(w, store[0]);
    });
  }
  // Everything inlined into one loop, so that the writer stays in
  // registers. It counts the live objects it writes.
  size_t live_numbered = 0;
  auto walk = [&](size_t from) __attribute__((always_inline)) {
    // A copy no call or lambda sees, so that it lives in registers: the
    // bytes it stores could be the writer itself to a compiler that saw
    // its address taken, and it would reload it after each one.
    CanonicalWriter lw = w;
    size_t live = live_numbered;
    for (size_t k = from; k < lw.numbered(); ++k) {
      const ObjId id = order[k];
      Slot& slot = s.heap.slot(id);
      // The slot and the object's fixed fields (its lists reserve their
      // own room).
      lw.Reserve(3 + kLargestObject);
      IoSlot(lw, slot);
      live += slot.live ? 1 : 0;
      auto& o = s.objs;
      switch (slot.type) {
#define DSIFUZZ_ENCODE(T)                              \
  case TypeOf<T>::value:                               \
    static_assert(sizeof(T) <= kLargestObject);        \
    fields::Io(lw, std::get<Store<T>>(o)[slot.index]); \
    break;
        DSIFUZZ_ENCODE(platform_device)
        DSIFUZZ_ENCODE(i2c_client)
        DSIFUZZ_ENCODE(mipi_dsi_device)
        DSIFUZZ_ENCODE(device_private)
        DSIFUZZ_ENCODE(kobj_name)
        DSIFUZZ_ENCODE(action_devres)
        DSIFUZZ_ENCODE(devres_group)
        DSIFUZZ_ENCODE(dsi_controller)
        DSIFUZZ_ENCODE(bridge_priv)
        DSIFUZZ_ENCODE(panel_priv)
#undef DSIFUZZ_ENCODE
        case ObjType::kNull:
        case ObjType::kCount:
          break;
      }
      static_assert(std::tuple_size_v<decltype(State::objs)> == 10);
    }
    w = lw;
    live_numbered = live;
  };
  walk(0);
  // Live objects nothing reaches (leaks): by type, then in their old order
  // (which is history: two states that differ only in it stay apart, which
  // costs states, never soundness). None when the walk met every live
  // object.
  orphans.clear();
  for (ObjId id = 1; live_numbered < s.heap.live() && id < n; ++id) {
    if (s.heap.slot(id).live && to[id] == 0) orphans.push_back(id);
  }
  std::stable_sort(orphans.begin(), orphans.end(), [&](ObjId a, ObjId b) {
    return s.heap.slot(a).type < s.heap.slot(b).type;
  });
  r.orphans_ = 0;
  for (ObjId id : orphans) {
    if (to[id] != 0) continue;  // reached from an earlier one
    ++r.orphans_;
    const size_t from = w.numbered();
    w.Number(id);
    walk(from);
  }
  const size_t end = w.Finish();
  const size_t numbered = w.numbered();
  const auto count = static_cast<uint32_t>(numbered + 1);
  std::memcpy(out.data() + count_at, &count, sizeof(count));
  bool identity = count == n;
  for (size_t k = 0; identity && k < numbered; ++k)
    identity = order[k] == k + 1;
  if (identity) to.clear();
  return end;
}

bool DecodeState(std::string_view& in, State& s) {
  // The input and kPad zero bytes (Reader).
  thread_local std::string padded;
  padded.assign(in);
  padded.resize(in.size() + Reader::kPad);
  Reader r(padded.data(), padded.data() + in.size());  // a local: registers
  uint32_t n = 0;
  r(n);
  if (!r.Plausible(n) || n == 0) return false;
  s.heap.Clear();
  fields::ForEachStore(s, [&](auto& store) { store.resize(1); });
  fields::IoFaults(r, s);
  r(s.dummies_used);
  fields::IoGlobals(r, s);
  fields::IoList(r, s.sysfs);
  fields::ForEachStore(s, [&](auto& store) {
    if (s.dummies_used) {
      fields::Io(r, store[0]);
    } else {
      store[0] = std::decay_t<decltype(store)>::Fresh();
    }
  });
  auto& o = s.objs;
  for (ObjId id = 1; id < n && r.ok(); ++id) {
    Slot slot;
    IoSlot(r, slot);
    // Its store grows by one: the index is its rank in its type. One
    // inlined loop, so that the reader stays in registers.
    switch (slot.type) {
#define DSIFUZZ_DECODE(T)                                                   \
  case TypeOf<T>::value: {                                                  \
    Store<T>& store = std::get<Store<T>>(o);                                \
    s.heap.NewSlot(slot.type, static_cast<uint32_t>(store.size()), -1, {}); \
    fields::Io(r, store.emplace_back());                                    \
    break;                                                                  \
  }
      DSIFUZZ_DECODE(platform_device)
      DSIFUZZ_DECODE(i2c_client)
      DSIFUZZ_DECODE(mipi_dsi_device)
      DSIFUZZ_DECODE(device_private)
      DSIFUZZ_DECODE(kobj_name)
      DSIFUZZ_DECODE(action_devres)
      DSIFUZZ_DECODE(devres_group)
      DSIFUZZ_DECODE(dsi_controller)
      DSIFUZZ_DECODE(bridge_priv)
      DSIFUZZ_DECODE(panel_priv)
#undef DSIFUZZ_DECODE
      case ObjType::kNull:
      case ObjType::kCount:
      default:
        return false;
    }
    static_assert(std::tuple_size_v<decltype(State::objs)> == 10);
    s.heap.SetLive(id, slot.live);
    s.heap.slot(id).devm = slot.devm;
  }
  s.deferred_trigger_count = 0;
  if (!r.ok()) return false;
  in.remove_prefix(static_cast<size_t>(r.at() - padded.data()));
  return true;
}

// The faults follow the object count at the start of every canonical
// encoding (EncodeCanonical).
constexpr size_t kFaultsAt = sizeof(uint32_t);

void RewriteFault(std::string& encoding, int site, int count) {
  static_assert(sizeof(Faults) == kFaultSites * sizeof(int));
  std::memcpy(encoding.data() + kFaultsAt + site * sizeof(int), &count,
              sizeof(int));
}

Fingerprint RestFingerprint(std::span<char> key) {
  char faults[sizeof(Faults)];
  std::memcpy(faults, key.data() + kFaultsAt, sizeof(faults));
  std::memset(key.data() + kFaultsAt, 0, sizeof(faults));
  const Fingerprint rest = FingerprintOf({key.data(), key.size()});
  std::memcpy(key.data() + kFaultsAt, faults, sizeof(faults));
  return rest;
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
