#include "tools/explore_siblings.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "tools/probe_table.h"

namespace dsifuzz {
namespace {
// Where an index starts: small searches fault in little.
constexpr size_t kFirstBlocks = size_t{1} << 12;
}  // namespace

SiblingBlocks::SiblingBlocks(int max_log2)
    : young_(size_t{1} << max_log2, size_t{1} << std::max(0, max_log2 - 2)),
      old_(size_t{1} << max_log2, size_t{1} << std::max(0, max_log2 - 2)) {}

void SiblingBlocks::Put(const model::Fingerprint& rest,
                        std::span<const Transition> block) {
  if (young_.Put(rest, block)) return;
  // The young generation is full: it becomes the old one.
  std::swap(young_, old_);
  young_.Clear();
  young_.Put(rest, block);
}

SiblingBlocks::Generation::Generation(size_t max_transitions, size_t max_blocks)
    : index_(std::min(kFirstBlocks, std::max<size_t>(max_blocks, 1)), kHuge,
             std::max<size_t>(max_blocks, 1)),
      max_chunks_(std::max<size_t>(max_transitions >> kChunkLog2, 1)),
      max_blocks_(std::max<size_t>(max_blocks, 1)) {}

size_t SiblingBlocks::Generation::Probe(const model::Fingerprint& key) const {
  const size_t mask = index_.size() - 1;
  size_t i = key.lo & mask;
  while (index_[i].rest.lo != 0 && !(index_[i].rest == key)) i = (i + 1) & mask;
  return i;
}

std::span<const SiblingBlocks::Transition> SiblingBlocks::Generation::Find(
    const model::Fingerprint& rest) const {
  if (blocks_ == 0) return {};
  const Slot& s = index_[Probe(Key(rest))];
  if (s.rest.lo == 0 || s.n == 0) return {};
  return {&chunks_[s.at >> kChunkLog2][s.at & (kChunk - 1)], s.n};
}

bool SiblingBlocks::Generation::Reserve(size_t n) {
  if (n > kChunk) return false;
  if (!chunks_.empty() && used_ + n <= kChunk) return true;
  // The next chunk: one kept from before the last Clear(), or a new one.
  const size_t next = chunks_.empty() ? 0 : chunk_ + 1;
  if (next >= max_chunks_) return false;
  if (next == chunks_.size()) chunks_.emplace_back(kChunk, kHuge);
  chunk_ = next;
  used_ = 0;
  return true;
}

bool SiblingBlocks::Generation::Put(const model::Fingerprint& rest,
                                    std::span<const Transition> b) {
  if (!Reserve(b.size())) return false;
  const model::Fingerprint key = Key(rest);
  size_t i = Probe(key);
  if (index_[i].rest.lo == 0) {
    // At most 70% full: linear probing stays short.
    if (10 * (blocks_ + 1) > 7 * index_.size()) {
      if (index_.size() >= max_blocks_) return false;
      DoubleTable(
          index_, kHuge, [](const Slot& s) { return s.rest.lo != 0; },
          [](const Slot& s) { return s.rest.lo; });
      i = Probe(key);
    }
    ++blocks_;
  }
  // A block kept again (it is not: a state is expanded once) leaves the
  // first in the arena, unused.
  if (!b.empty())
    std::memcpy(static_cast<void*>(&chunks_[chunk_][used_]), b.data(),
                b.size() * sizeof(Transition));
  index_[i] = Slot{key, chunk_ << kChunkLog2 | used_,
                   static_cast<uint32_t>(b.size()), 0};
  used_ += b.size();
  return true;
}

void SiblingBlocks::Generation::Clear() {
  index_.Clear();
  blocks_ = 0;
  // Its chunks are written over from the first.
  chunk_ = 0;
  used_ = 0;
}

}  // namespace dsifuzz
