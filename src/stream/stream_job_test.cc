#include "stream/stream_job.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <thread>

#include <gtest/gtest.h>

namespace logan {
namespace {

namespace fs = std::filesystem;

std::string clf_line(int i, int status = 200) {
  return "192.0.2." + std::to_string(i % 7) + " - - [07/Mar/2024:10:00:" +
         (i % 60 < 10 ? "0" : "") + std::to_string(i % 60) + " +0000] \"GET /p" +
         std::to_string(i % 5) + " HTTP/1.1\" " + std::to_string(status) + " 100\n";
}

// A finite source: hands out its text in batches of `per_batch` lines, each with a file
// position, then ends (like stdin reaching its end).
class ScriptedSource final : public StreamSource {
 public:
  ScriptedSource(std::string name, std::vector<std::string> lines, size_t per_batch)
      : name_(std::move(name)), lines_(std::move(lines)), per_batch_(per_batch) {}
  const std::string& name() const override { return name_; }
  Status open() override { return Ok{}; }
  void restore(std::vector<FileEntry> entries) override {
    for (auto& [id, pos] : entries) start_ = pos.lines;
  }
  Status run(SourceContext& ctx) override {
    InputId input = ctx.new_input(name_);
    uint64_t offset = 0;
    for (size_t i = 0; i < start_; ++i) offset += lines_[i].size();
    for (size_t i = start_; i < lines_.size(); i += per_batch_) {
      auto b = ctx.new_batch();
      b->input = input;
      b->first_line = i + 1;
      std::string text;
      size_t end = std::min(lines_.size(), i + per_batch_);
      for (size_t k = i; k < end; ++k) text += lines_[k];
      offset += text.size();
      b->data.assign(text);
      FilePosition p;
      p.path = name_;
      p.offset = offset;
      p.lines = end;
      b->file_id = 1;
      b->position = p;
      ctx.emit(std::move(b));
    }
    return Ok{};
  }

