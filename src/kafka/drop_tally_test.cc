#include "kafka/drop_tally.h"

#include <gtest/gtest.h>

namespace logan {
namespace {

TEST(DropTallyTest, SaysOnceWhenARunOfDropsStarts) {
  DropTally t(10000);
  EXPECT_TRUE(t.dropped(5, 0));
  EXPECT_FALSE(t.dropped(3, 1));
  EXPECT_FALSE(t.dropped(1, 2));
  t.accepted();
  EXPECT_FALSE(t.dropped(2, 3));  // a new run at once: its start is not said again
  t.accepted();
  EXPECT_TRUE(t.dropped(2, 10000));  // a new run an interval later is
  EXPECT_EQ(t.total(), 13u);
}

TEST(DropTallyTest, SummariesComeAtMostEveryIntervalAndOnlyWithNewDrops) {
  DropTally t(10000);
  EXPECT_EQ(t.summary_due(50000), std::nullopt);  // nothing dropped
  t.dropped(5, 1000);
  EXPECT_EQ(t.summary_due(1000), std::nullopt);   // the start was just announced
  EXPECT_EQ(t.summary_due(10999), std::nullopt);
  EXPECT_EQ(t.summary_due(11000), 5u);
  EXPECT_EQ(t.summary_due(30000), std::nullopt);  // nothing new since
  t.dropped(4, 30000);
  EXPECT_EQ(t.summary_due(30001), 9u);            // the period since the last summary passed
  t.dropped(1, 30002);
  EXPECT_EQ(t.summary_due(35000), std::nullopt);
  EXPECT_EQ(t.summary_due(40001), 10u);
}

TEST(DropTallyTest, ANewRunAfterQuietTimeWaitsAFullIntervalForItsSummary) {
  DropTally t(10000);
  t.dropped(1, 0);
  EXPECT_EQ(t.summary_due(10000), 1u);
  t.accepted();
  EXPECT_TRUE(t.dropped(2, 100000));  // announced; the summary comes an interval later
  EXPECT_EQ(t.summary_due(100001), std::nullopt);
  EXPECT_EQ(t.summary_due(110000), 3u);
}

}  // namespace
}  // namespace logan
