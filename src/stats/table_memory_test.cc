// Tests for the zero-filled table arrays (table_memory.h).
#include "stats/table_memory.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace logan {
namespace {

struct Pair {
  uint64_t a = 0;
  uint64_t b = 0;
};

TEST(TableMemoryTest, SmallArraysAreZeroAndWritable) {
  auto small = make_zeroed_array<Pair>(100);
  for (size_t i = 0; i < 100; ++i) {
    EXPECT_EQ(small[i].a, 0u);
    EXPECT_EQ(small[i].b, 0u);
    small[i].a = i;
  }
  EXPECT_EQ(small[99].a, 99u);
}

TEST(TableMemoryTest, LargeArraysAreZeroAlignedToHugePagesAndWritable) {
  const size_t n = (table_memory::kMappedFrom * 3) / sizeof(Pair) + 7;  // not a whole page
  auto large = make_zeroed_array<Pair>(n);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(large.get()) % table_memory::kHugePage, 0u);
  uint64_t sum = 0;
  for (size_t i = 0; i < n; i += 97) sum += large[i].a + large[i].b;
  EXPECT_EQ(sum, 0u);
  large[0].a = 1;
  large[n - 1].b = 2;  // the last element is inside the mapping
  EXPECT_EQ(large[0].a + large[n - 1].b, 3u);
}

TEST(TableMemoryTest, EmptyArrayIsNull) {
  auto none = make_zeroed_array<Pair>(0);
  EXPECT_EQ(none.get(), nullptr);
}

TEST(TableMemoryTest, ArraysMoveAndFreeOnce) {
  auto a = make_zeroed_array<Pair>(table_memory::kMappedFrom / sizeof(Pair));
  a[5].a = 5;
  ZeroedArray<Pair> b = std::move(a);
  EXPECT_EQ(a.get(), nullptr);
  EXPECT_EQ(b[5].a, 5u);
  b = make_zeroed_array<Pair>(10);  // frees the large one
  EXPECT_EQ(b[5].a, 0u);
}

}  // namespace
}  // namespace logan
