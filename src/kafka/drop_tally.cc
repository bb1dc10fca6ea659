// DropTally: see drop_tally.h.
#include "kafka/drop_tally.h"

namespace logan {

bool DropTally::dropped(uint64_t lines, int64_t now_ms) {
  total_ += lines;
  if (in_run_) return false;
  in_run_ = true;
  if (reported_ == total_ - lines) last_report_ms_ = now_ms;  // the run's start opens a period
  return true;
}

std::optional<uint64_t> DropTally::summary_due(int64_t now_ms) {
  if (total_ == reported_ || now_ms - last_report_ms_ < summary_interval_ms_) return std::nullopt;
  reported_ = total_;
  last_report_ms_ = now_ms;
  return total_;
}

}  // namespace logan
