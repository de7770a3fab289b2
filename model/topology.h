// A topology: which devices exist and how they are wired. Plain data, read
// by the model drivers (which host a bridge looks up, which DT children a
// host has) and by the world (model/world.h).
#ifndef DSIFUZZ_MODEL_TOPOLOGY_H_
#define DSIFUZZ_MODEL_TOPOLOGY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "model/drivers/drivers.h"

namespace dsifuzz::model {

struct TopoDevice {
  std::string name;
  DeviceKind kind = DeviceKind::kDsiController;
  Style style = Style::kNone;
  int16_t host = -1;     // index of the controller it is wired to
  uint32_t channel = 0;  // DSI virtual channel (a DT panel's reg)
};

// Device i owns device-tree node i; a panel's node is a child of its host's
// node, a bridge's node points at its host's node through the OF graph.
struct Topology {
  std::vector<TopoDevice> devices;

  int Find(const std::string& name) const {
    for (size_t i = 0; i < devices.size(); ++i) {
      if (devices[i].name == name) return static_cast<int>(i);
    }
    return -1;
  }
};

// The seed topology of the maintainers' thread: one DSI controller (host0)
// and one i2c bridge (bridge0) that registers and attaches with the devm
// helpers. Tests and benchmarks share it.
inline Topology SeedTopology() {
  Topology t;
  t.devices = {{"host0", DeviceKind::kDsiController, Style::kNone, -1, 0},
               {"bridge0", DeviceKind::kI2cBridge, Style::kDevmProbe, 0, 0}};
  return t;
}

}  // namespace dsifuzz::model

#endif  // DSIFUZZ_MODEL_TOPOLOGY_H_
