// The explorer's bookkeeping (tools/explore.cc): the properties as one
// fact sink, the table of the states met, and the judging of teardowns.
//
//   ExploreSink sink(MakeAllProperties());
//   World world(topo, variant, &sink);
//   States states(world, sink, /*share_teardowns=*/true);
//   std::string_view key;
//   Fingerprint fp = states.Key(&key);   // the world's state
//   if (states.Reach(fp)) verdict = states.JudgeTeardown(fp);
#ifndef DSIFUZZ_TOOLS_EXPLORE_STATES_H_
#define DSIFUZZ_TOOLS_EXPLORE_STATES_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/state_hash.h"
#include "model/world.h"
#include "properties/property.h"
#include "tools/zeroed_array.h"

namespace dsifuzz {

// The properties of an exploration as one fact sink. What they remember
// of the run (Property::SaveMemory) is part of the state key: two runs with
// the same model state and the same memories give every property the same
// future.
class ExploreSink : public model::FactSink {
 public:
  explicit ExploreSink(std::vector<std::unique_ptr<Property>> props);

  void OnFact(const model::Fact& f) override { router_.OnFact(f); }
  uint64_t Interest() const override { return router_.Interest(); }

  // Appends the properties' memories, one after the other, in the ids of
  // the canonical form that `r` renames to.
  void AppendMemory(std::string& out, const model::Renaming& r) const;
  // Back to the point of a run that left `memory`: no violation yet, and
  // what the properties remember restored.
  void Prime(std::string_view memory);
  // Bit i set: property i has a violation.
  uint32_t Violated() const;
  void ClearViolations();

  const std::vector<std::unique_ptr<Property>>& props() const { return props_; }

 private:
  std::vector<std::unique_ptr<Property>> props_;
  FactRouter router_;
};

// A set of state fingerprints, each with 16 bits of flags: open addressing
// with linear probing over 16-byte entries, so that a lookup, which the
// explorer makes for every transition, costs one cache line most of the
// time. A fingerprint keeps 112 of its 128 bits (docs/explore.md: the
// chance of a collision).
class FingerprintTable {
 public:
  FingerprintTable();
  // The flags of `fp`; 0 if it is not in the table.
  uint16_t Flags(const model::Fingerprint& fp) const;
  // Sets `bits` in the flags of `fp`, adding it if it is not in the table;
  // returns the flags it had.
  uint16_t Or(const model::Fingerprint& fp, uint16_t bits);
  size_t size() const { return size_; }
  // Starts loading where `fp` goes, for a lookup soon after.
  [[gnu::always_inline]] void Prefetch(const model::Fingerprint& fp) const {
    __builtin_prefetch(&entries_[Stored(fp).lo & (entries_.size() - 1)]);
  }

 private:
  // lo == 0: an empty entry; the low 16 bits of hi are the flags.
  struct Entry {
    uint64_t lo = 0;
    uint64_t hi = 0;
  };
  static constexpr uint64_t kFlagBits = 0xFFFF;
  static Entry Stored(const model::Fingerprint& fp);
  size_t Slot(const Entry& key) const;
  void Grow();