 private:
  std::string name_;
  std::vector<std::string> lines_;
  size_t per_batch_;
  size_t start_ = 0;
};

struct Published {
  std::vector<uint64_t> window_lines;
  uint64_t final_total = 0;
  bool saw_final = false;
};

Published run_job(StreamOptions options, std::vector<std::unique_ptr<StreamSource>> sources) {
  StreamJob job(options, std::move(sources));
  std::vector<std::string> notes;
  EXPECT_TRUE(job.prepare(notes));
  Published p;
  Status done = job.run(
      [&](const SlideReport& r) {
        p.window_lines.push_back(r.window->stats->total_lines());
        if (r.window->final) {
          p.saw_final = true;
          p.final_total = r.total->total_lines();
        }
        return true;
      },
      [](const std::string&) {});
  EXPECT_TRUE(done);
  return p;
}

TEST(StreamJobTest, FiniteSourcesEndTheJobWithAFinalWindowCoveringEverything) {
  std::vector<std::string> lines;
  for (int i = 0; i < 1000; ++i) lines.push_back(clf_line(i));
  lines.push_back("not a log line\n");
  std::vector<std::unique_ptr<StreamSource>> sources;
  sources.push_back(std::make_unique<ScriptedSource>("a", lines, 64));
  sources.push_back(std::make_unique<ScriptedSource>("b", lines, 7));
  StreamOptions options;
  options.format = "common";
  Published p = run_job(options, std::move(sources));
  ASSERT_TRUE(p.saw_final);
  EXPECT_EQ(p.final_total, 2002u);
}

TEST(StreamJobTest, CheckpointCarriesTotalsAndPositionsIntoTheNextRun) {
  fs::path dir = fs::temp_directory_path() / ("logan-job-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  std::vector<std::string> lines;
  for (int i = 0; i < 300; ++i) lines.push_back(clf_line(i));
  StreamOptions options;
  options.checkpoint_dir = dir.string();
  {
    std::vector<std::string> first(lines.begin(), lines.begin() + 100);
    std::vector<std::unique_ptr<StreamSource>> sources;
    sources.push_back(std::make_unique<ScriptedSource>("f", first, 10));
    Published p = run_job(options, std::move(sources));
    EXPECT_EQ(p.final_total, 100u);
  }
  {
    // The same file, grown: the restored position says 100 lines were counted.
    std::vector<std::unique_ptr<StreamSource>> sources;
    sources.push_back(std::make_unique<ScriptedSource>("f", lines, 10));
    Published p = run_job(options, std::move(sources));
    EXPECT_EQ(p.final_total, 300u);
  }
  {
    std::ofstream(dir / "stream.checkpoint", std::ios::binary | std::ios::trunc) << "LOGANCK\x01garbage";
    std::vector<std::unique_ptr<StreamSource>> sources;
    sources.push_back(std::make_unique<ScriptedSource>("f", lines, 10));
    StreamJob job(options, std::move(sources));
    std::vector<std::string> notes;
    auto s = job.prepare(notes);
    ASSERT_FALSE(s);
    EXPECT_NE(s.error().message.find("refusing checkpoint"), std::string::npos);
  }
  fs::remove_all(dir);
}

// Emits its lines, then settles (as a Kafka source does before giving partitions up) and
// records what the engine said was durable at that moment.
class SettlingSource final : public StreamSource {
 public:
  const std::string& name() const override { return name_; }
  Status open() override { return Ok{}; }
  Status run(SourceContext& ctx) override {
    InputId input = ctx.new_input(name_);
    for (int i = 0; i < 50; ++i) {
      auto b = ctx.new_batch();
      b->input = input;
      b->data.assign(clf_line(i));
      FilePosition p;
      p.offset = static_cast<uint64_t>(i + 1);
      p.lines = static_cast<uint64_t>(i + 1);
      b->file_id = 3;
      b->position = p;
      ctx.emit(std::move(b));
    }
    ctx.settle();
    std::lock_guard lock(mu_);
    at_settle_ = last_;
    return Ok{};
  }
  void checkpointed(const std::vector<FileEntry>& entries) override {
    std::lock_guard lock(mu_);
    for (const auto& [id, pos] : entries) {
      if (id == 3) last_ = pos.offset;
    }
  }
  uint64_t at_settle() {
    std::lock_guard lock(mu_);
    return at_settle_;
  }

 private:
  std::string name_ = "settling";
  std::mutex mu_;
  uint64_t last_ = 0;
  uint64_t at_settle_ = 0;
};

// Runs a job of one SettlingSource: the last position it was told was durable when its
// settle() returned.
uint64_t durable_at_settle(const StreamOptions& options) {
  auto source = std::make_unique<SettlingSource>();
  SettlingSource* s = source.get();
  std::vector<std::unique_ptr<StreamSource>> sources;
  sources.push_back(std::move(source));
  StreamJob job(options, std::move(sources));
  std::vector<std::string> notes;
  EXPECT_TRUE(job.prepare(notes));
  EXPECT_TRUE(job.run([](const SlideReport&) { return true; }, [](const std::string&) {}));
  return s->at_settle();
}

TEST(StreamJobTest, SettleReturnsOnceEverythingEmittedIsCountedAndCheckpointed) {
  fs::path dir = fs::temp_directory_path() / ("logan-settle-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  for (bool with_checkpoint : {false, true}) {
    StreamOptions options;
    options.format = "common";
    if (with_checkpoint) options.checkpoint_dir = dir.string();
    EXPECT_EQ(durable_at_settle(options), 50u) << (with_checkpoint ? "with" : "without") << " a checkpoint";
  }
  fs::remove_all(dir);
}

// Keeps checkpoints in memory and answers from a thread of its own, a little later (as a
// database sink does), or says the store failed.
class MemoryKeeper final : public CheckpointKeeper {
 public:
  explicit MemoryKeeper(bool fail = false) : fail_(fail) {}
  ~MemoryKeeper() override {
    for (auto& t : threads_) t.join();
  }
  std::string name() const override { return "memory"; }
  std::optional<std::string> restored() const override { return restored_; }
  void keep(std::string checkpoint, std::vector<KeptOffset> offsets,
            std::function<void(bool)> done) override {
    threads_.emplace_back([this, checkpoint = std::move(checkpoint), offsets = std::move(offsets),
                           done = std::move(done)] {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      {
        std::lock_guard lock(mu_);
        if (!fail_) {
          stored_ = checkpoint;
          offsets_ = offsets;
        }
      }
      done(!fail_);
    });
  }
  // The next run starts from what this one stored.
  void carry_over() {
    for (auto& t : threads_) t.join();
    threads_.clear();
    restored_ = stored_;
  }
  std::vector<KeptOffset> offsets() {
    std::lock_guard lock(mu_);
    return offsets_;
  }

 private:
  bool fail_;
  std::mutex mu_;
  std::optional<std::string> restored_, stored_;
  std::vector<KeptOffset> offsets_;
  std::vector<std::thread> threads_;
};

TEST(StreamJobTest, AKeeperCarriesTotalsAndPositionsIntoTheNextRun) {
  std::vector<std::string> lines;
  for (int i = 0; i < 300; ++i) lines.push_back(clf_line(i));
  auto keeper = std::make_shared<MemoryKeeper>();
  StreamOptions options;
  options.keeper = keeper;
  {
    std::vector<std::string> first(lines.begin(), lines.begin() + 100);
    std::vector<std::unique_ptr<StreamSource>> sources;
    sources.push_back(std::make_unique<ScriptedSource>("f", first, 10));
    EXPECT_EQ(run_job(options, std::move(sources)).final_total, 100u);
  }
  keeper->carry_over();
  ASSERT_EQ(keeper->offsets().size(), 1u);
  EXPECT_EQ(keeper->offsets()[0].source, "f");
  {
    std::vector<std::unique_ptr<StreamSource>> sources;
    sources.push_back(std::make_unique<ScriptedSource>("f", lines, 10));
    EXPECT_EQ(run_job(options, std::move(sources)).final_total, 300u);
  }
}

TEST(StreamJobTest, WithAKeeperSettleWaitsUntilTheCheckpointIsStored) {
  for (bool fail : {false, true}) {
    StreamOptions options;
    options.format = "common";
    options.keeper = std::make_shared<MemoryKeeper>(fail);
    // Stored: the source heard of every position before settle() returned. Not stored: it
    // heard of none, and settle() returned all the same.
    EXPECT_EQ(durable_at_settle(options), fail ? 0u : 50u);
  }
}

TEST(StreamJobTest, EventTimeWindowsFromLoggedTimes) {
  std::vector<std::string> lines;
  for (int i = 0; i < 60; ++i) lines.push_back(clf_line(i));  // one line per logged second
  std::vector<std::unique_ptr<StreamSource>> sources;
  sources.push_back(std::make_unique<ScriptedSource>("t", lines, 5));
  StreamOptions options;
  options.windows = {20'000, 10'000, true, 0};
  Published p = run_job(options, std::move(sources));
  // Windows ending at :10, :20, ... :70 hold 10, 20, 20, 20, 20, 20, 10 lines.
  EXPECT_EQ(p.window_lines, (std::vector<uint64_t>{10, 20, 20, 20, 20, 20, 10}));
  EXPECT_EQ(p.final_total, 60u);
}

TEST(StreamJobTest, BadFormatIsAnErrorBeforeStarting) {
  std::vector<std::unique_ptr<StreamSource>> sources;
  sources.push_back(std::make_unique<ScriptedSource>("x", std::vector<std::string>{}, 1));
  StreamOptions options;
  options.format = "%{nope";
  StreamJob job(options, std::move(sources));
  std::vector<std::string> notes;
  EXPECT_FALSE(job.prepare(notes));
}

}  // namespace
}  // namespace logan
