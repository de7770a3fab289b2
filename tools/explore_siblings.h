// The transitions of the states with no fault armed, one block per state:
// each event and the fault sites it calls, for their siblings with faults
// armed (tools/explore.cc; docs/explore.md, "Events that commute with a
// fault").
//
//   SiblingBlocks blocks(/*max_log2=*/24);
//   // Expanding R, with no fault armed: a transition per event, in the
//   // order of World::EnabledEvents, up to its fail events.
//   blocks.Put(rest, transitions);
//   // Expanding S, R with faults armed (the same rest): one lookup.
//   blocks.Prefetch(rest);                      // a state ahead
//   std::span<const SiblingBlocks::Transition> b = blocks.Find(rest);
//
// S's events but its fail events are R's, in the same order (the enabled
// events do not look at the faults, and the fail events come last), so S's
// k-th event is R's k-th. A block per state costs one probe of an index and
// a write in order where a table of transitions costs a probe at random per
// transition: a cache and a TLB miss each, about an eighth of the time of a
// search to depth 8 on four devm bridges before the blocks.
//
// Two generations, as in TransitionCache (explore_states.h): when the young
// one is full it becomes the old one and the old one is dropped, so a
// Put() may move every block. A miss only costs running the events.
#ifndef DSIFUZZ_TOOLS_EXPLORE_SIBLINGS_H_
#define DSIFUZZ_TOOLS_EXPLORE_SIBLINGS_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "model/state_hash.h"
#include "model/world.h"
#include "tools/zeroed_array.h"

namespace dsifuzz {

class SiblingBlocks {
 public:
  // What an event does out of the fault-free state, as far as its
  // siblings need: which fault sites it calls. Its child is not kept: a
  // sibling whose armed sites it does not call leaves it out (it commutes
  // with arming them), and one whose armed sites it calls runs it.
  struct Transition {
    uint32_t event = 0;            // Tag() of the event
    uint8_t sites_called : 4 = 0;  // bit per FaultSite
    uint8_t valid : 1 = 0;         // 0: not known (the event runs)
    // The sites called, in the order of their first calls (Kernel::
    // fault_site_order).
    uint8_t site_order = 0;
    uint16_t unused = 0;
  };
  static_assert(sizeof(Transition) == 8);
  // An event other than a fail event as one word (a block lists its
  // state's events: Untag() gives them back).
  static uint32_t Tag(const model::Event& e) {
    return static_cast<uint32_t>(e.kind) |
           static_cast<uint32_t>(static_cast<uint16_t>(e.arg)) << 8;
  }
  static model::Event Untag(uint32_t tag) {
    return model::Event{static_cast<model::EventKind>(tag & 0xFF),
                        static_cast<int16_t>(tag >> 8)};
  }

  // Each generation holds up to 2^max_log2 transitions, and an index of
  // up to a quarter as many blocks.
  explicit SiblingBlocks(int max_log2 = 24);

  // Keeps the block of the state whose rest is `rest` (replacing one kept).
  void Put(const model::Fingerprint& rest, std::span<const Transition> block);
  // The block of `rest`, empty if none is kept; valid until the next Put().
  std::span<const Transition> Find(const model::Fingerprint& rest) const {
    std::span<const Transition> b = young_.Find(rest);
    return b.empty() ? old_.Find(rest) : b;
  }
  // Starts loading where Find(rest) looks first. Always inlined (gcc drops
  // a call to a function that only prefetches: TransitionCache::Prefetch).
  [[gnu::always_inline]] void Prefetch(const model::Fingerprint& rest) const {
    young_.Prefetch(rest);
    if (old_.blocks() != 0) old_.Prefetch(rest);
  }

 private:
  // A block in the index: the state's rest and where its transitions are.
  struct Slot {
    model::Fingerprint rest;  // rest.lo == 0: empty (a lo of 0 is kept as 1)
    uint64_t at = 0;          // its first transition in the arena
    uint32_t n = 0;
    uint32_t unused = 0;
  };
  static_assert(sizeof(Slot) == 32);  // never across two cache lines

  class Generation {
   public:
    Generation(size_t max_transitions, size_t max_blocks);
    std::span<const Transition> Find(const model::Fingerprint& rest) const;
    // False if it is full.
    bool Put(const model::Fingerprint& rest, std::span<const Transition> b);
    void Clear();
    size_t blocks() const { return blocks_; }
    [[gnu::always_inline]] void Prefetch(const model::Fingerprint& rest) const {
      __builtin_prefetch(&index_[Key(rest).lo & (index_.size() - 1)]);
    }

   private:
    static model::Fingerprint Key(const model::Fingerprint& rest) {
      return {rest.lo == 0 ? 1 : rest.lo, rest.hi};
    }
    size_t Probe(const model::Fingerprint& key) const;
    // Where `n` more transitions go, in one chunk; false past the maximum.
    bool Reserve(size_t n);

    // The index is probed at random, a block read at random once per
    // armed state: both gain from huge pages (zeroed_array.h).
    static constexpr bool kHuge = true;
    // The transitions are in chunks of one huge page, which a block never
    // spans: a generation grows without copying, and a cleared one keeps
    // its chunks for the next (memory faulted in already, which costs the
    // VM more than its zeroing).
    static constexpr int kChunkLog2 = 18;  // 2 MiB of transitions
    static constexpr size_t kChunk = size_t{1} << kChunkLog2;
    static_assert(kChunk * sizeof(Transition) == size_t{2} << 20);
    ZeroedArray<Slot> index_;
    std::vector<ZeroedArray<Transition>> chunks_;
    size_t blocks_ = 0;
    size_t chunk_ = 0;  // the chunk being filled
    size_t used_ = 0;   // transitions in it
    size_t max_chunks_;
    size_t max_blocks_;
  };

  Generation young_;
  Generation old_;
};

}  // namespace dsifuzz

#endif  // DSIFUZZ_TOOLS_EXPLORE_SIBLINGS_H_
