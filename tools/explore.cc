#include "tools/explore.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string_view>
#include <unordered_set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "model/state_hash.h"
#include "model/world.h"
#include "properties/property.h"

namespace dsifuzz {
namespace {

using model::Fact;
using model::FactKind;
using model::ObjId;

// The properties of the exploration as one fact sink. What they remember
// of the run (Property::SaveMemory) is part of the state key: two runs with
// the same model state and the same memories give every property the same
// future.
class ExploreSink : public model::FactSink {
 public:
  explicit ExploreSink(std::vector<std::unique_ptr<Property>> props)
      : props_(std::move(props)) {
    for (const auto& p : props_) {
      p->set_limit(1);
      interest_ |= p->Interest();
    }
  }

  void OnFact(const Fact& f) override {
    for (auto& p : props_) p->OnFact(f);
  }
  uint64_t Interest() const override { return interest_; }

  // The properties' memories, one after the other.
  std::string Memory() const {
    std::string out;
    for (const auto& p : props_) p->SaveMemory(out);
    return out;
  }
  // Back to the point of a run that left `memory`: no violation yet, and
  // what the properties remember restored.
  void Prime(std::string_view memory) {
    for (auto& p : props_) p->LoadMemory(memory);
  }

  // The world's State was put in canonical form: rename what the
  // properties remember along.
  void Rename(const model::Renaming& r) {
    for (auto& p : props_) p->RenameObjects(r);
  }

  const std::vector<std::unique_ptr<Property>>& props() const { return props_; }

 private:
  std::vector<std::unique_ptr<Property>> props_;
  uint64_t interest_ = 0;
};

struct KeyHash {
  size_t operator()(const std::string& s) const {
    return static_cast<size_t>(model::HashBytes(s));
  }
};

// One distinct state (or a transition that brought a finding): how it was
// reached, for the counterexample.
struct Node {
  uint32_t parent;
  model::Event event;
};

struct Frontier {
  uint32_t node;
  model::State state;
  std::string memory;  // ExploreSink::Memory() of the path to it
};

uint64_t PeakRssKib() {
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<uint64_t>(ru.ru_maxrss);
}

}  // namespace

absl::StatusOr<ExploreResult> Explore(const ExploreOptions& opts) {
  const auto start = std::chrono::steady_clock::now();
  model::KernelFactory variant = model::FindVariant(opts.variant);
  if (variant == nullptr)
    return absl::InvalidArgumentError(
        absl::StrCat("unknown variant '", opts.variant, "'"));
  const std::vector<std::string> known = PropertyNames();
  for (const std::string& p : opts.properties) {
    if (std::find(known.begin(), known.end(), p) == known.end())
      return absl::InvalidArgumentError(
          absl::StrCat("unknown property '", p, "'"));
  }
  std::vector<std::unique_ptr<Property>> props = MakeAllProperties();
  std::erase_if(props, [&](const std::unique_ptr<Property>& p) {
    return !opts.properties.empty() &&
           std::find(opts.properties.begin(), opts.properties.end(),
                     std::string(p->name())) == opts.properties.end();
  });
  ExploreSink sink(std::move(props));
  const size_t nprops = sink.props().size();

  ExploreResult r;
  std::vector<Node> nodes;
  // Per property: the node whose path first failed it, or -1.
  std::vector<int64_t> found(nprops, -1);
  std::vector<std::string> titles(nprops);
  size_t open = nprops;
  auto record = [&](uint32_t node) {
    for (size_t i = 0; i < nprops; ++i) {
      const auto& v = sink.props()[i]->violations();
      if (found[i] >= 0 || v.empty()) continue;
      found[i] = node;
      titles[i] = v.front().Title();
      --open;
    }
  };

  model::World world(opts.topology, variant, &sink);
  world.Setup();
  model::Renaming renaming;
  auto canonicalize = [&] {
    world.Canonicalize(renaming);
    if (!renaming.identity()) sink.Rename(renaming);
  };
  canonicalize();
  std::unordered_set<std::string, KeyHash> visited;
  std::string key;
  auto make_key = [&](const model::State& s, const std::string& memory) {
    key.clear();
    model::EncodeState(s, key);
    key += memory;
  };

  // The post-setup state: the empty sequence.
  nodes.push_back(Node{0, model::Event{}});
  std::vector<Frontier> frontier, next;
  frontier.push_back(Frontier{0, world.Save(), sink.Memory()});
  make_key(frontier[0].state, frontier[0].memory);
  visited.insert(key);
  r.states = 1;
  r.per_depth.push_back(ExploreDepth{0, 1, 0});
  record(0);
  world.Teardown();
  record(0);

  std::vector<model::Event> enabled;
  for (int depth = 0;; ++depth) {
    r.depth_reached = depth;
    if (opts.max_depth >= 0 && depth >= opts.max_depth) {
      r.complete = true;
      break;
    }
    if (open == 0 || frontier.empty()) break;
    ExploreDepth d{depth + 1, 0, 0};
    next.clear();
    const bool keep = opts.max_depth < 0 || depth + 1 < opts.max_depth;
    for (const Frontier& parent : frontier) {
      if (r.truncated) break;
      world.Restore(parent.state, &sink);
      enabled.clear();
      world.EnabledEvents(enabled);
      for (const model::Event& e : enabled) {
        world.Restore(parent.state, &sink);
        sink.Prime(parent.memory);
        if (!world.Apply(e).ok()) continue;  // cannot happen: e is enabled
        ++d.transitions;
        // Whether the event itself fails a property depends on the parent
        // and the event, not on the state reached: checked on every
        // transition, merged or not.
        bool new_finding = false;
        for (size_t i = 0; i < nprops; ++i) {
          if (found[i] < 0 && !sink.props()[i]->violations().empty())
            new_finding = true;
        }
        canonicalize();
        std::string memory = sink.Memory();
        make_key(world.state(), memory);
        const bool fresh = visited.insert(key).second;
        if (!fresh && !new_finding) {
          ++r.merged;
          continue;
        }
        const auto node = static_cast<uint32_t>(nodes.size());
        nodes.push_back(Node{parent.node, e});
        record(node);
        if (!fresh) {
          ++r.merged;
          continue;
        }
        ++d.states;
        ++r.states;
        if (keep)
          next.push_back(Frontier{node, world.Save(), std::move(memory)});
        // The teardown's verdict depends only on the state reached (and
        // the properties' memories): checked once per distinct state, on the
        // working world, after the state is saved.
        world.Teardown();
        record(node);
        if (r.states >= opts.max_states) {
          r.truncated = true;
          break;
        }
      }
    }
    r.transitions += d.transitions;
    r.per_depth.push_back(d);
    if (r.truncated) break;
    if (d.states == 0) {
      // No new state: every state reachable at any depth has been judged.
      r.depth_reached = depth + 1;
      r.fixed_point = true;
      r.complete = true;
      break;
    }
    frontier.swap(next);
  }

  for (size_t i = 0; i < nprops; ++i) {
    if (found[i] < 0) continue;
    ExploreFinding f;
    f.property = std::string(sink.props()[i]->name());
    f.title = titles[i];
    f.scenario.SetVariant(opts.variant);
    f.scenario.topology = opts.topology;
    for (auto n = static_cast<uint32_t>(found[i]); n != 0; n = nodes[n].parent)
      f.scenario.events.push_back(nodes[n].event);
    std::reverse(f.scenario.events.begin(), f.scenario.events.end());
    r.findings.push_back(std::move(f));
  }
  r.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  r.peak_rss_kib = PeakRssKib();
  return r;
}

}  // namespace dsifuzz
