#include "tools/explore.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "model/state_hash.h"
#include "model/state_symmetry.h"
#include "model/world.h"
#include "properties/property.h"
#include "tools/chunked_vector.h"
#include "tools/coverage.h"
#include "tools/explore_frontier.h"
#include "tools/explore_siblings.h"
#include "tools/explore_states.h"
#include "tools/judge.h"

namespace dsifuzz {
namespace {

// One distinct state (or a transition that brought a finding): how it was
// reached, for the counterexample.
struct Node {
  uint32_t parent;
  model::Event event;  // in the parent's device names (see `perm`)
  // With symmetry, the child was renamed by perms[perm] after the event.
  uint32_t perm = 0;
};

// What a fault-free state's block keeps of a transition (SiblingBlocks):
// the sites its event calls.
SiblingBlocks::Transition InBlock(const model::Event& e, uint8_t sites_called,
                                  uint8_t site_order) {
  SiblingBlocks::Transition b;
  b.event = SiblingBlocks::Tag(e);
  b.sites_called = sites_called & 0xF;
  b.site_order = site_order;
  b.valid = 1;
  return b;
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since)
      .count();
}

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

  if (nprops > kMaxProperties)
    return absl::InvalidArgumentError(absl::StrCat(
        "explore: at most ", kMaxProperties, " properties at a time"));

  ExploreResult r;
  ChunkedVector<Node> nodes;
  // Per property: the node whose path first failed it, or -1.
  std::vector<int64_t> found(nprops, -1);
  size_t open = nprops;
  auto record = [&](uint32_t node, uint32_t violated) {
    for (size_t i = 0; i < nprops; ++i) {
      if (found[i] >= 0 || (violated & (uint32_t{1} << i)) == 0) continue;
      found[i] = node;
      --open;
    }
  };

