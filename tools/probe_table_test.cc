// Tables that double in place (tools/probe_table.h) and the memory they
// grow in (tools/zeroed_array.h).
#include "tools/probe_table.h"

#include <cstdint>
#include <random>
#include <set>

#include "gtest/gtest.h"

namespace dsifuzz {
namespace {

struct Entry {
  uint64_t key = 0;  // 0: unused
  uint64_t home = 0;
};
bool Used(const Entry& e) { return e.key != 0; }
uint64_t Home(const Entry& e) { return e.home; }

void Insert(ZeroedArray<Entry>& t, const Entry& e) {
  size_t i = e.home & (t.size() - 1);
  while (Used(t[i])) i = (i + 1) & (t.size() - 1);
  t[i] = e;
}
// Where a lookup of `e` stops: at e, or at an unused entry.
bool Found(const ZeroedArray<Entry>& t, const Entry& e) {
  size_t i = e.home & (t.size() - 1);
  for (; Used(t[i]); i = (i + 1) & (t.size() - 1)) {
    if (t[i].key == e.key) return true;
  }
  return false;
}

// Runs of entries with few homes, some of them at the end of the table
// (runs that wrap to its start), doubled again and again in place or into
// a new table (without a reservation, once past the first page): each
// entry is found after each doubling, once.
void CheckDoubling(size_t reserve) {
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    std::mt19937_64 rng(seed);
    ZeroedArray<Entry> t(16, /*huge=*/false, reserve);
    std::vector<Entry> in;
    uint64_t next_key = 1;
    for (int round = 0; round < 8; ++round) {
      // Up to 70% full, homes bunched (a few distinct ones, most near the
      // end of the table).
      while (10 * (in.size() + 1) <= 7 * t.size()) {
        const uint64_t spread = rng() % 4 == 0 ? rng() : rng() % 5;
        const Entry e{next_key++, (t.size() - 3 + spread) ^ (rng() % 3) << 40};
        Insert(t, e);
        in.push_back(e);
      }
      const Entry* before = &t[0];
      const size_t size = t.size();
      DoubleTable(t, /*huge=*/false, Used, Home);
      ASSERT_EQ(t.size(), 2 * size);
      if (reserve >= t.size()) {
        EXPECT_EQ(&t[0], before) << "not in place";
      }
      std::set<uint64_t> keys;
      for (const Entry& e : t) {
        if (Used(e)) {
          EXPECT_TRUE(keys.insert(e.key).second) << e.key;
        }
      }
      EXPECT_EQ(keys.size(), in.size());
      for (const Entry& e : in)
        ASSERT_TRUE(Found(t, e)) << "seed " << seed << " key " << e.key;
    }
  }
}

TEST(DoubleTable, EveryEntryFoundAfterDoublingInPlace) {
  CheckDoubling(/*reserve=*/size_t{1} << 16);
}

TEST(DoubleTable, EveryEntryFoundAfterDoublingIntoANewTable) {
  CheckDoubling(/*reserve=*/0);
}

// Growing within the reservation keeps the bytes and their place, and
// adds zero bytes; past it, nothing changes.
TEST(HugeBuffer, GrowsInPlaceWithinItsReservation) {
  HugeBuffer b(5000, /*huge=*/true, /*reserve=*/size_t{8} << 20);
  char* const at = b.data();
  for (size_t i = 0; i < 5000; ++i) at[i] = static_cast<char>(i % 251 + 1);
  ASSERT_TRUE(b.Grow(size_t{3} << 20));
  EXPECT_EQ(b.data(), at);
  EXPECT_EQ(b.size(), size_t{3} << 20);
  for (size_t i = 0; i < 5000; ++i)
    ASSERT_EQ(at[i], static_cast<char>(i % 251 + 1)) << i;
  for (size_t i = 5000; i < b.size(); i += 4093) ASSERT_EQ(at[i], 0) << i;
  at[b.size() - 1] = 1;  // writable to its end
  EXPECT_FALSE(b.Grow(size_t{9} << 20));
  EXPECT_EQ(b.size(), size_t{3} << 20);
  EXPECT_EQ(b.data(), at);
}

}  // namespace
}  // namespace dsifuzz
