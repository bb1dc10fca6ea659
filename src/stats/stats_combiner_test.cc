// Tests for StatsCombiner: newest per instance wins, instances merge, jobs stay apart.
#include "stats/stats_combiner.h"

#include <gtest/gtest.h>

namespace logan {
namespace {

StatsMessage message(StatsMessage::Kind kind, const std::string& instance, int64_t start,
                     uint64_t invalid_lines, const std::string& job = "web") {
  StatsMessage m;
  m.kind = kind;
  m.job = job;
  m.instance = instance;
  m.window_start_ms = start;
  m.window_end_ms = start + 1000;
  m.stats.add_invalid_unsampled(invalid_lines);
  return m;
}

constexpr auto kWindow = StatsMessage::Kind::kWindow;
constexpr auto kTotal = StatsMessage::Kind::kTotal;

TEST(StatsCombinerTest, TheNewestOfEachInstanceIsMergedWithTheOthers) {
  StatsCombiner c;
  c.add(message(kTotal, "a", 0, 5));
  c.add(message(kTotal, "b", 0, 7));
  c.add(message(kTotal, "a", 0, 9));  // a's newer total replaces its older one
  c.add(message(kWindow, "a", 0, 2));
  c.add(message(kWindow, "b", 0, 3));
  c.add(message(kWindow, "a", 1000, 4));
  c.add(message(kWindow, "a", 0, 6));  // republished after a restart: replaces
  c.add(message(kTotal, "z", 0, 100, "other job"));
  StatsMessage last = message(kWindow, "b", 1000, 1);  // b's final window, ended early
  last.window_end_ms = 1400;
  c.add(last);
  EXPECT_EQ(c.jobs(), (std::vector<std::string>{"other job", "web"}));
  EXPECT_EQ(c.instances("web"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(c.total("web").total_lines(), 16u);
  auto w = c.windows("web");
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0].start_ms, 0);
  EXPECT_EQ(w[0].instances, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(w[0].stats.total_lines(), 9u);
  EXPECT_EQ(w[1].start_ms, 1000);
  EXPECT_EQ(w[1].end_ms, 2000);
  EXPECT_EQ(w[1].instances, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(w[1].stats.total_lines(), 5u);
  EXPECT_EQ(c.total("nobody").total_lines(), 0u);
}

}  // namespace
}  // namespace logan
