#include "stream/windower.h"

#include <gtest/gtest.h>

namespace logan {
namespace {

void add(AccessStats& s, int64_t time_s = LogRecord::kNoTime, std::string_view client = "192.0.2.1") {
  LogRecord r;
  r.client = client;
  r.status = 200;
  r.size = 10;
  r.time = time_s;
  s.add_parsed(r);
}

// Event time: adds a line logged at `ms` where the windower says; late ones into the total.
void add_at(Windower& w, int64_t ms) {
  LogRecord r;
  r.client = "198.51.100.7";
  r.status = 200;
  r.size = 1;
  r.time = ms / 1000;
  if (AccessStats* pane = w.pane_for(ms)) {
    pane->add_parsed(r);
  } else {
    w.total().add_parsed(r);
  }
}

TEST(WindowerTest, ProcessingTimePanesCloseAtMultiplesOfTheSlide) {
  Windower w({/*window_ms=*/3000, /*slide_ms=*/1000, false, 0});
  w.start(10'500);
  EXPECT_EQ(w.next_tick_ms(), 11'000);
  add(w.open_pane());
  EXPECT_TRUE(w.advance(10'900, false).empty());
  auto out = w.advance(11'000, false);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].start_ms, 8'000);
  EXPECT_EQ(out[0].end_ms, 11'000);
  EXPECT_EQ(out[0].stats.total_lines(), 1u);
  EXPECT_EQ(w.total().total_lines(), 1u);
  EXPECT_EQ(w.next_tick_ms(), 12'000);
}

TEST(WindowerTest, ProcessingTimeWindowCoversItsPanesOnly) {
  Windower w({3000, 1000, false, 0});
  w.start(0);
  std::vector<uint64_t> window_lines;
  for (int second = 1; second <= 6; ++second) {
    for (int i = 0; i < second; ++i) add(w.open_pane());  // pane k holds k lines
    auto out = w.advance(second * 1000, false);
    ASSERT_EQ(out.size(), 1u);
    window_lines.push_back(out[0].stats.total_lines());
  }
  // Windows of three panes: 1, 1+2, 1+2+3, 2+3+4, 3+4+5, 4+5+6.
  EXPECT_EQ(window_lines, (std::vector<uint64_t>{1, 3, 6, 9, 12, 15}));
  EXPECT_EQ(w.total().total_lines(), 21u);
}

TEST(WindowerTest, ProcessingTimeSkipsStalledSlidesWithOneWindow) {
  Windower w({2000, 1000, false, 0});
  w.start(0);
  add(w.open_pane());
  auto out = w.advance(5'500, false);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].end_ms, 1'000);
  EXPECT_EQ(w.next_tick_ms(), 6'000);
  add(w.open_pane());
  out = w.advance(6'000, false);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].stats.total_lines(), 1u);  // the old pane has left the window
  EXPECT_EQ(w.total().total_lines(), 2u);
}

TEST(WindowerTest, ProcessingTimeFinalWindowEndsNowAndHoldsTheOpenPane) {
  Windower w({2000, 1000, false, 0});
  w.start(0);
  add(w.open_pane());
  auto out = w.advance(400, true);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].final);
  EXPECT_EQ(out[0].end_ms, 400);
  EXPECT_EQ(out[0].stats.total_lines(), 1u);
  EXPECT_EQ(w.total().total_lines(), 1u);
}

TEST(WindowerTest, EventTimeWindowsFireWhenTheWatermarkPassesTheirEnd) {
  Windower w({10'000, 5'000, true, 0});
  add_at(w, 1'000);
  add_at(w, 4'000);
  EXPECT_TRUE(w.advance(0, false).empty());
  add_at(w, 6'000);  // watermark 6s: the window ending at 5s is complete
  auto out = w.advance(0, false);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].start_ms, -5'000);
  EXPECT_EQ(out[0].end_ms, 5'000);
  EXPECT_EQ(out[0].stats.total_lines(), 2u);
  EXPECT_EQ(w.total().total_lines(), 2u);
  EXPECT_EQ(w.pending_lines(), 1u);
  add_at(w, 12'000);
  out = w.advance(0, false);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].end_ms, 10'000);
  EXPECT_EQ(out[0].stats.total_lines(), 3u);  // [0s, 10s)
}

TEST(WindowerTest, EventTimeLateLinesGoToTheTotalOnly) {
  Windower w({5'000, 5'000, true, 2'000});
  add_at(w, 1'000);
  add_at(w, 7'500);  // watermark 5.5s: [0, 5s) fires
  auto out = w.advance(0, false);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].stats.total_lines(), 1u);
  add_at(w, 4'000);  // its window has been published: late
  add_at(w, 6'000);  // within lateness: still on time
  EXPECT_EQ(w.late_lines(), 1u);
  out = w.advance(0, true);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].final);
  EXPECT_EQ(out[0].stats.total_lines(), 2u);  // 6.0s and 7.5s
  EXPECT_EQ(w.total().total_lines(), 4u);
}

TEST(WindowerTest, EventTimeAllowedLatenessDelaysWindows) {
  Windower w({5'000, 5'000, true, 3'000});
  add_at(w, 1'000);
  add_at(w, 7'000);  // watermark 4s: nothing yet
  EXPECT_TRUE(w.advance(0, false).empty());
  add_at(w, 3'000);  // on time
  add_at(w, 8'500);  // watermark 5.5s
  auto out = w.advance(0, false);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].stats.total_lines(), 2u);
  EXPECT_EQ(w.late_lines(), 0u);
}

TEST(WindowerTest, EventTimeSkipsEmptyWindowsAcrossAGap) {
  Windower w({10'000, 5'000, true, 0});
  add_at(w, 1'000);
  add_at(w, 86'400'000);  // a day later
  auto out = w.advance(0, false);
  // Windows holding the first line: ending at 5s and 10s. Nothing for the day between.
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].end_ms, 5'000);
  EXPECT_EQ(out[1].end_ms, 10'000);
  out = w.advance(0, true);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].end_ms, 86'405'000);
  EXPECT_EQ(out[1].end_ms, 86'410'000);
  EXPECT_TRUE(out[1].final);
  EXPECT_EQ(w.total().total_lines(), 2u);
}

TEST(WindowerTest, EventTimeFinalWithoutLinesStillGivesOneResult) {
  Windower w({10'000, 5'000, true, 0});
  auto out = w.advance(0, true);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].final);
  EXPECT_EQ(out[0].stats.total_lines(), 0u);
}

TEST(WindowerTest, StateSurvivesSerializeAndRestore) {
  Windower w({3000, 1000, false, 0});
  w.start(0);
  add(w.open_pane());
  w.advance(1000, false);
  add(w.open_pane());
  add(w.open_pane());
  std::string bytes;
  w.serialize(bytes);

  Windower back({3000, 1000, false, 0});
  bool dropped = true;
  ASSERT_TRUE(back.restore(bytes, dropped));
  EXPECT_FALSE(dropped);
  EXPECT_EQ(back.total().total_lines(), 1u);
  EXPECT_EQ(back.next_tick_ms(), 2000);
  auto out = back.advance(2000, false);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].stats.total_lines(), 3u);
  EXPECT_EQ(back.total().total_lines(), 3u);
}

TEST(WindowerTest, RestoreWithAnotherSlideFoldsTheOpenPaneIntoTheTotal) {
  Windower w({3000, 1000, false, 0});
  w.start(0);
  add(w.open_pane());
  w.advance(1000, false);
  add(w.open_pane());
  std::string bytes;
  w.serialize(bytes);
  Windower other({10'000, 5'000, false, 0});
  bool dropped = false;
  ASSERT_TRUE(other.restore(bytes, dropped));
  EXPECT_TRUE(dropped);
  EXPECT_EQ(other.total().total_lines(), 2u);  // each line once
}

TEST(WindowerTest, RestoreRefusesTheOtherTimeModeAndCorruptState) {
  Windower w({3000, 1000, false, 0});
  std::string bytes;
  w.serialize(bytes);
  Windower event({3000, 1000, true, 0});
  bool dropped = false;
  auto s = event.restore(bytes, dropped);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("--event-time"), std::string::npos);
  bytes[bytes.size() / 2] ^= 0x40;
  Windower again({3000, 1000, false, 0});
  EXPECT_FALSE(again.restore(bytes, dropped));
  EXPECT_FALSE(again.restore("nonsense", dropped));
}

}  // namespace
}  // namespace logan