  model::World world(opts.topology, variant, &sink);
  // The findings' reports come from a replay (Judge): no call stacks.
  world.kernel().set_history(false);
  world.Setup();
  // Symmetry: the renamings of devices met, and the one of the last state
  // normalized.
  const model::Symmetry symmetry(opts.topology);
  const bool fold = opts.symmetry && !symmetry.trivial();
  r.symmetric_classes = opts.symmetry ? symmetry.classes().size() : 0;
  std::vector<model::DevicePerm> perms;
  absl::flat_hash_map<model::DevicePerm, uint32_t> perm_ids;
  model::DevicePerm perm;
  uint32_t perm_index = 0;
  auto normalize = [&] {
    if (!fold) return;
    world.Normalize(symmetry, perm);
    auto [it, added] =
        perm_ids.try_emplace(perm, static_cast<uint32_t>(perms.size()));
    if (added) perms.push_back(perm);
    perm_index = it->second;
  };
  States states(world, sink, opts.share_teardowns);
  std::string_view key;
  // Arming a fault writes one countdown, which holds no id, and emits only
  // kEvent: with no property watching kEvent, the child's key is the
  // parent's with the countdown rewritten (model::RewriteFault), and the
  // event runs only if the child is new. With symmetry, the child needs no
  // renaming: the parent is normalized, and the order of the bridges does
  // not look at the faults.
  const bool fault_in_place =
      opts.fault_in_place && opts.coverage == nullptr &&
      (sink.Interest() & model::FactBit(model::FactKind::kEvent)) == 0;
  uint32_t no_renaming = 0;  // the index of the identity in `perms`
  if (fold) {
    model::DevicePerm identity(opts.topology.devices.size());
    for (size_t i = 0; i < identity.size(); ++i)
      identity[i] = static_cast<int16_t>(i);
    no_renaming = perm_ids.try_emplace(identity, perms.size()).first->second;
    if (no_renaming == perms.size()) perms.push_back(identity);
  }
  // The transitions out of states for their siblings with other faults
  // armed (docs/explore.md): those of the states with no fault armed in a
  // block per state, the others and the teardowns' steps one by one.
  const bool reuse = opts.reuse_transitions && opts.coverage == nullptr;
  // Two generations of each: 2 x (2^log2 transitions of 8 bytes, an index
  // of 2^(log2 - 2) blocks of 32 bytes) and 2 x 2^(log2 - 2) entries of 40
  // bytes, 52 bytes per 2^log2: up to 832 MiB, at most a quarter of
  // --max-memory.
  int cache_log2 = 24;
  while (opts.max_rss_mib > 0 && cache_log2 > 18 &&
         (uint64_t{52} << cache_log2) >
             opts.max_rss_mib * (uint64_t{1} << 20) / 4)
    --cache_log2;
  SiblingBlocks blocks(cache_log2);
  TransitionCache cache(cache_log2 - 2);
  // The block of the state being expanded, if it has no fault armed.
  std::vector<SiblingBlocks::Transition> block_out;
  // A teardown's steps are transitions the search takes later (its first
  // from the state it judges): they are lent too, but for symmetry, which
  // renames the search's children and not a teardown's.
  if (reuse && !fold) states.Lend(&cache);
  // Transitions of armed states that commute with arming their faults
  // are left out (docs/explore.md): needs arming to be the countdown's
  // write and nothing else, as in place.
  const bool commute = opts.commute_faults && fault_in_place;
  struct Plan {
    bool skip = false;      // commutes with arming the parent's faults
    bool in_place = false;  // an armed fault: the parent's key rewritten
    bool reusable = false;  // a transition a sibling may lend
    // The event calls armed sites of the parent: a sibling whose first
    // armed site it calls is the same, with the same countdown, may lend
    // it; `sites` are that site and those called before it.
    bool by_armed = false;
    uint8_t sites = 0;
    // Lent by a sibling or a teardown: a copy of the cache's entry, which
    // the runs below may move (Put() grows the cache and drops a
    // generation).
    const TransitionCache::Entry* cached = nullptr;
    TransitionCache::Entry lent;
    model::Fingerprint fp;  // the child's, if in place or lent
    model::Faults faults;   // the child's, if lent
    // The transition's From(), if the teardown may have lent it or by_armed.
    model::Fingerprint from;
    model::Fingerprint armed_from;  // its Armed() form, if by_armed
  };
  std::vector<Plan> plan;

  // The post-setup state: the empty sequence.
  normalize();
  nodes.push_back(Node{0, model::Event{}, perm_index});
  KeyStore store;
  Frontier frontier, next;
  model::Fingerprint rest0;
  model::Fingerprint fp = states.Key(&key, &rest0);
  states.Reach(fp);
  store.Begin();
  frontier.Add(store, 0, key, rest0, world.state().faults);
  r.states = 1;
  r.per_depth.push_back(ExploreDepth{0, 1, 0});
  record(0, sink.Violated());
  record(0, states.JudgeTeardown(fp, &rest0));

