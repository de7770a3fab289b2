// Random cases: a topology (unless one is given) and a walk of enabled
// events on it. The walk asks the world which events apply at each step,
// so every generated event applies when it is replayed.
#ifndef DSIFUZZ_TOOLS_GENERATOR_H_
#define DSIFUZZ_TOOLS_GENERATOR_H_

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "model/fact.h"
#include "model/world.h"
#include "tools/rng.h"
#include "tools/scenario.h"

namespace dsifuzz {

class Coverage;

struct GenOptions {
  std::string variant = "upstream-6.11";
  int max_events = 24;
  // Devices to use; generated when empty.
  std::optional<model::Topology> topology;
  // The events the walk may take among those that apply; all when null
  // (the kernel replay's random scenarios leave out what its module cannot
  // run). A walk where none may be taken ends there.
  bool (*allow)(const model::Event&) = nullptr;
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

// Generates cases; on a fixed topology (opts.topology) it keeps one world
// and restores its post-setup snapshot for each case instead of building
// and setting up a new one.
class Generator {
 public:
  explicit Generator(const GenOptions& opts);
  ~Generator();
  // As GenerateCase below.
  Scenario Generate(uint64_t seed, GenStats* stats, model::FactSink* sink,
                    int* events, Coverage* coverage = nullptr);

 private:
  GenOptions opts_;
  std::unique_ptr<model::World> world_;  // fixed topology only
  model::State setup_;
};

// Generates the case of `seed`. With a sink, the model's facts of the walk
// and of the end-of-run teardown go to it (the case is judged as it is
// generated); without one, no teardown runs. When the sink says it is
// Done(), the walk ends after that event and the teardown is skipped.
// With `coverage`, the walk's states and transitions are counted in it
// (tools/coverage.h); the teardown's are not.
Scenario GenerateCase(uint64_t seed, const GenOptions& opts, GenStats* stats,
                      model::FactSink* sink = nullptr, int* events = nullptr,
                      Coverage* coverage = nullptr);

}  // namespace dsifuzz

#endif  // DSIFUZZ_TOOLS_GENERATOR_H_
