// Speed of the explorer's steps on the states of its four-bridge benchmark
// (bench/explore.sh): copying the parent back before a run, the canonical
// key with its fingerprint, decoding a key. Each is a share of every
// transition the explorer runs (docs/explore.md, where the time goes).
//   build/bin/dsifuzz_explore_bench --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "model/state_canon.h"
#include "model/state_hash.h"
#include "model/world.h"
#include "tools/scenario.h"

namespace dsifuzz {
namespace {

// States of one controller with four devm bridges met by a random walk of
// the enabled events (faults included), as the search meets them: each
// step a different state, so that branches are predicted as well as in
// the search and no better.
struct WalkStates {
  WalkStates() {
    absl::StatusOr<Scenario> s = LoadScenario(
        DSIFUZZ_SOURCE_DIR "/bench/topologies/four-devm-bridges.dsi");
    if (!s.ok()) throw std::runtime_error(std::string(s.status().message()));
    topology = s->topology;
    model::World world(topology, model::FindVariant("dsifuzz-fix"), nullptr);
    world.Setup();
    std::mt19937 rng(1);
    std::vector<model::Event> enabled;
    model::Renaming r;
    while (states.size() < 1024) {
      enabled.clear();
      world.EnabledEvents(enabled);
      const model::Event e = enabled[rng() % enabled.size()];
      // Events that take devices away taken one time in three: the walk
      // stays among states with most devices bound, as the search's
      // deeper ones are.
      using K = model::EventKind;
      if ((e.kind == K::kUnbind || e.kind == K::kRemove ||
           e.kind == K::kRmmod) &&
          rng() % 3 != 0)
        continue;
      world.Apply(e).IgnoreError();
      // In canonical form, as the explorer decodes its states.
      model::State st = world.Save();
      model::Canonicalize(st, r);
      world.Restore(st, nullptr);
      objects += st.heap.live();
      states.push_back(std::move(st));
    }
  }
  model::Topology topology;
  std::vector<model::State> states;
  size_t objects = 0;  // live, over all states
};

void BM_StateCopy(benchmark::State& state) {
  const WalkStates w;
  model::State copy = w.states[0];
  size_t i = 0;
  for (auto _ : state) {
    copy = w.states[i++ % w.states.size()];
    benchmark::DoNotOptimize(copy);
  }
  state.counters["live objects"] =
      static_cast<double>(w.objects) / static_cast<double>(w.states.size());
}
BENCHMARK(BM_StateCopy);

void BM_CanonicalKey(benchmark::State& state) {
  const WalkStates w;
  std::string key;
  model::Renaming r;
  size_t i = 0, bytes = 0, keys = 0;
  for (auto _ : state) {
    const size_t size =
        model::EncodeCanonicalAt(w.states[i++ % w.states.size()], key, 0, r);
    benchmark::DoNotOptimize(model::RestFingerprint({key.data(), size}));
    bytes += size;
    ++keys;
  }
  state.counters["bytes"] = static_cast<double>(bytes) /
                            static_cast<double>(std::max<size_t>(keys, 1));
}
BENCHMARK(BM_CanonicalKey);

void BM_DecodeKey(benchmark::State& state) {
  const WalkStates w;
  std::vector<std::string> keys;
  model::Renaming r;
  for (const model::State& s : w.states) {
    std::string key;
    key.resize(model::EncodeCanonicalAt(s, key, 0, r));
    keys.push_back(std::move(key));
  }
  model::State s = w.states[0];
  size_t i = 0;
  for (auto _ : state) {
    std::string_view in = keys[i++ % keys.size()];
    benchmark::DoNotOptimize(model::DecodeState(in, s));
  }
}
BENCHMARK(BM_DecodeKey);

}  // namespace
}  // namespace dsifuzz
