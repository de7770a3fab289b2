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

void Heap::Clear() {
  slots_.resize(1);
  slots_[0] = Slot{};
  frames_.clear();
  for (uint32_t& n : ordinals_) n = 0;
  live_ = 0;
}

void Heap::Retire(ObjId id, int event, StackRef stack) {
  Slot& s = slots_[id];
  live_ -= s.live ? 1 : 0;
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

}  // namespace dsifuzz::model
