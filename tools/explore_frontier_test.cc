// The explorer's frontier and key store (tools/explore_frontier.h), and the
// transition cache's keys for transitions that call armed fault sites.
#include "tools/explore_frontier.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tools/explore_states.h"

namespace dsifuzz {
namespace {

std::string KeyOf(int i, size_t size) {
  std::string k(size, '\0');
  for (size_t j = 0; j < size; ++j) k[j] = static_cast<char>(i * 31 + j);
  return k;
}

// Keys stay as written while their generation is kept, across blocks; a
// released generation's blocks hold the keys of later ones.
TEST(KeyStore, KeepsKeysUntilReleasedThenReusesTheirBlocks) {
  KeyStore store;
  EXPECT_EQ(store.Begin(), 0u);
  std::vector<std::string_view> gen0;
  // More than one 4 MiB block.
  for (int i = 0; i < 7000; ++i) gen0.push_back(store.Copy(KeyOf(i, 1000)));
  EXPECT_EQ(store.Begin(), 1u);
  const std::string_view first1 = store.Copy(KeyOf(-1, 1000));
  for (int i = 0; i < 7000; ++i) EXPECT_EQ(gen0[i], KeyOf(i, 1000)) << i;
  EXPECT_EQ(first1, KeyOf(-1, 1000));
  // Generation 0 released: generation 2 writes into its blocks.
  store.Release(1);
  EXPECT_EQ(store.Begin(), 2u);
  const std::string_view reused = store.Copy(KeyOf(5, 1000));
  bool in_old_block = false;
  for (const std::string_view k : gen0)
    in_old_block |= k.data() == reused.data();
  EXPECT_TRUE(in_old_block);
  EXPECT_EQ(first1, KeyOf(-1, 1000));  // generation 1 is still there
  // A key longer than a block has a block of its own.
  const std::string big = KeyOf(9, size_t{5} << 20);
  EXPECT_EQ(store.Copy(big), big);
}

TEST(KeyStore, NeverReleasesTheCurrentGeneration) {
  KeyStore store;
  store.Begin();
  const std::string_view k = store.Copy("key");
  store.Release(100);
  EXPECT_EQ(store.current(), 0u);
  EXPECT_EQ(k, "key");
}

// A state that armed a fault in place shares its parent's key, with its
// own faults and the parent's rest; the oldest generation referred to is
// the parent's.
TEST(Frontier, SiblingsShareTheirKeyAndKeepItsGeneration) {
  KeyStore store;
  Frontier frontier, next;
  store.Begin();
  model::Faults none;
  const model::Fingerprint rest{1, 2};
  frontier.Add(store, 7, "parent", rest, none);
  store.Begin();
  model::Faults armed;
  armed.devres = 1;
  next.AddSibling(8, frontier[0], armed);
  next.Add(store, 9, "other", model::Fingerprint{3, 4}, none);
  ASSERT_EQ(next.size(), 2u);
  EXPECT_EQ(next[0].key.data(), frontier[0].key.data());
  EXPECT_EQ(next[0].node, 8u);
  EXPECT_EQ(next[0].faults, armed);
  EXPECT_EQ(next[0].rest, rest);
  EXPECT_EQ(next[0].gen, 0u);
  EXPECT_EQ(next[1].gen, 1u);
  EXPECT_EQ(next[1].key, "other");
  EXPECT_EQ(next.OldestKey(), 0u);
  frontier.Clear();
  EXPECT_EQ(frontier.size(), 0u);
}

// The cache's key for a transition that calls armed sites depends on the
// countdowns at the sites the fault-free transition calls, and on nothing
// else of the faults; it is never a fault-free transition's key.
TEST(TransitionCache, ArmedKeysDependOnTheCountdownsAtTheSitesCalled) {
  const model::Fingerprint rest{11, 22};
  const model::Event bind{model::EventKind::kBind, 1, 1};
  const model::Fingerprint from = TransitionCache::From(rest, bind);
  model::Faults a;
  a.kzalloc = 1;
  model::Faults b = a;
  b.attach = 1;  // a site the transition does not call
  const uint8_t sites = 1 << static_cast<int>(model::FaultSite::kKzalloc) |
                        1 << static_cast<int>(model::FaultSite::kDevres);
  EXPECT_EQ(TransitionCache::Armed(from, a, sites),
            TransitionCache::Armed(from, b, sites));
  model::Faults c = a;
  c.devres = 1;  // one it calls
  EXPECT_FALSE(TransitionCache::Armed(from, a, sites) ==
               TransitionCache::Armed(from, c, sites));
  EXPECT_FALSE(TransitionCache::Armed(from, a, sites) == from);
  // After the transition: the sites called take the countdowns it left,
  // the others keep the sibling's.
  model::Faults after = c;
  after.kzalloc = 0;  // kzalloc fired; devres was not called
  uint16_t packed = 0;
  ASSERT_TRUE(TransitionCache::PackAfter(after, sites, &packed));
  EXPECT_EQ(packed, 0x10);
  const model::Faults merged = TransitionCache::Merge(b, sites, packed);
  EXPECT_EQ(merged.kzalloc, 0);
  EXPECT_EQ(merged.devres, 1);
  EXPECT_EQ(merged.attach, 1);
  EXPECT_EQ(TransitionCache::PackFaults(c, sites), uint64_t{0x10001});
  // A countdown past 4 bits is not kept.
  model::Faults big;
  big.kzalloc = 16;
  EXPECT_FALSE(TransitionCache::PackAfter(big, sites, &packed));
}

}  // namespace
}  // namespace dsifuzz
