// The blocks of transitions of states with no fault armed
// (tools/explore_siblings.h).
#include "tools/explore_siblings.h"

#include <vector>

#include "gtest/gtest.h"

namespace dsifuzz {
namespace {

model::Fingerprint Rest(uint64_t i) { return {i * 0x9E3779B97F4A7C15ULL, ~i}; }

std::vector<SiblingBlocks::Transition> BlockOf(uint64_t i, size_t n) {
  std::vector<SiblingBlocks::Transition> b(n);
  for (size_t k = 0; k < n; ++k) {
    b[k].event = static_cast<uint32_t>(1000 * i + k);
    b[k].sites_called = (i + k) & 0xF;
    b[k].site_order = static_cast<uint8_t>(i * 7 + k);
    b[k].valid = k % 2;
  }
  return b;
}

void ExpectBlock(const SiblingBlocks& blocks, uint64_t i, size_t n) {
  const auto found = blocks.Find(Rest(i));
  ASSERT_EQ(found.size(), n) << i;
  const auto want = BlockOf(i, n);
  for (size_t k = 0; k < n; ++k) {
    EXPECT_EQ(found[k].event, want[k].event) << i << " " << k;
    EXPECT_EQ(found[k].sites_called, want[k].sites_called);
    EXPECT_EQ(found[k].site_order, want[k].site_order);
    EXPECT_EQ(found[k].valid, want[k].valid);
  }
}

// Blocks of many sizes come back whole, after the index and the arena
// grew past their first sizes; a rest never put has none.
TEST(SiblingBlocks, FindsEveryBlockPutAcrossGrowth) {
  SiblingBlocks blocks(20);
  for (uint64_t i = 1; i <= 20000; ++i) blocks.Put(Rest(i), BlockOf(i, i % 13));
  for (uint64_t i = 1; i <= 20000; ++i) ExpectBlock(blocks, i, i % 13);
  EXPECT_TRUE(blocks.Find(Rest(20001)).empty());
  // A rest whose low word is 0 is kept too (0 marks an empty slot).
  blocks.Put({0, 7}, BlockOf(3, 2));
  ASSERT_EQ(blocks.Find({0, 7}).size(), 2u);
  EXPECT_TRUE(blocks.Find({0, 8}).empty());
}

// A full young generation becomes the old one, still found; the one
// before it is dropped. A block bigger than a chunk is not kept.
TEST(SiblingBlocks, KeepsTwoGenerations) {
  SiblingBlocks blocks(6);  // an index of 16 blocks, 11 used at most
  for (uint64_t i = 1; i <= 11; ++i) blocks.Put(Rest(i), BlockOf(i, 8));
  // The first generation is full; 12 starts the second.
  for (uint64_t i = 12; i <= 22; ++i) blocks.Put(Rest(i), BlockOf(i, 8));
  for (uint64_t i = 1; i <= 22; ++i) ExpectBlock(blocks, i, 8);
  blocks.Put(Rest(23), BlockOf(23, 8));  // a third: the first is dropped
  for (uint64_t i = 1; i <= 11; ++i) EXPECT_TRUE(blocks.Find(Rest(i)).empty());
  for (uint64_t i = 12; i <= 23; ++i) ExpectBlock(blocks, i, 8);
  blocks.Put(Rest(24), BlockOf(24, (size_t{1} << 18) + 1));
  EXPECT_TRUE(blocks.Find(Rest(24)).empty());
  ExpectBlock(blocks, 23, 8);
}

// Blocks fill chunk after chunk, and a generation cleared writes its
// chunks again: the blocks kept after it are those put since.
TEST(SiblingBlocks, FillsChunksAndReusesThemAfterAClear) {
  SiblingBlocks blocks(20);  // 4 chunks of 2^18 transitions a generation
  uint64_t i = 1;
  // About three generations of 1000-transition blocks.
  for (; i <= 2800; ++i) blocks.Put(Rest(i), BlockOf(i, 1000));
  size_t kept = 0;
  for (uint64_t k = 1; k < i; ++k) {
    const auto found = blocks.Find(Rest(k));
    if (found.empty()) continue;
    ++kept;
    ExpectBlock(blocks, k, 1000);
  }
  // Two generations of 4 chunks, 262 blocks a chunk: at most 2096, at
  // least the last full generation and one block.
  EXPECT_LE(kept, 2096u);
  EXPECT_GE(kept, 1049u);
  ExpectBlock(blocks, 2800, 1000);
}

}  // namespace
}  // namespace dsifuzz
