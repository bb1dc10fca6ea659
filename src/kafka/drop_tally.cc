// DropTally: see drop_tally.h.
#include "kafka/drop_tally.h"

namespace logan {

bool DropTally::dropped(uint64_t lines, int64_t now_ms) {
  total_ += lines;
  if (in_run_) return false;
  in_run_ = true;
  if (reported_ == total_ - lines) last_report_ms_ = now_ms;  // the run's start opens a period
  // A buffer that frees room for one message and fills again starts runs in quick succession:
  // the operator hears of a new run only once per interval (the summaries count the rest).
  if (said_start_ && now_ms - last_start_ms_ < summary_interval_ms_) return false;
  said_start_ = true;
  last_start_ms_ = now_ms;
  return true;
}

std::optional<uint64_t> DropTally::summary_due(int64_t now_ms) {
  if (total_ == reported_ || now_ms - last_report_ms_ < summary_interval_ms_) return std::nullopt;
  reported_ = total_;
  last_report_ms_ = now_ms;
  return total_;
}

}  // namespace logan
