// Data of the model drivers (model/drivers/*.cc) and the topology they are
// instantiated from.
#ifndef DSIFUZZ_MODEL_DRIVERS_DRIVERS_H_
#define DSIFUZZ_MODEL_DRIVERS_DRIVERS_H_

#include <cstdint>

#include "model/drm/drm_mipi_dsi.h"

namespace dsifuzz::model {

// A DSI controller: a platform device whose driver data is devm_kzalloc'd.
struct platform_device {
  device dev;
  int16_t topo = -1;  // index into Topology::devices
};

// An i2c client that carries a DSI bridge.
struct i2c_client {
  device dev;
  int16_t topo = -1;
  ObjId devres_group_id = 0;  // opened by i2c_device_probe
};

// Driver data of the DSI controller (cf. struct rcar_mipi_dsi): the host is
// embedded, so it dies with the devm allocation at controller unbind.
struct dsi_controller {
  mipi_dsi_host host;
  int bridges = 0;          // peripherals attached through ops->attach
  uint32_t mode_flags = 0;  // stored from the attaching device
  uint32_t transfers = 0;   // messages sent through ops->transfer
};

struct bridge_priv {
  Ptr<mipi_dsi_device> dsi;
};

struct panel_priv {
  Ptr<mipi_dsi_device> dsi;
};

// How a peripheral driver uses the DSI API (reference §5).
enum class Style : uint8_t {
  kNone,
  kDevmProbe,     // i2c bridge: devm register + devm attach in probe
  kManual,        // i2c bridge: register + attach in probe, undone in remove
  kNoUnregister,  // i2c bridge: register, devm attach, never unregister
  kAttach,        // DT panel: mipi_dsi_attach in probe, detach in remove
  kDevmAttach,    // DT panel: devm_mipi_dsi_attach(&dsi->dev, dsi)
};

enum class DeviceKind : uint8_t { kDsiController, kI2cBridge, kDsiPanel };

}  // namespace dsifuzz::model

#endif  // DSIFUZZ_MODEL_DRIVERS_DRIVERS_H_
