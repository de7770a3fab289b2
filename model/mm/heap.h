// Shadow heap: the model's kmalloc arena.
//
// Every modelled kernel object lives in a slot of this arena. A slot is never
// reused: kfree() turns it into a tombstone that remembers the event and the
// model call stack of the allocation and of the free, as KASAN's alloc/free
// tracks do. Objects are reached through typed handles (Ptr<T>), never through
// C++ pointers, so an access to a freed object is an observable fact instead
// of undefined behaviour.
//
//   Ptr<mipi_dsi_device> dsi = k.kzalloc<mipi_dsi_device>();
//   k.deref(dsi).attached = true;   // checked access
//   k.kfree(dsi);                   // tombstone
//   k.deref(dsi).attached;          // recorded use-after-free, stale value
#ifndef DSIFUZZ_MODEL_MM_HEAP_H_
#define DSIFUZZ_MODEL_MM_HEAP_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace dsifuzz::model {

// Identifies one slot of the arena. 0 is NULL; values from kErrPtrBase on are
// ERR_PTR()-encoded negative errnos, as in include/linux/err.h.
using ObjId = uint32_t;
inline constexpr ObjId kErrPtrBase = 0xFFFFF000u;

// The kinds of modelled allocations, one per C++ struct kept in the arena.
enum class ObjType : uint8_t {
  kNull,
  kPlatformDevice,  // struct platform_device (a DSI controller)
  kI2cClient,       // struct i2c_client (an i2c bridge)
  kMipiDsiDevice,   // struct mipi_dsi_device
  kDevicePrivate,   // struct device_private (dev->p)
  kKobjName,        // the string behind kobject->name
  kActionDevres,    // struct action_devres node of devm_add_action()
  kDevresGroup,     // struct devres_group of devres_open_group()
  kDsiController,   // model controller driver data, embeds mipi_dsi_host
  kBridgePriv,      // model i2c bridge driver data
  kPanelPriv,       // model DSI panel driver data
  kCount,
};

// Human name of an ObjType ("struct mipi_dsi_device").
const char* ObjTypeName(ObjType type);

// A typed handle. Copyable plain data; comparing handles compares identity.
template <class T>
struct Ptr {
  ObjId id = 0;
  explicit operator bool() const { return id != 0; }
  friend bool operator==(Ptr a, Ptr b) { return a.id == b.id; }
};

template <class T>
Ptr<T> ERR_PTR(int err) {
  return Ptr<T>{
      static_cast<ObjId>(static_cast<int64_t>(kErrPtrBase) + 4096 + err)};
}
template <class T>
bool IS_ERR(Ptr<T> p) {
  return p.id >= kErrPtrBase;
}
template <class T>
int PTR_ERR(Ptr<T> p) {
  return static_cast<int>(static_cast<int64_t>(p.id) - kErrPtrBase - 4096);
}
template <class T>
bool IS_ERR_OR_NULL(Ptr<T> p) {
  return p.id == 0 || IS_ERR(p);
}

// A recorded model call stack: frames_[offset, offset+len) of the heap's
// frame pool, innermost frame last.
struct StackRef {
  uint32_t offset = 0;
  uint32_t len = 0;
};

// Label of an object for reports: the name of topology device `base` with
// an optional ".suffix",
// the same shape as a kobject name ("host0", "host0.1").
struct Label {
  int16_t base = -1;
  int16_t suffix = -1;
};

struct Slot {
  ObjType type = ObjType::kNull;
  bool live = false;
  bool devm = false;     // memory inside a devres node (devm_kzalloc)
  uint32_t index = 0;    // into the typed storage of `type`
  uint32_t ordinal = 0;  // n-th object of this type, from 1
  int32_t alloc_event = -1;
  int32_t free_event = -1;
  StackRef alloc_stack;
  StackRef free_stack;
  Label label;
};

// The arena's bookkeeping, independent of the object types. The typed storage
// lives in model::State; Heap only hands out and retires slots.
class Heap {
 public:
  Heap();

  // Adds a live slot of `type` whose object sits at `index` in its storage.
  // Inline: every allocation and every object the explorer decodes.
  ObjId NewSlot(ObjType type, uint32_t index, int event, StackRef stack) {
    Slot& s = slots_.emplace_back();
    s.type = type;
    s.live = true;
    s.index = index;
    s.ordinal = ++ordinals_[static_cast<int>(type)];
    s.alloc_event = event;
    s.alloc_stack = stack;
    ++live_;
    return static_cast<ObjId>(slots_.size() - 1);
  }
  // Marks a slot freed. The caller has checked that it was live.
  void Retire(ObjId id, int event, StackRef stack);

  // Marks a slot live or freed without records (the explorer's decoder).
  void SetLive(ObjId id, bool live) {
    live_ += static_cast<size_t>(live) - static_cast<size_t>(slots_[id].live);
    slots_[id].live = live;
  }
  // How many slots are live. Slot::live changes only through NewSlot(),
  // Retire() and SetLive(), which keep this count.
  size_t live() const { return live_; }

  bool Valid(ObjId id) const { return id != 0 && id < slots_.size(); }
  const Slot& slot(ObjId id) const { return slots_[id]; }
  Slot& slot(ObjId id) { return slots_[id]; }
  size_t size() const { return slots_.size(); }

  // Back to no object, keeping the storage (the explorer decodes a State
  // into the same one for every state it expands).
  void Clear();
  // Copies a call stack into the frame pool.
  StackRef Record(const char* const* frames, int depth);
  // Frame i (0 = outermost) of a recorded stack.
  const char* Frame(StackRef s, uint32_t i) const {
    return frames_[s.offset + i];
  }

 private:
  std::vector<Slot> slots_;
  std::vector<const char*> frames_;
  uint32_t ordinals_[static_cast<int>(ObjType::kCount)] = {};
  size_t live_ = 0;
};

}  // namespace dsifuzz::model

#endif  // DSIFUZZ_MODEL_MM_HEAP_H_
