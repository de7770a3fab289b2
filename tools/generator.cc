#include "tools/generator.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "model/world.h"
#include "tools/coverage.h"

namespace dsifuzz {

using model::DeviceKind;
using model::Event;
using model::EventKind;
using model::Style;

model::Topology GenerateTopology(Rng& rng) {
  model::Topology t;
  const int hosts = rng.Range(1, 3);
  for (int h = 0; h < hosts; ++h) {
    model::TopoDevice d;
    d.name = absl::StrCat("host", h);
    d.kind = DeviceKind::kDsiController;
    t.devices.push_back(d);
  }
  const int peripherals = rng.Range(0, 4);
  int bridges = 0, panels = 0;
  std::vector<uint32_t> next_channel(hosts, 0);
  for (int i = 0; i < peripherals; ++i) {
    model::TopoDevice d;
    d.host = static_cast<int16_t>(rng.Below(hosts));
    // Mostly a free channel; sometimes a taken one (-EEXIST) or one > 3.
    uint32_t roll = rng.Below(10);
    d.channel = roll == 0 ? rng.Below(6) : next_channel[d.host]++;
    if (rng.Below(3) == 0) {
      d.kind = DeviceKind::kDsiPanel;
      d.style = rng.Below(2) == 0 ? Style::kAttach : Style::kDevmAttach;
      d.name = absl::StrCat("panel", panels++);
    } else {
      d.kind = DeviceKind::kI2cBridge;
      const Style styles[] = {Style::kDevmProbe, Style::kManual,
                              Style::kNoUnregister};
      d.style = styles[rng.Below(3)];
      d.name = absl::StrCat("bridge", bridges++);
    }
    t.devices.push_back(d);
  }
  return t;
}

namespace {

constexpr uint32_t kHostFirstWeight = 14;

// Weights favour the deep states: binds, the deferred-probe work, and
// unbinding a controller while its peripherals are bound.
uint32_t Weight(const model::World& w, const Event& e) {
  switch (e.kind) {
    case EventKind::kBind:
      return 12;
    case EventKind::kUnbind: {
      if (w.topology().devices[e.arg].kind != DeviceKind::kDsiController)
        return 5;
      for (size_t i = 0; i < w.topology().devices.size(); ++i) {
        const model::TopoDevice& d = w.topology().devices[i];
        if (d.host == e.arg && w.Bound(static_cast<int>(i)))
          return kHostFirstWeight;
      }
      return 4;
    }
    case EventKind::kRemove:
      return 2;
    case EventKind::kAdd:
      return 4;
    case EventKind::kRmmod:
      return 1;
    case EventKind::kInsmod:
      return 4;
    case EventKind::kDeferredProbe:
      return 10;
    case EventKind::kTransfer:
      return 3;
    case EventKind::kFail:
      return 1;
  }
  return 1;
}

}  // namespace

namespace {

// The walk of one case on a world just set up (or restored to setup).
void Walk(model::World& world, Rng& rng, const GenOptions& opts, Scenario& s,
          GenStats* stats, model::FactSink* sink, int* events,
          Coverage* coverage) {
  const int length = rng.Range(1, std::max(1, opts.max_events));
  std::vector<Event> enabled;
  std::vector<uint32_t> weights;
  std::vector<bool> was_bound(s.topology.devices.size(), false);
  for (int step = 0; step < length; ++step) {
    enabled.clear();
    world.EnabledEvents(enabled);
    weights.clear();
    uint32_t total = 0;
    for (const Event& e : enabled) {
      const bool allowed = opts.allow == nullptr || opts.allow(e);
      weights.push_back(allowed ? Weight(world, e) : 0);
      total += weights.back();
    }
    if (total == 0) break;
    uint32_t pick = rng.Below(total);
    size_t k = 0;
    for (; k + 1 < enabled.size(); ++k) {
      if (pick < weights[k]) break;
      pick -= weights[k];
    }
    Event e = enabled[k];
    if (e.kind == EventKind::kFail)
      e.count = static_cast<uint16_t>(rng.Range(1, 4));
    if (stats != nullptr) {
      ++stats->events[static_cast<int>(e.kind)];
      if (e.kind == EventKind::kUnbind && weights[k] == kHostFirstWeight)
        ++stats->host_unbind_with_bound_peripherals;
      if (e.kind == EventKind::kBind && was_bound[e.arg]) ++stats->rebinds;
    }
    if (coverage != nullptr) {
      coverage->Visit(world);
      coverage->Take(world, e);
    }
    if (!world.Apply(e).ok()) break;  // cannot happen: e was enabled
    if (stats != nullptr) {
      for (size_t i = 0; i < was_bound.size(); ++i)
        if (world.Bound(static_cast<int>(i))) was_bound[i] = true;
    }
    s.events.push_back(e);
    if (sink != nullptr && sink->Done()) break;
  }
  s.event_lines.assign(s.events.size(), 0);
  if (coverage != nullptr) coverage->Visit(world);
  if (sink != nullptr && !sink->Done()) world.Teardown();
  if (events != nullptr) *events = world.events();
  if (stats != nullptr) {
    ++stats->cases;
    stats->total_events += s.events.size();
  }
}

}  // namespace

Scenario GenerateCase(uint64_t seed, const GenOptions& opts, GenStats* stats,
                      model::FactSink* sink, int* events, Coverage* coverage) {
  Rng rng(seed);
  Scenario s;
  s.SetVariant(opts.variant);
  s.topology = opts.topology ? *opts.topology : GenerateTopology(rng);
  model::World world(s.topology, model::FindVariant(s.variant()), sink);
  world.Setup();
  Walk(world, rng, opts, s, stats, sink, events, coverage);
  return s;
}

Generator::Generator(const GenOptions& opts) : opts_(opts) {
  if (!opts_.topology) return;
  world_ = std::make_unique<model::World>(
      *opts_.topology, model::FindVariant(opts_.variant), nullptr);
  world_->Setup();
  setup_ = world_->Save();
}

Generator::~Generator() = default;

Scenario Generator::Generate(uint64_t seed, GenStats* stats,
                             model::FactSink* sink, int* events,
                             Coverage* coverage) {
  if (!world_) return GenerateCase(seed, opts_, stats, sink, events, coverage);
  Rng rng(seed);
  Scenario s;
  s.SetVariant(opts_.variant);
  s.topology = *opts_.topology;
  world_->Restore(setup_, sink);
  Walk(*world_, rng, opts_, s, stats, sink, events, coverage);
  return s;
}

}  // namespace dsifuzz
