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

// A transition that calls armed sites is keyed by the first armed site in
// the order the fault-free transition calls them, and its countdown:
// siblings that differ only at sites called later share the key; the key
// is never a fault-free transition's.
TEST(TransitionCache, ArmedKeysFollowTheFirstArmedSiteCalled) {
  using model::FaultSite;
  const model::Fingerprint rest{11, 22};
  const model::Event bind{model::EventKind::kBind, 1, 1};
  const model::Fingerprint from = TransitionCache::From(rest, bind);
  // Called: devres first, then kzalloc, then attach.
  const uint8_t order = static_cast<int>(FaultSite::kDevres) |
                        static_cast<int>(FaultSite::kKzalloc) << 2 |
                        static_cast<int>(FaultSite::kAttach) << 4;
  const uint8_t sites = 1 << static_cast<int>(FaultSite::kDevres) |
                        1 << static_cast<int>(FaultSite::kKzalloc) |
                        1 << static_cast<int>(FaultSite::kAttach);
  model::Faults a;
  a.kzalloc = 1;
  model::Faults b = a;
  b.attach = 1;  // called after kzalloc
  model::Faults c;
  c.devres = 1;  // called before kzalloc
  uint8_t through = 0;
  EXPECT_EQ(TransitionCache::FirstArmed(order, sites, a, &through),
            static_cast<int>(FaultSite::kKzalloc));
  EXPECT_EQ(through, (1 << static_cast<int>(FaultSite::kDevres)) |
                         (1 << static_cast<int>(FaultSite::kKzalloc)));
  EXPECT_EQ(TransitionCache::FirstArmed(order, sites, b, &through),
            static_cast<int>(FaultSite::kKzalloc));
  EXPECT_EQ(TransitionCache::FirstArmed(order, sites, c, &through),
            static_cast<int>(FaultSite::kDevres));
  EXPECT_EQ(through, 1 << static_cast<int>(FaultSite::kDevres));
  model::Faults none;
  none.device_add = 1;  // a site the transition does not call
  EXPECT_EQ(TransitionCache::FirstArmed(order, sites, none, &through), -1);
  const auto kz = static_cast<int>(FaultSite::kKzalloc);
  EXPECT_EQ(TransitionCache::Armed(from, kz, 1),
            TransitionCache::Armed(from, kz, 1));
  EXPECT_FALSE(TransitionCache::Armed(from, kz, 1) ==
               TransitionCache::Armed(from, kz, 2));
  EXPECT_FALSE(
      TransitionCache::Armed(from, kz, 1) ==
      TransitionCache::Armed(from, static_cast<int>(FaultSite::kDevres), 1));
  EXPECT_FALSE(TransitionCache::Armed(from, kz, 1) == from);
  // After the transition: the sites called take the countdowns it left,
  // the others keep the sibling's.
  // b's run: devres called unarmed, kzalloc fires, attach never called.
  ASSERT_EQ(TransitionCache::FirstArmed(order, sites, b, &through), kz);
  model::Faults after;
  uint16_t packed = 0;
  ASSERT_TRUE(TransitionCache::PackAfter(after, through, &packed));
  EXPECT_EQ(packed, 0);
  model::Faults sibling = b;
  sibling.device_add = 1;  // lent to a sibling with another site armed too
  const model::Faults merged = TransitionCache::Merge(sibling, through, packed);
  EXPECT_EQ(merged.kzalloc, 0);
  EXPECT_EQ(merged.devres, 0);
  EXPECT_EQ(merged.attach, 1);  // not called: kept
  EXPECT_EQ(merged.device_add, 1);
  model::Faults d;
  d.kzalloc = 3;
  d.devres = 2;
  ASSERT_TRUE(TransitionCache::PackAfter(d, sites, &packed));
  EXPECT_EQ(packed, 0x23);
  // A countdown past 4 bits is not kept.
  model::Faults big;
  big.kzalloc = 16;
  EXPECT_FALSE(TransitionCache::PackAfter(big, sites, &packed));
}

}  // namespace
}  // namespace dsifuzz
