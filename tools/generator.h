// Random cases: a topology (unless one is given) and a walk of enabled
// events on it. The walk asks the world which events apply at each step,
// so every generated event applies when it is replayed.
#ifndef DSIFUZZ_TOOLS_GENERATOR_H_
#define DSIFUZZ_TOOLS_GENERATOR_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "tools/rng.h"
#include "tools/scenario.h"

namespace dsifuzz {

struct GenOptions {
  std::string variant = "upstream-6.11";
  int max_events = 24;
  // Devices to use; generated when empty.
  std::optional<model::Topology> topology;
};

// Counts of what the generator produced, to show the distribution.
struct GenStats {
  std::array<uint64_t, 9> events{};  // by EventKind
  uint64_t host_unbind_with_bound_peripherals = 0;
  uint64_t rebinds = 0;  // bind of a device that was bound before
  uint64_t cases = 0;
  uint64_t total_events = 0;
};

model::Topology GenerateTopology(Rng& rng);
Scenario GenerateCase(uint64_t seed, const GenOptions& opts, GenStats* stats);

}  // namespace dsifuzz

#endif  // DSIFUZZ_TOOLS_GENERATOR_H_
