// SinkWriter: see sink_writer.h.
#include "sink/sink_writer.h"

#include <algorithm>
#include <chrono>
#include <vector>

namespace logan {

namespace {
// At most this many publications go in one transaction.
constexpr size_t kMaxPerTransaction = 256;
}  // namespace

SinkWriter::SinkWriter(std::unique_ptr<StatsStore> store, SinkWriterOptions options)
    : store_(std::move(store)), options_(std::move(options)) {
  thread_ = std::thread([this] { run(); });
}

SinkWriter::~SinkWriter() {
  std::unique_lock<std::mutex> lock(mu_);
  stop_ = true;
  wake_.notify_all();
  // A write under way is cancelled, and again should a cancel come before its statement began.
  while (!exited_) {
    if (in_flight_ > 0) {
      lock.unlock();
      store_->cancel();
      lock.lock();
    }
    written_.wait_for(lock, std::chrono::milliseconds(200), [&] { return exited_; });
  }
  lock.unlock();
  thread_.join();
}

namespace {
bool replaceable(const StatsRows& r) {
  return r.kind == PublicationKind::kTotal || r.kind == PublicationKind::kCheckpoint;
}
}  // namespace

void SinkWriter::publish(StatsRows rows) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (rows.kind == PublicationKind::kCheckpoint) {
      // The newer checkpoint covers everything the waiting one did: it takes its place at the
      // end (after the windows published since) and tells its waiter too.
      auto same = std::find_if(held_.begin(), held_.end(),
                               [&](const StatsRows& h) { return h.same_key(rows); });
      if (same != held_.end()) {
        if (same->done) {
          rows.done = [older = std::move(same->done), newer = std::move(rows.done)](bool stored) {
            older(stored);
            if (newer) newer(stored);
          };
        }
        held_.erase(same);
      }
    } else if (rows.kind == PublicationKind::kTotal) {
      // Only the newest total matters: it replaces the stored one anyway.
      auto same = std::find_if(held_.begin(), held_.end(),
                               [&](const StatsRows& h) { return h.same_key(rows); });
      if (same != held_.end()) {
        *same = std::move(rows);
        wake_.notify_all();
        return;
      }
    }
    held_.push_back(std::move(rows));
    while (held_.size() > options_.max_held) {
      auto oldest = std::find_if(held_.begin(), held_.end(),
                                 [](const StatsRows& h) { return !replaceable(h); });
      if (oldest == held_.end()) break;
      held_.erase(oldest);
      ++dropped_;
      if (!said_dropping_ && options_.warn) {
        said_dropping_ = true;
        options_.warn("sink " + store_->name() + ": more than " + std::to_string(options_.max_held) +
                      " publications waiting for the database; dropping the oldest windows");
      }
    }
  }
  wake_.notify_all();
}

Status SinkWriter::flush(int64_t timeout_ms) {
  std::unique_lock<std::mutex> lock(mu_);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  wake_.notify_all();
  written_.wait_until(lock, deadline, [&] { return held_.empty() && in_flight_ == 0; });
  if (held_.empty() && in_flight_ == 0) return Ok{};
  if (in_flight_ > 0) {
    // A write still under way may wait on a lock a dashboard holds, or on a silent server:
    // cancel it rather than keep the caller (and the exit) waiting, then hear how it ended
    // (a commit that won the race counts as written).
    lock.unlock();
    store_->cancel();
    lock.lock();
    written_.wait_for(lock, std::chrono::seconds(5), [&] { return in_flight_ == 0; });
    if (held_.empty() && in_flight_ == 0) return Ok{};
  }
  size_t left = held_.size() + in_flight_;
  std::string why = last_error_.empty() ? "still being written when the time ran out" : last_error_;
  return Error{std::to_string(left) + " publication" + (left == 1 ? "" : "s") +
               " not written to " + store_->name() + ": " + why};
}

uint64_t SinkWriter::dropped() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_;
}

size_t SinkWriter::ready_locked() const {
  if (!options_.whole_checkpoints) return std::min(held_.size(), kMaxPerTransaction);
  // Up to the last checkpoint among the first kMaxPerTransaction, else up to the first one.
  size_t last = 0;
  for (size_t i = 0; i < held_.size(); ++i) {
    if (held_[i].kind != PublicationKind::kCheckpoint) continue;
    if (i < kMaxPerTransaction) {
      last = i + 1;
      continue;
    }
    if (last == 0) last = i + 1;
    break;
  }
  return last;
}

void SinkWriter::run() {
  write_loop();
  std::lock_guard<std::mutex> lock(mu_);
  exited_ = true;
  written_.notify_all();
}

void SinkWriter::write_loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    wake_.wait(lock, [&] { return stop_ || ready_locked() > 0; });
    if (stop_) return;
    size_t n = ready_locked();
    std::vector<StatsRows> batch(std::make_move_iterator(held_.begin()),
                                 std::make_move_iterator(held_.begin() + static_cast<long>(n)));
    held_.erase(held_.begin(), held_.begin() + static_cast<long>(n));
    in_flight_ = n;
    lock.unlock();
    Status s = store_->write(batch);
    // Tell the checkpoints' waiters (once: a retry that succeeds later tells no one).
    for (auto& r : batch) {
      if (r.kind != PublicationKind::kCheckpoint || !r.done) continue;
      r.done(static_cast<bool>(s));
      r.done = nullptr;
    }
    lock.lock();
    if (s) {
      in_flight_ = 0;
      if (failing_ && options_.warn) {
        options_.warn("sink " + store_->name() + ": the database is back; held publications written");
      }
      failing_ = false;
      backoff_ms_ = 0;
      written_.notify_all();
      continue;
    }
    // Put the batch back in front, in order (a newer total published meanwhile wins).
    for (auto it = batch.rbegin(); it != batch.rend(); ++it) {
      bool newer = replaceable(*it) &&
                   std::any_of(held_.begin(), held_.end(), [&](const StatsRows& h) { return h.same_key(*it); });
      if (!newer) held_.push_front(std::move(*it));
    }
    in_flight_ = 0;
    last_error_ = s.error().message;
    if (!failing_ && options_.warn) {
      options_.warn(s.error().message + " (retrying; publications are held in memory meanwhile)");
    }
    failing_ = true;
    backoff_ms_ = backoff_ms_ == 0 ? options_.first_backoff_ms : std::min(backoff_ms_ * 2, options_.max_backoff_ms);
    written_.notify_all();
    wake_.wait_for(lock, std::chrono::milliseconds(backoff_ms_), [&] { return stop_; });
    if (stop_) return;
  }
}

}  // namespace logan
