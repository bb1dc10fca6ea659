// Tests for partial files: round trip, and refusal of foreign, truncated and corrupt files.
#include "stats/partial_state.h"

#include <gtest/gtest.h>

namespace logan {
namespace {

PartialState some_partial() {
  PartialState p;
  p.inputs = 3;
  p.stats.add_invalid(2, 7, "c.log", "junk");
  p.stats.add_invalid_unsampled(4);
  return p;
}

TEST(PartialStateTest, RoundTrip) {
  PartialState p = some_partial();
  auto back = decode_partial(encode_partial(p));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->inputs, 3u);
  EXPECT_EQ(back->stats, p.stats);
}

TEST(PartialStateTest, RefusesBadFiles) {
  std::string good = encode_partial(some_partial());
  EXPECT_NE(decode_partial("plain text, not a partial").error().message.find("not a logan partial"),
            std::string::npos);
  EXPECT_NE(decode_partial(good.substr(0, good.size() - 3)).error().message.find("corrupt"),
            std::string::npos);
  for (size_t at = 8; at < good.size(); at += 5) {
    std::string bad = good;
    bad[at] = static_cast<char>(bad[at] ^ 1);
    EXPECT_FALSE(decode_partial(bad).ok()) << at;
  }
  std::string stats_only;
  some_partial().stats.serialize(stats_only);
  EXPECT_FALSE(decode_partial(stats_only).ok());
}

TEST(PartialStateTest, ShiftKeepsRunOrder) {
  AccessStats a, b;
  a.add_invalid(0, 5, "a.log", "x");
  b.add_invalid(0, 1, "b.log", "y");
  b.shift_sample_inputs(1);
  a.merge(b);
  ASSERT_EQ(a.invalid_samples().size(), 2u);
  EXPECT_EQ(a.invalid_samples()[0].source, "a.log");
  EXPECT_EQ(a.invalid_samples()[1].source, "b.log");
}

}  // namespace
}  // namespace logan
