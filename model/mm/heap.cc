#include "model/mm/heap.h"

namespace dsifuzz::model {

const char* ObjTypeName(ObjType type) {
  switch (type) {
    case ObjType::kNull:
      return "NULL";
    case ObjType::kPlatformDevice:
      return "struct platform_device";
    case ObjType::kI2cClient:
      return "struct i2c_client";
    case ObjType::kMipiDsiDevice:
      return "struct mipi_dsi_device";
    case ObjType::kDevicePrivate:
      return "struct device_private";
    case ObjType::kKobjName:
      return "kobject name";
    case ObjType::kActionDevres:
      return "struct action_devres";
    case ObjType::kDevresGroup:
      return "struct devres_group";
    case ObjType::kDsiController:
      return "struct dsi_controller";
    case ObjType::kBridgePriv:
      return "struct bridge_priv";
    case ObjType::kPanelPriv:
      return "struct panel_priv";
    case ObjType::kCount:
      break;
  }
  return "?";
}

Heap::Heap() {
  slots_.reserve(64);
  slots_.emplace_back();  // slot 0 is NULL
  frames_.reserve(1024);
}

ObjId Heap::NewSlot(ObjType type, uint32_t index, int event, StackRef stack) {
  Slot s;
  s.type = type;
  s.live = true;
  s.index = index;
  s.ordinal = ++ordinals_[static_cast<int>(type)];
  s.alloc_event = event;
  s.alloc_stack = stack;
  slots_.push_back(s);
  return static_cast<ObjId>(slots_.size() - 1);
}

void Heap::Retire(ObjId id, int event, StackRef stack) {
  Slot& s = slots_[id];
  s.live = false;
  s.free_event = event;
  s.free_stack = stack;
}

StackRef Heap::Record(const char* const* frames, int depth) {
  StackRef r{static_cast<uint32_t>(frames_.size()),
             static_cast<uint32_t>(depth)};
  frames_.insert(frames_.end(), frames, frames + depth);
  return r;
}

void Heap::Compact(const std::vector<ObjId>& kept) {
  // Reused from call to call (the explorer compacts after every event).
  thread_local std::vector<Slot> slots;
  thread_local std::vector<const char*> frames;
  slots.clear();
  frames.clear();
  slots.reserve(kept.size() + 1);
  slots.emplace_back();
  auto move_stack = [&](StackRef& r) {
    const auto offset = static_cast<uint32_t>(frames.size());
    frames.insert(frames.end(), frames_.begin() + r.offset,
                  frames_.begin() + r.offset + r.len);
    r.offset = offset;
  };
  for (ObjId id : kept) {
    Slot s = slots_[id];
    move_stack(s.alloc_stack);
    move_stack(s.free_stack);
    slots.push_back(s);
  }
  slots_.swap(slots);
  frames_.swap(frames);
}

}  // namespace dsifuzz::model