  static constexpr bool kHuge = true;  // probed at random (zeroed_array.h)
  ZeroedArray<Entry> entries_;
  size_t size_ = 0;
};

// Transitions out of states, one by one, for their siblings that differ
// only in their armed faults (docs/explore.md). An event that calls none of
// a state's armed fault sites runs as it does with them unarmed (Kernel::
// fault_sites_called), so the sibling's child is the fault-free state's
// child with the sibling's faults: those transitions are kept a block per
// fault-free state (SiblingBlocks, explore_siblings.h), and the entries
// here give their fields. An event that calls armed sites runs as it does
// in any sibling whose first armed site, in the order the event calls
// them, is the same with the same countdown, if it calls no site after that
// one (Armed()). A teardown's steps are transitions too (From(), by
// States::JudgeTeardown). Two generations of open-addressed 40-byte
// entries: when the young one is full, it becomes the old one and the old
// one is dropped, so the transitions of the last states expanded stay (a
// sibling comes a few depths after its fault-free state). A miss only
// costs running the event.
class TransitionCache {
 public:
  // What a probe reads first (used, then from) leads, so that it is in the
  // entry's first cache line three times in four (Prefetch()).
  struct Entry {
    uint16_t used : 1 = 0;
    uint16_t sites_called : 4 = 0;  // bit per FaultSite
    uint16_t violated : 10 = 0;     // properties the event violated
    uint16_t perm = 0;              // the child's renaming (with symmetry)
    // For a transition out of a state with faults armed (Armed()): the
    // countdowns of the sites it called, after it (PackAfter()).
    uint16_t faults_after = 0;
    // The sites called, in the order of their first calls (Kernel::
    // fault_site_order).
    uint8_t site_order = 0;
    model::Fingerprint from;  // the parent's rest mixed with the event
    model::Fingerprint child_rest;
  };
  // A renaming an entry can hold (more are not cached).
  static constexpr uint32_t kMaxPerm = 0xFFFF;
  // Each generation has room for up to 2^max_log2 entries (70% of them
  // used at most), grown from 2^16.
  explicit TransitionCache(int max_log2 = 23);
  // The transition by `e` out of a state whose rest is `parent_rest`, or
  // nullptr.
  const Entry* Find(const model::Fingerprint& parent_rest,
                    const model::Event& e) const {
    return Find(From(parent_rest, e));
  }
  void Put(const model::Fingerprint& parent_rest, const model::Event& e,
           const Entry& entry) {
    Put(From(parent_rest, e), entry);
  }
  // The same by the transition's own fingerprint, From(parent_rest, e),
  // computed once for its Prefetch(), Find() and Put().
  static model::Fingerprint From(const model::Fingerprint& parent_rest,
                                 const model::Event& e);
  // Of the sites the fault-free state's transition calls (`sites`, first
  // called first in `order`), the first that `faults` arms, or -1; in
  // `*through`, it and the sites called before it. With those faults the
  // event runs as with none until it calls that site.
  static int FirstArmed(uint8_t order, uint8_t sites,
                        const model::Faults& faults, uint8_t* through);
  // The transition From(parent_rest, e) out of a state whose first armed
  // site in that order is `site`, armed with `countdown`: it runs the same
  // out of every such sibling if it calls no site but those `through`
  // names.
  static model::Fingerprint Armed(const model::Fingerprint& from, int site,
                                  int countdown);
  // The same in 4 bits each, for Entry::faults_after; false if one is
  // more than 15 (the explorer arms faults with count 1: never).
  static bool PackAfter(const model::Faults& faults, uint8_t sites,
                        uint16_t* packed);
  // `faults` with the countdowns of `sites` taken from PackAfter()'s.
  static model::Faults Merge(model::Faults faults, uint8_t sites,
                             uint16_t packed);
  const Entry* Find(const model::Fingerprint& from) const;
  void Put(const model::Fingerprint& from, const Entry& entry);
  // Starts loading where that transition goes, for a Find() or Put() soon
  // after. Always inlined: gcc takes a function that only prefetches for
  // one without side effects, and drops the call.
  [[gnu::always_inline]] void Prefetch(const model::Fingerprint& from) const {
    young_.Prefetch(from);
    if (old_.size() > 1) old_.Prefetch(from);  // none until the first is full
  }

 private:
  class Generation {
   public:
    // Room set aside for `max` entries: it doubles in place.
    Generation(size_t size, size_t max) : entries_(size, kHuge, max) {}
    const Entry* Find(const model::Fingerprint& from) const {
      const Entry& e = entries_[Slot(from)];
      return e.used ? &e : nullptr;
    }
    // False if it is full at `max` entries.
    bool Put(const model::Fingerprint& from, const Entry& entry, size_t max);
    void Clear();
    size_t size() const { return entries_.size(); }
    [[gnu::always_inline]] void Prefetch(const model::Fingerprint& from) const {
      // The line of the entry's start, where a probe looks (the rest of
      // a 40-byte entry, needed only on a hit, may be on the next).
      __builtin_prefetch(&entries_[from.lo & (entries_.size() - 1)]);
    }

   private:
    size_t Slot(const model::Fingerprint& from) const;
    static constexpr bool kHuge = true;  // probed at random (zeroed_array.h)
    ZeroedArray<Entry> entries_;
    size_t size_ = 0;
  };

