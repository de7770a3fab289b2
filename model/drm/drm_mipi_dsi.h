// Data structures of the MIPI-DSI bus, mirroring include/drm/drm_mipi_dsi.h
// at v6.11 (struct mipi_dsi_host at :105, struct mipi_dsi_device at :186).
// Left out: lanes, format, hs/lp rates, DSC: nothing in the modelled paths
// reads them.
#ifndef DSIFUZZ_MODEL_DRM_DRM_MIPI_DSI_H_
#define DSIFUZZ_MODEL_DRM_DRM_MIPI_DSI_H_

#include <cstdint>

#include "model/base/device.h"

namespace dsifuzz::model {

struct dsi_controller;

// struct mipi_dsi_host_ops: the model has one host driver, so the table is
// either installed (the controller's ops) or NULL.
enum class HostOps : uint8_t { kNone, kDsiController };

// struct mipi_dsi_host. Embedded in the controller's driver data, so a
// pointer to it is a Ptr<dsi_controller>. No refcount, no lock, no flag.
struct mipi_dsi_host {
  DevPtr dev;  // raw, uncounted
  HostOps ops = HostOps::kNone;
  bool on_host_list = false;  // list_empty(&host->list) is false
};

// MIPI_DSI_MODE_LPM (include/drm/drm_mipi_dsi.h@6.11).
inline constexpr uint32_t MIPI_DSI_MODE_LPM = 1u << 11;

struct mipi_dsi_device {
  Ptr<dsi_controller> host;  // raw, uncounted, never cleared
  device dev;
  bool attached = false;
  uint8_t channel = 0;
  uint32_t mode_flags = 0;
  int16_t name = -1;  // info->type: the topology device that named it
  // Fields that only variants (model/variants/) read or write; the 6.11
  // struct has none of them.
  DevPtr
      devres_register_dev;   // tomi-v1, maxime: owner of the unregister action
  DevPtr devres_attach_dev;  // tomi-v1, maxime: owner of the detach action
  // idempotent, idempotent-refs, dsifuzz-fix: device_del already done.
  bool unregistered = false;
  // dsifuzz-fix: the registration reference is already dropped.
  bool released = false;
};

// struct mipi_dsi_device_info
struct mipi_dsi_device_info {
  int16_t type = -1;
  uint32_t channel = 0;
  OfNode node = -1;
};

// struct mipi_dsi_msg, reduced to what mipi_dsi_device_transfer touches.
struct mipi_dsi_msg {
  uint8_t channel = 0;
  uint8_t type = 0;
  uint16_t flags = 0;
  uint32_t tx_len = 0;
};

}  // namespace dsifuzz::model

#endif  // DSIFUZZ_MODEL_DRM_DRM_MIPI_DSI_H_
