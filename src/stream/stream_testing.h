// Test-only: a SourceContext that collects what a source emits, for the stream sources' tests.
// Thread-safety: thread-safe (sources run in their own threads in the tests).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <sys/eventfd.h>
#include <unistd.h>

#include "stream/stream_source.h"

namespace logan::test_support {

class CollectingContext final : public SourceContext {
 public:
  CollectingContext() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}
  ~CollectingContext() override { ::close(fd_); }

  bool stopping() const override { return stopping_; }
  int stop_fd() const override { return fd_; }
  std::unique_ptr<LineBatch> new_batch() override { return std::make_unique<LineBatch>(); }
  void emit(std::unique_ptr<LineBatch> batch) override {
    std::lock_guard lock(mu_);
    if (batch->forget_file) {
      positions_.erase(batch->file_id);
    } else {
      std::string_view data = batch->data.view();
      size_t start = 0;
      while (start < data.size()) {
        size_t nl = data.find('\n', start);
        size_t end = nl == std::string_view::npos ? data.size() : nl;
        std::string line(data.substr(start, end - start));
        lines_.push_back(line);
        by_input_[*batch->input.name].push_back(line);
        start = end + 1;
      }
      overlong_ += batch->overlong_lines.size();
      if (batch->position) positions_[batch->file_id] = *batch->position;
    }
    cv_.notify_all();
  }
  InputId new_input(std::string name) override {
    std::lock_guard lock(mu_);
    return InputId{next_input_++, std::make_shared<const std::string>(std::move(name))};
  }
  void warn(std::string message) override {
    std::lock_guard lock(mu_);
    warnings_.push_back(std::move(message));
    cv_.notify_all();
  }

  void stop() {
    stopping_ = true;
    uint64_t one = 1;
    (void)!::write(fd_, &one, sizeof one);
  }

  // Waits (up to 10 s) until `done` holds over the lines so far; false on timeout.
  bool wait_for(const std::function<bool(const std::vector<std::string>&)>& done) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return done(lines_); });
  }
  bool wait_for_lines(size_t n) {
    return wait_for([n](const std::vector<std::string>& l) { return l.size() >= n; });
  }
  bool wait_for_warning(const std::string& part) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] {
      for (const auto& w : warnings_) {
        if (w.find(part) != std::string::npos) return true;
      }
      return false;
    });
  }

  std::vector<std::string> lines() {
    std::lock_guard lock(mu_);
    return lines_;
  }
  std::map<std::string, std::vector<std::string>> by_input() {
    std::lock_guard lock(mu_);
    return by_input_;
  }
  std::map<uint64_t, FilePosition> positions() {
    std::lock_guard lock(mu_);
    return positions_;
  }
  std::vector<std::string> warnings() {
    std::lock_guard lock(mu_);
    return warnings_;
  }
  size_t overlong() {
    std::lock_guard lock(mu_);
    return overlong_;
  }

 private:
  int fd_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> lines_;
  std::map<std::string, std::vector<std::string>> by_input_;
  std::map<uint64_t, FilePosition> positions_;
  std::vector<std::string> warnings_;
  uint32_t next_input_ = 0;
  size_t overlong_ = 0;
};

// Runs a source on a thread of its own until stop().
class SourceRunner {
 public:
  SourceRunner(StreamSource& source, CollectingContext& ctx) : ctx_(ctx) {
    thread_ = std::thread([&source, &ctx, this] { status_ = source.run(ctx); });
  }
  ~SourceRunner() { (void)stop(); }
  Status stop() {
    if (thread_.joinable()) {
      ctx_.stop();
      thread_.join();
    }
    return status_;
  }
  // Waits for the source to end by itself (stdin at its end).
  Status join() {
    if (thread_.joinable()) thread_.join();
    return status_;
  }

 private:
  CollectingContext& ctx_;
  std::thread thread_;
  Status status_ = Ok{};
};

}  // namespace logan::test_support
