// The explorer's frontier (tools/explore.cc): the states of one depth still
// to expand, and the keys they are decoded from.
//
//   KeyStore store;
//   Frontier frontier, next;
//   store.Begin();                                 // the keys of depth 0
//   frontier.Add(store, node, key, rest, faults);  // a copy of the key
//   ...
//   store.Release(frontier.OldestKey());           // before expanding it
//   store.Begin();                                 // the keys of depth 1
//   const Frontier::Entry& e = frontier[i];
//   next.AddSibling(node, e, rest, faults);        // e's key, other faults
//
// A state armed a fault in place (docs/explore.md) has its parent's key with
// one countdown changed: its entry refers to the parent's key, with its own
// faults, rather than copying about a kilobyte that differs in four bytes.
// Three quarters of the new states are such on four devm bridges. A key
// lives in the generation of the depth that made it, and a generation's
// blocks are reused once no entry refers to it any more: those of earlier
// depths back to the oldest key the frontier being expanded refers to (a
// chain of faults armed in place is at most one per fault site long).
#ifndef DSIFUZZ_TOOLS_EXPLORE_FRONTIER_H_
#define DSIFUZZ_TOOLS_EXPLORE_FRONTIER_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <string_view>
#include <utility>
#include <vector>

#include "model/state.h"
#include "model/state_hash.h"
#include "tools/chunked_vector.h"
#include "tools/zeroed_array.h"

namespace dsifuzz {

// Keys in generations of blocks (a key never spans two), the blocks of
// released generations kept for the next ones: memory the kernel has
// faulted in already. Blocks start at 256 KiB and double, up to 4 MiB,
// each time a generation outgrows one, so that a small search faults in
// little.
class KeyStore {
 public:
  // Starts the next generation (the first is 0); Copy() writes into it.
  uint32_t Begin() {
    gens_.emplace_back();
    used_ = kBlock;  // no room left: the first Copy() takes a block
    return current();
  }
  uint32_t current() const {
    return first_ + static_cast<uint32_t>(gens_.size()) - 1;
  }
  // `key`, kept until its generation is released.
  std::string_view Copy(std::string_view key) {
    std::vector<HugeBuffer>& blocks = gens_.back();
    if (blocks.empty() || blocks.back().size() - used_ < key.size()) {
      if (!blocks.empty()) next_ = std::min(2 * next_, kBlock);
      blocks.push_back(Take(key.size()));
      used_ = 0;
    }
    char* at = blocks.back().data() + used_;
    std::memcpy(at, key.data(), key.size());
    used_ += key.size();
    return {at, key.size()};
  }
  // Every generation before `oldest` is no longer referred to: its blocks
  // go back to the pool.
  void Release(uint32_t oldest) {
    while (first_ < oldest && gens_.size() > 1) {
      for (HugeBuffer& b : gens_.front()) {
        if (b.size() >= next_) pool_.push_back(std::move(b));
      }
      gens_.pop_front();
      ++first_;
    }
  }

 private:
  static constexpr size_t kBlock = size_t{4} << 20;
  // A pooled block of at least the current size and `need`, or a new one.
  HugeBuffer Take(size_t need) {
    const size_t size = std::max(next_, need);
    for (size_t i = pool_.size(); i-- > 0;) {
      if (pool_[i].size() < size) continue;
      HugeBuffer b = std::move(pool_[i]);
      pool_.erase(pool_.begin() + static_cast<std::ptrdiff_t>(i));
      return b;
    }
    return HugeBuffer(size, /*huge=*/false);
  }

  std::deque<std::vector<HugeBuffer>> gens_;  // generations first_, ...
  uint32_t first_ = 0;
  size_t used_ = 0;  // bytes used in the last block of the last generation
  std::vector<HugeBuffer> pool_;
  size_t next_ = size_t{256} << 10;  // the size of the next new block
};

class Frontier {
 public:
  struct Entry {
    std::string_view key;  // its key, but for the faults
    uint32_t gen;          // the key's generation in the KeyStore
    uint32_t node;
    model::Faults faults;     // its faults (the key's may be others)
    model::Fingerprint rest;  // its fingerprint without the faults
  };

  // A state whose key is `key` (copied into `store`'s current generation).
  void Add(KeyStore& store, uint32_t node, std::string_view key,
           const model::Fingerprint& rest, const model::Faults& faults) {
    entries_.push_back(
        Entry{store.Copy(key), store.current(), node, faults, rest});
  }
  // A state whose key is `sibling`'s but for the faults (`rest` is then
  // the sibling's).
  void AddSibling(uint32_t node, const Entry& sibling,
                  const model::Faults& faults) {
    entries_.push_back(
        Entry{sibling.key, sibling.gen, node, faults, sibling.rest});
  }
  const Entry& operator[](size_t i) const { return entries_[i]; }
  size_t size() const { return entries_.size(); }
  void Clear() { entries_.clear(); }
  // The oldest generation an entry's key is in.
  uint32_t OldestKey() const {
    uint32_t oldest = UINT32_MAX;
    for (size_t i = 0; i < entries_.size(); ++i)
      oldest = std::min(oldest, entries_[i].gen);
    return oldest;
  }

 private:
  ChunkedVector<Entry> entries_;
};

}  // namespace dsifuzz

#endif  // DSIFUZZ_TOOLS_EXPLORE_FRONTIER_H_
