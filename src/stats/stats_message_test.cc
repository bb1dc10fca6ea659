// Tests for statistics messages: round trip, and refusal of foreign, truncated and corrupt ones.
#include "stats/stats_message.h"

#include <gtest/gtest.h>

#include "stats/serial.h"

namespace logan {
namespace {

StatsMessage some_message() {
  StatsMessage m;
  m.kind = StatsMessage::Kind::kTotal;
  m.job = "web";
  m.instance = "host-2";
  m.window_start_ms = -5;
  m.window_end_ms = 1'700'000'000'000;
  m.final = true;
  m.sequence = 42;
  m.published_ms = 1'700'000'000'123;
  m.stats.add_invalid(0, 7, "kafka://b/logs[3]", "junk");
  m.stats.add_invalid_unsampled(4);
  return m;
}

TEST(StatsMessageTest, RoundTrip) {
  StatsMessage m = some_message();
  auto back = decode_stats_message(encode_stats_message(m));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->kind, m.kind);
  EXPECT_EQ(back->job, "web");
  EXPECT_EQ(back->instance, "host-2");
  EXPECT_EQ(back->window_start_ms, -5);
  EXPECT_EQ(back->window_end_ms, m.window_end_ms);
  EXPECT_TRUE(back->final);
  EXPECT_EQ(back->sequence, 42u);
  EXPECT_EQ(back->published_ms, m.published_ms);
  EXPECT_EQ(back->stats, m.stats);
  EXPECT_EQ(back->checkpoint, "");
  m.checkpoint = std::string("LOGANCK\x01 a checkpoint\0with a zero", 33);
  auto with_checkpoint = decode_stats_message(encode_stats_message(m));
  ASSERT_TRUE(with_checkpoint.ok()) << with_checkpoint.error().message;
  EXPECT_EQ(with_checkpoint->checkpoint, m.checkpoint);
}

TEST(StatsMessageTest, VersionOneMessagesAreStillRead) {
  // Version 1 is version 2 without the checkpoint field (one byte when empty).
  std::string v2 = encode_stats_message(some_message());
  std::string v1 = v2.substr(0, v2.size() - 5);
  ASSERT_EQ(v1[8], 2);
  v1[8] = 1;
  append_checksum(v1, 0);
  auto back = decode_stats_message(v1);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->stats, some_message().stats);
  EXPECT_EQ(back->checkpoint, "");
}

TEST(StatsMessageTest, RefusesBadMessages) {
  std::string good = encode_stats_message(some_message());
  EXPECT_NE(decode_stats_message("a log line").error().message.find("not a logan statistics message"),
            std::string::npos);
  EXPECT_NE(decode_stats_message(good.substr(0, good.size() - 3)).error().message.find("corrupt"),
            std::string::npos);
  for (size_t at = 8; at < good.size(); at += 3) {
    std::string bad = good;
    bad[at] = static_cast<char>(bad[at] ^ 1);
    EXPECT_FALSE(decode_stats_message(bad).ok()) << at;
  }
}

}  // namespace
}  // namespace logan