  // The parent being expanded, decoded from its key once; each child
  // starts from a copy of it.
  model::State parent = world.Save();
  std::string_view decoded;  // the key `parent` was decoded from
  std::string_view memory;   // its properties' part
  std::vector<model::Event> enabled;
  // A key that does not decode (cannot be) leaves `parent` unusable: the
  // search stops at once, before the world runs from it.
  bool bad_key = false;
  auto bad_key_error = [] {
    return absl::InternalError("explore: a state key does not decode");
  };
  for (int depth = 0;; ++depth) {
    r.depth_reached = depth;
    if (opts.max_depth >= 0 && depth >= opts.max_depth) {
      r.complete = true;
      break;
    }
    if ((open == 0 && opts.coverage == nullptr) || frontier.size() == 0) break;
    ExploreDepth d{depth + 1, 0, 0};
    next.Clear();
    // The keys of the states expanded before are no longer needed but those
    // this depth's refer to; the new ones go in a generation of their own.
    store.Release(frontier.OldestKey());
    store.Begin();
    const bool keep = opts.max_depth < 0 || depth + 1 < opts.max_depth;
    for (size_t fi = 0; fi < frontier.size() && !r.truncated; ++fi) {
      const Frontier::Entry& pe = frontier[fi];
      // The next parent's key, loading while this one is expanded, and
      // where its fault-free sibling's block is.
      if (fi + 1 < frontier.size()) {
        const std::string_view k = frontier[fi + 1].key;
        for (size_t at = 0; at < k.size(); at += 64)
          __builtin_prefetch(k.data() + at);
        if (reuse && frontier[fi + 1].faults.Armed() != 0)
          blocks.Prefetch(frontier[fi + 1].rest);
      }
      // With faults armed, the transitions of the fault-free sibling
      // (SiblingBlocks), all their lines loading at once.
      std::span<const SiblingBlocks::Transition> sibling;
      if (reuse && pe.faults.Armed() != 0) {
        sibling = blocks.Find(pe.rest);
        const auto* bytes = reinterpret_cast<const char*>(sibling.data());
        for (size_t at = 0; at < sibling.size_bytes(); at += 64)
          __builtin_prefetch(bytes + at);
      }
      // Siblings that armed faults in place share a key, and follow one
      // another: decoded once, when the world first needs the parent.
      auto decode = [&] {
        if (pe.key.data() == decoded.data()) return;
        std::string_view in = pe.key;
        bad_key = !model::DecodeState(in, parent);
        decoded = bad_key ? std::string_view() : pe.key;
        memory = in;
      };
      const uint32_t parent_node = pe.node;
      const model::Fingerprint parent_rest = pe.rest;
      // The parent's faults: those of its key may be a sibling's.
      const model::Faults parent_faults = pe.faults;
      const uint8_t armed = parent_faults.Armed();
      // The world becomes the parent.
      auto restore = [&] {
        decode();
        parent.faults = parent_faults;
        world.Restore(parent, &sink);
      };
      enabled.clear();
      // With its fault-free sibling's block, the parent's events are the
      // block's, then its fail events (World::EnabledEvents), and the world
      // becomes the parent only if an event runs: most armed parents have
      // every transition lent.
      bool pristine = false;  // the world is `parent`
      if (!sibling.empty()) {
        for (const SiblingBlocks::Transition& t : sibling)
          enabled.push_back(SiblingBlocks::Untag(t.event));
        model::World::AppendFailEvents(parent_faults, enabled);
      } else {
        restore();
        if (bad_key) return bad_key_error();
        pristine = true;
        world.EnabledEvents(enabled);
      }
      // With no fault armed, the one transition the cache may hold is the
      // first step of the teardown judged when the state was reached.
      model::Event teardown_step{model::EventKind::kFail, -1, 0};  // none
      if (armed == 0 && reuse && !fold) {
        model::World::TeardownCursor c;
        if (!world.NextTeardownStep(c, teardown_step))
          teardown_step = model::Event{model::EventKind::kFail, -1, 0};
      }
      if (opts.coverage != nullptr) {
        opts.coverage->Visit(world);
        for (const model::Event& e : enabled) opts.coverage->Take(world, e);
      }
      // How each child's fingerprint comes: by the event, run on the
      // working world; or, for an armed fault or a transition the
      // fault-free sibling made, without running it (the world takes the
      // event if the child is new). Planned first, so that the table
      // entries each needs start loading together.
      plan.assign(enabled.size(), Plan{});
      for (size_t k = 0; k < enabled.size(); ++k) {
        const model::Event& e = enabled[k];
        Plan& p = plan[k];
        const bool fail = e.kind == model::EventKind::kFail;
        p.in_place = fault_in_place && fail;
        // Arming a site below one the parent arms: the child is reached by
        // arming them in site order, at the same depth.
        if (commute && fail && (armed >> (e.arg + 1)) != 0) {
          p.skip = true;
          continue;
        }
        // Arming a fault writes the faults: never reused.
        p.reusable = reuse && !fail;
        if (p.in_place) {
          model::Faults faults = parent_faults;
          faults.at(static_cast<model::FaultSite>(e.arg)) = e.count;
          p.fp = model::WithFaults(parent_rest, faults);
          states.Prefetch(p.fp);
        } else if (p.reusable && armed == 0 && e == teardown_step) {
          // Lent by the teardown judged when the parent was reached.
          p.from = TransitionCache::From(parent_rest, e);
          cache.Prefetch(p.from);
        }
      }
      if (armed == 0) {
        for (size_t k = 0; k < enabled.size(); ++k) {
          Plan& p = plan[k];
          if (!p.reusable || !(enabled[k] == teardown_step)) continue;
          p.cached = cache.Find(p.from);
          if (p.cached == nullptr) continue;
          p.faults = parent_faults;
          p.fp = model::WithFaults(p.cached->child_rest, p.faults);
          states.Prefetch(p.fp);
        }
      }
      if (armed != 0) {
        // The parent's k-th event is its fault-free sibling's k-th (listed
        // from its block above), but for the fail events, which come last.
        for (size_t k = 0; k < sibling.size(); ++k) {
          Plan& p = plan[k];
          const SiblingBlocks::Transition& t = sibling[k];
          if (!p.reusable || !t.valid) continue;
          // Calls none of the armed sites: its child is the fault-free
          // sibling's child with the faults armed, reached at the same
          // depth by arming them there. (Without the reduction, it runs.)
          if ((t.sites_called & armed) == 0) {
            p.skip = commute;
            continue;
          }
          // Looked up below, now that the fault-free state's transition
          // says which armed site the event calls first.
          const int first = TransitionCache::FirstArmed(
              t.site_order, t.sites_called, parent_faults, &p.sites);
          if (first < 0) continue;  // cannot be: it calls an armed site
          p.by_armed = true;
          p.from = TransitionCache::From(parent_rest, enabled[k]);
          p.armed_from = TransitionCache::Armed(
              p.from, first,
              parent_faults.at(static_cast<model::FaultSite>(first)));
          cache.Prefetch(p.armed_from);
        }
        for (size_t k = 0; k < enabled.size(); ++k) {
          Plan& p = plan[k];
          if (!p.by_armed) continue;
          p.cached = cache.Find(p.armed_from);
          if (p.cached == nullptr) continue;
          p.faults = TransitionCache::Merge(
              parent_faults, p.cached->sites_called, p.cached->faults_after);
          p.fp = model::WithFaults(p.cached->child_rest, p.faults);
          states.Prefetch(p.fp);
        }
      }
      for (Plan& p : plan) {
        if (p.cached == nullptr) continue;
        p.lent = *p.cached;
        p.cached = &p.lent;
      }
      // The parent's block, for its siblings with faults armed: one
      // transition per event up to the fail events. Not at the last depth:
      // a sibling comes at a greater depth than its fault-free state.
      block_out.clear();
      if (armed == 0 && reuse && keep) {
        size_t events = 0;
        while (events < enabled.size() &&
               enabled[events].kind != model::EventKind::kFail)
          ++events;
        block_out.resize(events);
        // Every event's tag, kept or not: the block lists the events.
        for (size_t k = 0; k < events; ++k)
          block_out[k].event = SiblingBlocks::Tag(enabled[k]);
      }
      auto keep_in_block = [&](size_t k, uint8_t sites_called,
                               uint8_t site_order) {
        if (k < block_out.size())
          block_out[k] = InBlock(enabled[k], sites_called, site_order);
      };
      for (size_t k = 0; k < enabled.size(); ++k) {
        if (plan[k].skip) {
          ++r.commuted;
          continue;
        }
        const model::Event& e = enabled[k];
        const bool in_place = plan[k].in_place;
        const TransitionCache::Entry* cached = plan[k].cached;
        auto take = [&] {
          if (!pristine) restore();
          pristine = false;
          if (bad_key) return false;
          sink.Prime(memory);
          world.ApplyEnabled(e);
          return true;
        };
        uint32_t during = 0;
        model::Fingerprint rest;  // the child's, when run
        if (in_place) {
          fp = plan[k].fp;
          perm_index = no_renaming;
        } else if (cached != nullptr) {
          fp = plan[k].fp;
          during = cached->violated;
          perm_index = cached->perm;
          ++r.reused;
          keep_in_block(k, cached->sites_called, cached->site_order);
        } else {
          if (!take()) return bad_key_error();
          if (opts.coverage != nullptr) opts.coverage->Visit(world);
          // Whether the event itself fails a property depends on the
          // parent and the event, not on the state reached: checked on
          // every transition, merged or not.
          during = sink.Violated();
          normalize();
          fp = states.Key(&key, &rest);
          states.Prefetch(fp);  // for Reach(), after the cache's Put()
          // and for KnownTeardown(), if it is new: its fault-free sibling's
          if (world.state().faults.Armed() != 0)
            states.Prefetch(model::WithFaults(rest, {}));
          const uint8_t called = world.kernel().fault_sites_called();
          // The sites it calls, for the siblings with faults armed (in the
          // block); or, for an event that called armed sites, the
          // transition, lent to the siblings whose first armed site is the
          // same, with the same countdown (if it called no site after it).
          if (plan[k].reusable && armed == 0) {
            keep_in_block(k, called, world.kernel().fault_site_order());
          } else if (plan[k].reusable && plan[k].by_armed &&
                     called == plan[k].sites &&
                     perm_index <= TransitionCache::kMaxPerm) {
            TransitionCache::Entry entry;
            entry.child_rest = rest;
            entry.perm = static_cast<uint16_t>(perm_index);
            entry.violated = during & 0x3FF;
            entry.sites_called = called & 0xF;
            entry.site_order = world.kernel().fault_site_order();
            if (TransitionCache::PackAfter(world.state().faults, called,
                                           &entry.faults_after))
              cache.Put(plan[k].armed_from, entry);
          }
        }
        ++d.transitions;
        bool new_finding = false;
        for (size_t i = 0; i < nprops; ++i) {
          if (found[i] < 0 && (during & (uint32_t{1} << i)) != 0)
            new_finding = true;
        }
        const bool fresh = states.Reach(fp);
        if (!fresh && !new_finding) {
          ++r.merged;
          continue;
        }
        const auto node = static_cast<uint32_t>(nodes.size());
        nodes.push_back(Node{parent_node, e, perm_index});
        record(node, during);
        if (!fresh) {
          ++r.merged;
          continue;
        }
        ++d.states;
        ++r.states;
        // The child's rest and faults: its teardown may be its fault-free
        // sibling's (States::KnownTeardown), with no need to run it.
        model::Faults child_faults = parent_faults;
        model::Fingerprint child_rest = parent_rest;
        if (in_place) {
          child_faults.at(static_cast<model::FaultSite>(e.arg)) = e.count;
        } else if (cached != nullptr) {
          child_faults = plan[k].faults;
          child_rest = cached->child_rest;
        } else {
          child_faults = world.state().faults;
          child_rest = rest;
        }
        uint32_t verdict = 0;
        const bool known =
            states.KnownTeardown(fp, child_rest, child_faults, &verdict);
        // The world takes the event if the child's key or teardown needs
        // it. A reused child's key comes from the world, which must agree
        // with the fingerprint the sibling gave.
        bool on_world = !in_place && cached == nullptr;
        if (cached != nullptr && (keep || !known)) {
          if (!take()) return bad_key_error();
          normalize();
          if (!(states.Key(&key) == fp))
            return absl::InternalError(
                "explore: a transition lent by a sibling or a teardown "
                "disagrees with the event run");
          on_world = true;
        }
        if (keep) {
          if (in_place) {
            // The parent's key, with the fault armed.
            next.AddSibling(node, pe, child_faults);
          } else {
            next.Add(store, node, key, child_rest, child_faults);
          }
        }
        if (!known) {
          if (!on_world && !take()) return bad_key_error();
          // The teardown's verdict depends only on the state reached (and
          // the properties' memories): judged once per distinct state.
          // Its steps are lent only if the search goes on: a state
          // reached at the last depth is not expanded.
          verdict = states.JudgeTeardown(fp, keep ? &child_rest : nullptr);
        }
        record(node, verdict);
        if (r.states >= opts.max_states) {
          r.truncated = true;
          r.stopped_by = "--max-states";
          break;
        }
        if ((r.states & 4095) == 0 &&
            (opts.max_seconds > 0 || opts.max_rss_mib > 0)) {
          if (opts.max_seconds > 0 && Seconds(start) >= opts.max_seconds) {
            r.truncated = true;
            r.stopped_by = "--max-seconds";
            break;
          }
          if (opts.max_rss_mib > 0 && PeakRssKib() >= opts.max_rss_mib * 1024) {
            r.truncated = true;
            r.stopped_by = "--max-memory";
            break;
          }
        }
      }
      if (!block_out.empty()) blocks.Put(parent_rest, block_out);
    }
    r.transitions += d.transitions;
    r.per_depth.push_back(d);
    if (opts.on_depth) opts.on_depth(d, Seconds(start), PeakRssKib());
    if (r.truncated) break;
    if (d.states == 0) {
      // No new state: every state reachable at any depth has been judged.
      r.depth_reached = depth + 1;
      r.fixed_point = true;
      r.complete = true;
      break;
    }
    std::swap(frontier, next);
  }

