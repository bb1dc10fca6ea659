#include "sink/sink_writer.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
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
    transactions.push_back(rows.size());
    return Ok{};
  }
  Result<std::optional<std::string>> load_checkpoint(const std::string&, const std::string&) override {
    return std::optional<std::string>();
  }
  Result<std::map<uint64_t, uint64_t>> offsets_elsewhere(const std::string&, const std::string&,
                                                         const std::string&) override {
    return std::map<uint64_t, uint64_t>();
  }
  std::atomic<bool> failing{false};
  std::mutex mu;
  std::vector<StatsRows> written;
  std::vector<size_t> transactions;  // publications per write()

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

StatsRows checkpoint(std::function<void(bool)> done) {
  StatsRows r = window(0, PublicationKind::kCheckpoint);
  r.checkpoint = std::make_shared<const std::string>("ck");
  r.done = std::move(done);
  return r;
}

TEST(SinkWriterTest, WithWholeCheckpointsEveryTransactionEndsWithACheckpoint) {
  auto store = std::make_unique<FlakyStore>();
  FlakyStore* s = store.get();
  std::vector<std::string> warnings;
  SinkWriterOptions o = fast(&warnings);
  o.whole_checkpoints = true;
  SinkWriter writer(std::move(store), o);
  std::atomic<int> told{0};
  for (int i = 0; i < 3; ++i) writer.publish(window(i * 1000));
  EXPECT_FALSE(writer.flush(100));  // windows without a checkpoint after them wait
  EXPECT_TRUE(s->written.empty());
  writer.publish(checkpoint([&](bool stored) { told += stored ? 1 : 100; }));
  ASSERT_TRUE(writer.flush(10000));
  EXPECT_EQ(told.load(), 1);
  ASSERT_EQ(s->written.size(), 4u);
  EXPECT_EQ(s->written.back().kind, PublicationKind::kCheckpoint);
  // 600 windows then a checkpoint: one transaction (never cut before the checkpoint).
  for (int i = 0; i < 600; ++i) writer.publish(window(10000 + i * 1000));
  writer.publish(checkpoint(nullptr));
  ASSERT_TRUE(writer.flush(10000));
  EXPECT_EQ(s->transactions.back(), 601u);
}

TEST(SinkWriterTest, ANewerCheckpointReplacesAWaitingOneAndTellsBothWaiters) {
  auto store = std::make_unique<FlakyStore>();
  FlakyStore* s = store.get();
  s->failing = true;
  std::vector<std::string> warnings;
  SinkWriterOptions o = fast(&warnings);
  o.whole_checkpoints = true;
  SinkWriter writer(std::move(store), o);
  std::mutex mu;
  std::vector<std::string> told;
  auto tell = [&](const std::string& who) {
    return [&, who](bool stored) {
      std::lock_guard<std::mutex> lock(mu);
      told.push_back(who + (stored ? ":stored" : ":failed"));
    };
  };
  writer.publish(window(0));
  writer.publish(checkpoint(tell("a")));
  // The first attempt fails: "a" hears so, once.
  for (int i = 0; i < 200; ++i) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (!told.empty()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  writer.publish(window(1000));
  writer.publish(checkpoint(tell("b")));
  writer.publish(window(2000));
  writer.publish(checkpoint(tell("c")));  // replaces "b", which is told with it
  s->failing = false;
  ASSERT_TRUE(writer.flush(10000));
  std::lock_guard<std::mutex> lock(mu);
  // "b" is told once: with "c" (stored), or by a retry that failed before "c" came.
  ASSERT_EQ(told.size(), 3u);
  EXPECT_EQ(told.front(), "a:failed");
  EXPECT_EQ(told.back(), "c:stored");
  EXPECT_TRUE(told[1] == "b:stored" || told[1] == "b:failed") << told[1];
  size_t checkpoints = 0;
  for (const auto& r : s->written) checkpoints += r.kind == PublicationKind::kCheckpoint;
  EXPECT_EQ(checkpoints, 1u);
  EXPECT_EQ(s->written.size(), 4u);  // three windows, one checkpoint
  EXPECT_EQ(s->written.back().kind, PublicationKind::kCheckpoint);
}

}  // namespace
}  // namespace logan