  Generation young_;
  Generation old_;
  size_t max_;
};

// At most this many properties at once: a state's teardown verdict is one
// bit per property, in the table's flags.
inline constexpr size_t kMaxProperties = 10;

// The states met so far, by the fingerprint of their key: whether the
// search reached each, and, once judged, the verdict of the end-of-run
// teardown from it (bit i: property i fails). Judged states include the
// states a teardown passes through, reached by the search or not.
class States {
 public:
  States(model::World& world, ExploreSink& sink, bool share_teardowns);

  // The key of the world's state: its canonical encoding and what the
  // properties remember (in its ids); `*out` views it until the next call.
  // Returns its fingerprint, and its rest's in `*rest`
  // (model::RestFingerprint).
  model::Fingerprint Key(std::string_view* out,
                         model::Fingerprint* rest = nullptr);

  // Marks the state reached by the search; false if it already was. One
  // probe of the table: this runs on every transition.
  bool Reach(const model::Fingerprint& fp) {
    return (table_.Or(fp, kReached) & kReached) == 0;
  }
  [[gnu::always_inline]] void Prefetch(const model::Fingerprint& fp) const {
    table_.Prefetch(fp);
  }

  // The teardown's verdict from the state whose key is `fp` (rest `rest`,
  // faults `faults`), if it is known without running it: its own, or, if
  // its fault-free sibling's teardown calls none of its armed fault sites,
  // the sibling's (the teardown then runs the same: Kernel::
  // fault_sites_called); kept for `fp` then.
  bool KnownTeardown(const model::Fingerprint& fp,
                     const model::Fingerprint& rest,
                     const model::Faults& faults, uint32_t* verdict);
  // The teardown's verdict from the world's state, whose key is `fp`
  // (without sharing: the whole teardown, run as Judge() runs it). With
  // `rest` (fp's rest) and a cache to lend to (Lend()), each step out of a
  // state with no fault armed is put in the cache as the transition by its
  // event: a step is that event, run from that state (World::TeardownStep),
  // so the search, when it expands the state, need not run it again.
  uint32_t JudgeTeardown(const model::Fingerprint& fp,
                         const model::Fingerprint* rest = nullptr);
  // Where JudgeTeardown() lends its steps; nullptr: nowhere. The states'
  // renaming must be the identity (no symmetry): steps are not normalized.
  void Lend(TransitionCache* cache) { lend_ = cache; }
  // Keeps, for the state whose key is `fp`, that its teardown violates
  // `verdict` and calls the fault sites `sites` (bit per FaultSite).
  void RecordTeardown(const model::Fingerprint& fp, uint32_t verdict,
                      uint8_t sites) {
    table_.Or(fp, Judged(verdict, sites));
  }

  size_t size() const { return table_.size(); }

 private:
  // A state's flags: reached by the search; teardown judged, with the
  // fault sites it calls and its verdict.
  static constexpr uint16_t kReached = 1u << 15;
  static constexpr uint16_t kJudged = 1u << 14;
  static constexpr int kSitesShift = 10;
  static constexpr uint16_t kSites = 0xF << kSitesShift;
  static constexpr uint16_t kVerdict = (1u << kSitesShift) - 1;
  static_assert(kMaxProperties <= kSitesShift);
  static_assert(model::kFaultSites == 4);
  static uint16_t Judged(uint32_t verdict, uint8_t sites) {
    return static_cast<uint16_t>(kJudged | sites << kSitesShift | verdict);
  }

  // A state of a teardown being judged, what its step violated and the
  // fault sites it called.
  struct Step {
    model::Fingerprint fp;
    bool keyed;  // fp is its key (a teardown begun there is the same)
    uint32_t violated;
    uint8_t sites;
  };
  // Puts the step `from` (TransitionCache::From() of a state with no fault
  // armed and the step's event), to a state whose rest is `to`, in lend_:
  // it violated `violated` and called the fault sites `sites` in the order
  // `order` (Kernel::fault_site_order).
  void LendStep(const model::Fingerprint& from, const model::Fingerprint& to,
                uint32_t violated, uint8_t sites, uint8_t order);

  model::World& world_;
  ExploreSink& sink_;
  bool share_teardowns_ = true;
  TransitionCache* lend_ = nullptr;
  FingerprintTable table_;
  std::string key_;     // its first bytes: the last key (see Key())
  std::string memory_;  // the properties' part of the last key
  model::Renaming renaming_;
  std::vector<Step> chain_;
};

}  // namespace dsifuzz

#endif  // DSIFUZZ_TOOLS_EXPLORE_STATES_H_
