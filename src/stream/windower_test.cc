#include "stream/windower.h"

#include <gtest/gtest.h>

namespace logan {
namespace {

// What a published window said, kept past the call (the window's state is not).
struct Seen {
  int64_t start_ms;
  int64_t end_ms;
  uint64_t lines;
  bool final;
};

std::vector<Seen> advance(Windower& w, int64_t now_ms, bool final) {
  std::vector<Seen> out;
  EXPECT_TRUE(w.advance(now_ms, final, [&](const WindowResult& r) {
    out.push_back({r.start_ms, r.end_ms, r.stats->total_lines(), r.final});
    return true;
  }));
  return out;
}

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
  EXPECT_TRUE(advance(w, 10'900, false).empty());
  auto out = advance(w, 11'000, false);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].start_ms, 8'000);
  EXPECT_EQ(out[0].end_ms, 11'000);
  EXPECT_EQ(out[0].lines, 1u);
  EXPECT_EQ(w.total().total_lines(), 1u);
  EXPECT_EQ(w.next_tick_ms(), 12'000);
}

TEST(WindowerTest, ProcessingTimeWindowCoversItsPanesOnly) {
  Windower w({3000, 1000, false, 0});
  w.start(0);
  std::vector<uint64_t> window_lines;
  for (int second = 1; second <= 6; ++second) {
    for (int i = 0; i < second; ++i) add(w.open_pane());  // pane k holds k lines
    auto out = advance(w, second * 1000, false);
    ASSERT_EQ(out.size(), 1u);
    window_lines.push_back(out[0].lines);
  }
  // Windows of three panes: 1, 1+2, 1+2+3, 2+3+4, 3+4+5, 4+5+6.
  EXPECT_EQ(window_lines, (std::vector<uint64_t>{1, 3, 6, 9, 12, 15}));
  EXPECT_EQ(w.total().total_lines(), 21u);
}

TEST(WindowerTest, ProcessingTimeSkipsStalledSlidesWithOneWindow) {
  Windower w({2000, 1000, false, 0});
  w.start(0);
  add(w.open_pane());
  auto out = advance(w, 5'500, false);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].end_ms, 1'000);
  EXPECT_EQ(w.next_tick_ms(), 6'000);
  add(w.open_pane());
  out = advance(w, 6'000, false);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].lines, 1u);  // the old pane has left the window
  EXPECT_EQ(w.total().total_lines(), 2u);
}

TEST(WindowerTest, ProcessingTimeFinalWindowEndsNowAndHoldsTheOpenPane) {
  Windower w({2000, 1000, false, 0});
  w.start(0);
  add(w.open_pane());
  auto out = advance(w, 400, true);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].final);
  EXPECT_EQ(out[0].end_ms, 400);
  EXPECT_EQ(out[0].lines, 1u);
  EXPECT_EQ(w.total().total_lines(), 1u);
}

TEST(WindowerTest, EventTimeWindowsFireWhenTheWatermarkPassesTheirEnd) {
  Windower w({10'000, 5'000, true, 0});
  add_at(w, 1'000);
  add_at(w, 4'000);
  EXPECT_TRUE(advance(w, 0, false).empty());
  add_at(w, 6'000);  // watermark 6s: the window ending at 5s is complete
  auto out = advance(w, 0, false);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].start_ms, -5'000);
  EXPECT_EQ(out[0].end_ms, 5'000);
  EXPECT_EQ(out[0].lines, 2u);
  EXPECT_EQ(w.total().total_lines(), 2u);
  EXPECT_EQ(w.pending_lines(), 1u);
  add_at(w, 12'000);
  out = advance(w, 0, false);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].end_ms, 10'000);
  EXPECT_EQ(out[0].lines, 3u);  // [0s, 10s)
}

TEST(WindowerTest, EventTimeLateLinesGoToTheTotalOnly) {
  Windower w({5'000, 5'000, true, 2'000});
  add_at(w, 1'000);
  add_at(w, 7'500);  // watermark 5.5s: [0, 5s) fires
  auto out = advance(w, 0, false);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].lines, 1u);
  add_at(w, 4'000);  // its window has been published: late
  add_at(w, 6'000);  // within lateness: still on time
  EXPECT_EQ(w.late_lines(), 1u);
  out = advance(w, 0, true);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].final);
  EXPECT_EQ(out[0].lines, 2u);  // 6.0s and 7.5s
  EXPECT_EQ(w.total().total_lines(), 4u);
}

TEST(WindowerTest, EventTimeAllowedLatenessDelaysWindows) {
  Windower w({5'000, 5'000, true, 3'000});
  add_at(w, 1'000);
  add_at(w, 7'000);  // watermark 4s: nothing yet
  EXPECT_TRUE(advance(w, 0, false).empty());
  add_at(w, 3'000);  // on time
  add_at(w, 8'500);  // watermark 5.5s
  auto out = advance(w, 0, false);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].lines, 2u);
  EXPECT_EQ(w.late_lines(), 0u);
}

TEST(WindowerTest, EventTimeSkipsEmptyWindowsAcrossAGap) {
  Windower w({10'000, 5'000, true, 0});
  add_at(w, 1'000);
  add_at(w, 86'400'000);  // a day later
  auto out = advance(w, 0, false);
  // Windows holding the first line: ending at 5s and 10s. Nothing for the day between.
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].end_ms, 5'000);
  EXPECT_EQ(out[1].end_ms, 10'000);
  out = advance(w, 0, true);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].end_ms, 86'405'000);
  EXPECT_EQ(out[1].end_ms, 86'410'000);
  EXPECT_TRUE(out[1].final);
  EXPECT_EQ(w.total().total_lines(), 2u);
}

TEST(WindowerTest, EventTimeFinalWithoutLinesStillGivesOneResult) {
  Windower w({10'000, 5'000, true, 0});
  auto out = advance(w, 0, true);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].final);
  EXPECT_EQ(out[0].lines, 0u);
}

TEST(WindowerTest, StateSurvivesSerializeAndRestore) {
  Windower w({3000, 1000, false, 0});
  w.start(0);
  add(w.open_pane());
  advance(w, 1000, false);
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
  auto out = advance(back, 2000, false);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].lines, 3u);
  EXPECT_EQ(back.total().total_lines(), 3u);
}

TEST(WindowerTest, RestoreWithAnotherSlideFoldsTheOpenPaneIntoTheTotal) {
  Windower w({3000, 1000, false, 0});
  w.start(0);
  add(w.open_pane());
  advance(w, 1000, false);
  add(w.open_pane());
  std::string bytes;
  w.serialize(bytes);
  Windower other({10'000, 5'000, false, 0});
  bool dropped = false;
  ASSERT_TRUE(other.restore(bytes, dropped));
  EXPECT_TRUE(dropped);
  EXPECT_EQ(other.total().total_lines(), 2u);  // each line once
}

TEST(WindowerTest, CountedInHoldsEveryLineOfAStateOnce) {
  // Processing time: the total and the open pane.
  Windower w({3000, 1000, false, 0});
  w.start(0);
  add(w.open_pane());
  advance(w, 1000, false);
  add(w.open_pane());
  add(w.open_pane());
  std::string bytes;
  w.serialize(bytes);
  auto counted = Windower::counted_in(bytes);
  ASSERT_TRUE(counted) << counted.error().message;
  EXPECT_EQ(counted->total_lines(), 3u);
  // Event time: closed panes are in the total, those past the watermark are not, and late
  // lines went to the total.
  Windower e({2000, 1000, true, 0});
  for (int64_t ms : {500, 1500, 2500, 4500, 100}) add_at(e, ms);
  advance(e, 0, false);
  std::string ebytes;
  e.serialize(ebytes);
  auto ecounted = Windower::counted_in(ebytes);
  ASSERT_TRUE(ecounted) << ecounted.error().message;
  EXPECT_EQ(ecounted->total_lines(), 5u);
  ebytes[ebytes.size() / 2] ^= 0x40;
  EXPECT_FALSE(Windower::counted_in(ebytes));
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

namespace logan {
namespace {

TEST(WindowerTest, SlidingWindowEqualsTheMergeOfItsPanes) {
  // The incremental window (merge the pane that enters, subtract the one that leaves) must
  // say exactly what merging its panes from scratch says, extremes and samples included.
  Windower w({3000, 1000, false, 0});
  w.start(0);
  std::vector<AccessStats> panes;
  for (int tick = 1; tick <= 8; ++tick) {
    AccessStats pane;
    for (int i = 0; i < tick * 3; ++i) {
      LogRecord r;
      std::string client = "10.0.0." + std::to_string((i * 7 + tick) % 5);
      std::string endpoint = "/p" + std::to_string(i % (tick + 1));
      r.client = client;
      r.endpoint = endpoint;
      r.has_endpoint = true;
      r.method = i % 2 ? "GET" : "POST";
      r.status = 200 + (i % 3) * 100;
      r.size = (tick * 1000 + i * 37) % 5000;
      r.time = 1'700'000'000 + tick * 10 + i;
      w.open_pane().add_parsed(r);
      pane.add_parsed(r);
    }
    if (tick % 3 == 0) {
      w.open_pane().add_invalid(0, tick, "x", "bad");
      pane.add_invalid(0, tick, "x", "bad");
    }
    panes.push_back(pane);
    bool checked = false;
    ASSERT_TRUE(w.advance(tick * 1000, false, [&](const WindowResult& r) {
      AccessStats expected;
      for (size_t k = panes.size() >= 3 ? panes.size() - 3 : 0; k < panes.size(); ++k) expected.merge(panes[k]);
      EXPECT_TRUE(*r.stats == expected) << "tick " << tick;
      EXPECT_EQ(r.stats->content_size(), expected.content_size());
      EXPECT_EQ(r.stats->first_time(), expected.first_time());
      EXPECT_EQ(r.stats->invalid_samples(), expected.invalid_samples());
      checked = true;
      return true;
    }));
    EXPECT_TRUE(checked);
  }
}

TEST(AccessStatsSubtractTest, SubtractUndoesMerge) {
  AccessStats a, b;
  LogRecord r;
  r.client = "192.0.2.1";
  r.status = 404;
  r.size = 10;
  a.add_parsed(r);
  r.client = "192.0.2.2";
  b.add_parsed(r);
  b.add_parsed(r);
  AccessStats both = a;
  both.merge(b);
  both.subtract(b);
  both.set_extremes_from({&a});
  EXPECT_TRUE(both == a);
  EXPECT_EQ(both.clients().distinct(), 1u);
}

}  // namespace
}  // namespace logan
