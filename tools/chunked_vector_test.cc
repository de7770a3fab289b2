// The explorer's vectors that grow by chunks (tools/chunked_vector.h).
#include "tools/chunked_vector.h"

#include <cstdint>

#include "gtest/gtest.h"

namespace dsifuzz {
namespace {

struct Item {
  uint64_t a = 0;
  uint32_t b = 0;
};

// Elements keep their values and their places as it grows past several
// chunks; cleared, it fills the same memory again.
TEST(ChunkedVector, ElementsNeverMoveAndChunksAreKept) {
  constexpr size_t kN = 3 * ChunkedVector<Item>::kChunk + 17;
  ChunkedVector<Item> v;
  for (size_t i = 0; i < kN; ++i)
    v.push_back(Item{i * 7, static_cast<uint32_t>(i)});
  ASSERT_EQ(v.size(), kN);
  const Item* first = &v[0];
  const Item* last = &v[kN - 1];
  for (size_t i = 0; i < kN; ++i) {
    ASSERT_EQ(v[i].a, i * 7) << i;
    ASSERT_EQ(v[i].b, i) << i;
  }
  v.clear();
  EXPECT_EQ(v.size(), 0u);
  for (size_t i = 0; i < kN; ++i) v.push_back(Item{i, 0});
  EXPECT_EQ(&v[0], first);
  EXPECT_EQ(&v[kN - 1], last);
  EXPECT_EQ(v[kN - 1].a, kN - 1);
  v[5].b = 9;
  EXPECT_EQ(v[5].b, 9u);
}

}  // namespace
}  // namespace dsifuzz