  for (size_t i = 0; i < nprops; ++i) {
    if (found[i] < 0) continue;
    ExploreFinding f;
    f.property = std::string(sink.props()[i]->name());
    f.scenario.SetVariant(opts.variant);
    f.scenario.topology = opts.topology;
    std::vector<uint32_t> path;
    for (auto n = static_cast<uint32_t>(found[i]); n != 0; n = nodes[n].parent)
      path.push_back(n);
    std::reverse(path.begin(), path.end());
    // Each event is in the names of its parent's state; with symmetry,
    // `to_actual` takes those back to the names of the world replayed.
    model::DevicePerm to_actual(opts.topology.devices.size());
    for (size_t k = 0; k < to_actual.size(); ++k)
      to_actual[k] = static_cast<int16_t>(k);
    auto follow = [&](uint32_t n) {
      if (!fold) return;
      const model::DevicePerm inv =
          model::Symmetry::Inverse(perms[nodes[n].perm]);
      model::DevicePerm next_actual(inv.size());
      for (size_t k = 0; k < inv.size(); ++k)
        next_actual[k] = to_actual[inv[k]];
      to_actual = std::move(next_actual);
    };
    follow(0);
    for (uint32_t n : path) {
      f.scenario.events.push_back(
          model::Symmetry::Map(nodes[n].event, to_actual));
      follow(n);
    }
    // The title from a replay from scratch: the explorer's worlds start
    // from decoded states, which keep no allocation records, and a title
    // may name an allocating function (a leak's). The replay must fail the
    // property, or the explorer is wrong.
    const Verdict v = Judge(f.scenario, {f.property});
    if (v.failed.empty())
      return absl::InternalError(
          absl::StrCat("explore: the sequence found for ", f.property,
                       " does not fail it when replayed"));
    f.title = v.title;
    r.findings.push_back(std::move(f));
  }
  r.seconds = Seconds(start);
  r.peak_rss_kib = PeakRssKib();
  return r;
}

}  // namespace dsifuzz
