#include "sink/sink_writer.h"

#include <atomic>
#include <mutex>
#include <vector>

#include <gtest/gtest.h>

namespace logan {
namespace {

// A store that fails while told to: the fault a database restart injects, without the server.
class FlakyStore final : public StatsStore {
 public:
  const std::string& name() const override { return name_; }
  Status write(const std::vector<StatsRows>& rows) override {
    if (failing) return Error{"sink flaky: connection refused"};
    std::lock_guard<std::mutex> lock(mu);
    for (const auto& r : rows) written.push_back(r);
    return Ok{};
  }
  std::atomic<bool> failing{false};
  std::mutex mu;
  std::vector<StatsRows> written;

 private:
  std::string name_ = "flaky";
};

StatsRows window(int64_t start, PublicationKind kind = PublicationKind::kWindow, uint64_t lines = 1) {
  StatsRows r;
  r.job = "j";
  r.instance = "i";
  r.kind = kind;
  r.window_start_ms = start;
  r.window_end_ms = start + 1000;
  r.lines_total = lines;
  return r;
}

SinkWriterOptions fast(std::vector<std::string>* warnings) {
  SinkWriterOptions o;
  o.first_backoff_ms = 5;
  o.max_backoff_ms = 20;
  o.warn = [warnings](const std::string& w) { warnings->push_back(w); };
  return o;
}

TEST(SinkWriterTest, WritesEverythingInOrder) {
  auto store = std::make_unique<FlakyStore>();
  FlakyStore* s = store.get();
  std::vector<std::string> warnings;
  SinkWriter writer(std::move(store), fast(&warnings));
  for (int i = 0; i < 100; ++i) writer.publish(window(i * 1000));
  ASSERT_TRUE(writer.flush(10000));
  ASSERT_EQ(s->written.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(s->written[static_cast<size_t>(i)].window_start_ms, i * 1000);
  EXPECT_TRUE(warnings.empty());
}

TEST(SinkWriterTest, HoldsPublicationsWhileTheStoreFailsAndWritesThemWhenItIsBack) {
  auto store = std::make_unique<FlakyStore>();
  FlakyStore* s = store.get();
  s->failing = true;
  std::vector<std::string> warnings;
  SinkWriter writer(std::move(store), fast(&warnings));
  for (int i = 0; i < 10; ++i) {
    writer.publish(window(i * 1000));
    writer.publish(window(0, PublicationKind::kTotal, static_cast<uint64_t>(i + 1)));
  }
  auto held = writer.flush(100);
  ASSERT_FALSE(held);
  EXPECT_NE(held.error().message.find("11 publications not written to flaky"), std::string::npos)
      << held.error().message;
  s->failing = false;
  ASSERT_TRUE(writer.flush(10000));
  // Ten windows, and of the totals only the newest.
  ASSERT_EQ(s->written.size(), 11u);
  uint64_t totals = 0;
  for (const auto& r : s->written) {
    if (r.kind == PublicationKind::kTotal) {
      ++totals;
      EXPECT_EQ(r.lines_total, 10u);
    }
  }
  EXPECT_EQ(totals, 1u);
  ASSERT_EQ(warnings.size(), 2u);  // the outage, once, and the recovery
  EXPECT_NE(warnings[0].find("connection refused"), std::string::npos);
  EXPECT_NE(warnings[1].find("back"), std::string::npos);
}

TEST(SinkWriterTest, MemoryIsBoundedByDroppingTheOldestWindows) {
  auto store = std::make_unique<FlakyStore>();
  FlakyStore* s = store.get();
  s->failing = true;
  std::vector<std::string> warnings;
  SinkWriterOptions o = fast(&warnings);
  o.max_held = 5;
  SinkWriter writer(std::move(store), o);
  for (int i = 0; i < 20; ++i) writer.publish(window(i * 1000));
  EXPECT_GE(writer.dropped(), 14u);
  s->failing = false;
  ASSERT_TRUE(writer.flush(10000));
  ASSERT_FALSE(s->written.empty());
  EXPECT_EQ(s->written.back().window_start_ms, 19000);  // the newest are kept
  EXPECT_LE(s->written.size(), 6u);
}

}  // namespace
}  // namespace logan
