// Speed of the explorer's steps on one state of its four-bridge benchmark
// (bench/explore.sh): copying the parent back before a run, the canonical
// key with its fingerprint, decoding a key. Each is a share of every
// transition the explorer runs (docs/explore.md, where the time goes).
//   build/bin/dsifuzz_explore_bench --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <string>
#include <string_view>

#include "model/state_canon.h"
#include "model/state_hash.h"
#include "model/world.h"
#include "tools/scenario.h"

namespace dsifuzz {
namespace {

// One controller with four devm bridges, every device bound: about twenty
// objects, as at depth 8 of the search.
struct BoundWorld {
  BoundWorld() {
    absl::StatusOr<Scenario> s = LoadScenario(
        DSIFUZZ_SOURCE_DIR "/bench/topologies/four-devm-bridges.dsi");
    if (!s.ok()) throw std::runtime_error(std::string(s.status().message()));
    topology = s->topology;
    world = std::make_unique<model::World>(
        topology, model::FindVariant("dsifuzz-fix"), nullptr);
    world->Setup();
    std::vector<model::Event> enabled;
    for (int round = 0; round < 8; ++round) {
      enabled.clear();
      world->EnabledEvents(enabled);
      for (const model::Event& e : enabled) {
        if (e.kind == model::EventKind::kBind) {
          world->Apply(e).IgnoreError();
          break;
        }
      }
    }
  }
  model::Topology topology;
  std::unique_ptr<model::World> world;
};

void BM_StateCopy(benchmark::State& state) {
  BoundWorld w;
  const model::State saved = w.world->Save();
  model::State copy = saved;
  for (auto _ : state) {
    copy = saved;
    benchmark::DoNotOptimize(copy);
  }
  state.counters["objects"] = static_cast<double>(saved.heap.size() - 1);
}
BENCHMARK(BM_StateCopy);

void BM_CanonicalKey(benchmark::State& state) {
  BoundWorld w;
  std::string key;
  model::Renaming r;
  size_t size = 0;
  for (auto _ : state) {
    size = model::EncodeCanonicalAt(w.world->state(), key, 0, r);
    benchmark::DoNotOptimize(model::RestFingerprint({key.data(), size}));
  }
  state.counters["bytes"] = static_cast<double>(size);
}
BENCHMARK(BM_CanonicalKey);

void BM_DecodeKey(benchmark::State& state) {
  BoundWorld w;
  std::string key;
  model::Renaming r;
  key.resize(model::EncodeCanonicalAt(w.world->state(), key, 0, r));
  model::State s = w.world->Save();
  for (auto _ : state) {
    std::string_view in = key;
    benchmark::DoNotOptimize(model::DecodeState(in, s));
  }
}
BENCHMARK(BM_DecodeKey);

}  // namespace
}  // namespace dsifuzz
