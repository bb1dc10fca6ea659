// DropTally: the accounting behind `--on-full drop`. It counts the lines dropped because the
// buffer was full and decides when the operator hears about it: once when a run of drops
// starts, then a summary at most every `summary_interval_ms` while lines keep being dropped
// (the CLI prints "logan: dropped N lines (buffer full)"). Times are passed in, so tests drive
// it with explicit clocks.
// Thread-safety: not thread-safe; LogShipper calls it under its lock.
#pragma once

#include <cstdint>
#include <optional>

namespace logan {

class DropTally {
 public:
  explicit DropTally(int64_t summary_interval_ms = 10000)
      : summary_interval_ms_(summary_interval_ms) {}

  // Counts `lines` dropped at `now_ms`. True when they start a run of drops (the first drop,
  // or the first since a message was accepted again) that the operator should hear of: at most
  // one a summary interval.
  bool dropped(uint64_t lines, int64_t now_ms);
  // A message went into the buffer: the next drop starts a new run.
  void accepted() { in_run_ = false; }
  // The total dropped so far when lines were dropped since the last summary (or since the
  // start of their run) and the interval has passed; nullopt otherwise. The caller reports it.
  std::optional<uint64_t> summary_due(int64_t now_ms);

  uint64_t total() const { return total_; }
  bool in_run() const { return in_run_; }

 private:
  int64_t summary_interval_ms_;
  uint64_t total_ = 0;
  uint64_t reported_ = 0;     // total at the last summary
  int64_t last_report_ms_ = 0;
  bool in_run_ = false;
  bool said_start_ = false;   // a run's start was reported
  int64_t last_start_ms_ = 0;  // when
};

}  // namespace logan
