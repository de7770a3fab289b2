// Interchangeable devices, for the explorer's symmetry folding
// (`dsifuzz explore --symmetry`, docs/explore.md).
//
// Two i2c bridges of one topology are interchangeable when they differ only
// in their name and channel: same style, same host, both channels valid
// (0-3), no other device on that host using either channel. The model
// treats such bridges alike: nothing it runs compares their topology
// indices, only reads each one's own style, host and channel (the probe),
// so a world with bridges i and j swapped (every topology index, node,
// name and channel of one given to the other) runs like the original with
// i and j swapped. Panels are not folded (a host creates them in topology
// order), nor are controllers.
//
//   Symmetry sym(topo);
//   DevicePerm p = sym.Normalizing(state);   // sorts each class
//   sym.Permute(state, p);                   // then Canonicalize()
//
// Only the end-of-run teardown is not symmetric: it unbinds in topology
// order. docs/explore.md says what folding therefore proves.
#ifndef DSIFUZZ_MODEL_STATE_SYMMETRY_H_
#define DSIFUZZ_MODEL_STATE_SYMMETRY_H_

#include <cstdint>
#include <vector>

#include "model/state.h"
#include "model/topology.h"
#include "model/world.h"

namespace dsifuzz::model {

// perm[i]: the new index of topology device i.
using DevicePerm = std::vector<int16_t>;

class Symmetry {
 public:
  explicit Symmetry(const Topology& topo);

  // The classes of two or more interchangeable devices.
  const std::vector<std::vector<int16_t>>& classes() const { return classes_; }
  bool trivial() const { return classes_.empty(); }

  // A permutation within the classes that depends only on what the state
  // says of each device (present, bound, counts, places in the kernel's
  // lists), so that states equal up to a permutation of interchangeable
  // devices usually get the same image. Ties keep the topology order.
  DevicePerm Normalizing(const State& s) const;
  // Renames the devices of `s` by `p`: topology indices, device-tree
  // nodes, names, sysfs entries and the channels of their DSI devices.
  void Permute(State& s, const DevicePerm& p) const;
  // The event `e` on the world that `p` maps this one to.
  static Event Map(const Event& e, const DevicePerm& p);
  static DevicePerm Inverse(const DevicePerm& p);
  static bool Identity(const DevicePerm& p);

 private:
  const Topology& topo_;
  std::vector<std::vector<int16_t>> classes_;
  std::vector<int16_t> class_of_;  // per device, -1 if in none
};

}  // namespace dsifuzz::model

#endif  // DSIFUZZ_MODEL_STATE_SYMMETRY_H_
