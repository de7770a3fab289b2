// Speed of the pieces the fuzzer spends its time in. Numbers for the README
// come from `build/bin/dsifuzz_bench --benchmark_repetitions=5
// --benchmark_report_aggregates_only=true` (medians).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <sstream>
#include <vector>

#include "model/world.h"
#include "shrinkers/shrink.h"
#include "tools/fuzz.h"
#include "tools/generator.h"
#include "tools/judge.h"

namespace dsifuzz {
namespace {

using model::DeviceKind;
using model::Style;

// The model alone: replaying pre-generated cases, no properties attached.
void BM_ModelEvents(benchmark::State& state) {
  GenOptions o;
  o.topology = model::SeedTopology();
  std::vector<Scenario> cases;
  for (uint64_t i = 0; i < 256; ++i)
    cases.push_back(GenerateCase(i, o, nullptr));
  size_t i = 0;
  int64_t events = 0;
  for (auto _ : state) {
    const Scenario& s = cases[i++ % cases.size()];
    model::World w(s.topology, model::FindVariant(s.variant()), nullptr);
    w.Setup();
    for (const model::Event& e : s.events) w.Apply(e).IgnoreError();
    w.Teardown();
    events += w.events();
  }
  state.SetItemsProcessed(events);
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(events),
                                                  benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ModelEvents);

// The fuzz loop: generate a case and judge it in one pass (what each run of
// `dsifuzz fuzz` does), on the seed topology or on random ones.
void FuzzLoop(benchmark::State& state, bool seed_topology) {
  GenOptions o;
  if (seed_topology) o.topology = model::SeedTopology();
  uint64_t run = 0;
  int64_t events = 0, cases = 0;
  Generator generator(o);
  Panel panel({});
  panel.set_stop_early(true);
  for (auto _ : state) {
    panel.Reset();
    int n = 0;
    Scenario s = generator.Generate(RunSeed(1, run++), nullptr, &panel, &n);
    benchmark::DoNotOptimize(panel.Collect(n));
    events += n;
    ++cases;
  }
  state.SetItemsProcessed(events);
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(events),
                                                  benchmark::Counter::kIsRate);
  state.counters["cases/s"] = benchmark::Counter(static_cast<double>(cases),
                                                 benchmark::Counter::kIsRate);
}
void BM_FuzzLoopSeedTopology(benchmark::State& state) { FuzzLoop(state, true); }
void BM_FuzzLoopRandomTopology(benchmark::State& state) {
  FuzzLoop(state, false);
}
BENCHMARK(BM_FuzzLoopSeedTopology);
BENCHMARK(BM_FuzzLoopRandomTopology);

// Cases until the seed bug is found on the seed topology, median over 20
// seeds (reported as counters; the time is for all 20 searches).
void BM_TimeToSeedBug(benchmark::State& state) {
  GenOptions o;
  o.topology = model::SeedTopology();
  std::vector<double> cases_needed;
  for (auto _ : state) {
    cases_needed.clear();
    for (uint64_t seed = 1; seed <= 20; ++seed) {
      for (uint64_t run = 0;; ++run) {
        Panel panel({"use-after-free"});
        int n = 0;
        GenerateCase(RunSeed(seed, run), o, nullptr, &panel, &n);
        if (panel.Collect(n).title == "use-after-free in mipi_dsi_detach") {
          cases_needed.push_back(static_cast<double>(run + 1));
          break;
        }
      }
    }
  }
  std::sort(cases_needed.begin(), cases_needed.end());
  state.counters["median_cases"] = (cases_needed[9] + cases_needed[10]) / 2;
  state.counters["max_cases"] = cases_needed.back();
}
BENCHMARK(BM_TimeToSeedBug)->Unit(benchmark::kMillisecond);

// Shrinking a 40-event failure: the seed bug buried in unrelated events.
Scenario Planted() {
  Scenario s;
  s.topology = model::SeedTopology();
  s.topology.devices.push_back(
      {"host1", DeviceKind::kDsiController, Style::kNone, -1, 0});
  s.topology.devices.push_back(
      {"bridge1", DeviceKind::kI2cBridge, Style::kManual, 2, 0});
  using model::Event;
  using model::EventKind;
  auto ev = [](EventKind k, int arg) {
    return Event{k, static_cast<int16_t>(arg)};
  };
  s.events.push_back(ev(EventKind::kBind, 0));
  for (int i = 0; i < 10; ++i) {
    s.events.push_back(ev(EventKind::kBind, 2));
    s.events.push_back(ev(EventKind::kBind, 3));
    s.events.push_back(ev(EventKind::kUnbind, 3));
    s.events.push_back(ev(EventKind::kUnbind, 2));
    if (i == 4) s.events.push_back(ev(EventKind::kBind, 1));
  }
  s.events.push_back(ev(EventKind::kUnbind, 0));
  s.event_lines.assign(s.events.size(), 0);
  return s;
}

void BM_Shrink40(benchmark::State& state) {
  Scenario s = Planted();
  const std::string title = Judge(s, {}).title;
  size_t shrunk = 0;
  for (auto _ : state) {
    Shrinker sh(title, {});
    shrunk = sh.Shrink(s).events.size();
  }
  state.counters["original_events"] = static_cast<double>(s.events.size());
  state.counters["shrunk_events"] = static_cast<double>(shrunk);
}
BENCHMARK(BM_Shrink40)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace dsifuzz
