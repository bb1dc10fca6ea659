// Windower: sliding windows over log lines, built from per-slide panes of mergeable statistics,
// plus the all-time total. The window's state is kept up to date incrementally: as it slides,
// the pane that enters is merged in and the pane that leaves is subtracted, so a slide costs
// the distinct keys of two panes, never the window's line count or its number of panes.
//
// Processing time (the reference application's windows): lines go to the open pane, which
// closes at the next multiple of the slide; each close publishes the window that ends there
// and folds the pane into the total.
// Event time: a line goes to the pane of its logged time. The watermark is the latest logged
// time seen minus the allowed lateness; a window is published once the watermark passes its
// end, and its panes are then folded into the total. A line for a pane already published is
// late: the caller counts it into the total (late_lines()), not into any window. Windows
// without any line are not published.
// Thread-safety: not thread-safe; the stream engine owns it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "stats/access_stats.h"

namespace logan {

struct WindowSpec {
  int64_t window_ms = 30000;
  int64_t slide_ms = 5000;
  bool event_time = false;
  int64_t lateness_ms = 0;
};

// A window as published: valid only during the call to the sink that receives it.
struct WindowResult {
  int64_t start_ms = 0;  // the window covers [start_ms, end_ms)
  int64_t end_ms = 0;
  const AccessStats* stats = nullptr;
  bool final = false;    // the last one, published at shutdown
  // Windows come in bursts when a source catches up (event time); the total is the same for
  // the whole burst (it is brought up to date before the first).
  bool first_of_burst = true;
  bool last_of_burst = true;
};

// Receives each window; returns false to stop (the output failed).
using WindowSink = std::function<bool(const WindowResult&)>;

class Windower {
 public:
  // REQUIRES: spec.slide_ms > 0 and spec.window_ms is a positive multiple of it.
  explicit Windower(WindowSpec spec) : spec_(spec) {}
  const WindowSpec& spec() const { return spec_; }

  // Processing time: opens the first pane (unless a restored one is open already).
  void start(int64_t now_ms);
  // Processing time: where lines go now.
  AccessStats& open_pane() { return *open_; }
  // Processing time: when the open pane closes.
  int64_t next_tick_ms() const { return next_tick_; }

  // Event time: the pane for a line logged at `event_ms`, or null when the line is late (it
  // has been counted as such).
  AccessStats* pane_for(int64_t event_ms) {
    int64_t end = pane_end(event_ms);
    if (end == cached_end_) {
      if (event_ms > max_event_) max_event_ = event_ms;
      return cached_;
    }
    return find_pane(event_ms, end);
  }

  // Lines that belong to no window (late lines; in event time also lines without a time).
  AccessStats& total() { return total_; }
  const AccessStats& total() const { return total_; }

  // Closes what is due at `now_ms` and hands the windows to publish to `sink`, oldest first.
  // With `final`, closes everything; the last window is then marked final (there is always
  // one). Returns false when the sink did.
  bool advance(int64_t now_ms, bool final, const WindowSink& sink);

  uint64_t late_lines() const { return late_lines_; }
  // Event time: lines in panes not yet folded into the total.
  uint64_t pending_lines() const;

  // The whole state, for a checkpoint.
  void serialize(std::string& out) const;
  // Restores what serialize() wrote. Fails when the data is corrupt or was written in the
  // other time mode; with another window or slide the panes are dropped (`panes_dropped`)
  // and the total kept.
  Status restore(std::string_view data, bool& panes_dropped);
  // Every line a serialized state has counted: its total and the panes not folded into it
  // yet. What a checkpoint of it covers, for a combiner that knows no window spec.
  static Result<AccessStats> counted_in(std::string_view data);

 private:
  int64_t pane_end(int64_t t) const {
    int64_t q = t / spec_.slide_ms;
    if (t % spec_.slide_ms < 0) --q;  // floor for times before 1970
    return (q + 1) * spec_.slide_ms;
  }
  AccessStats* find_pane(int64_t event_ms, int64_t end);
  // Brings window_ to the panes ending in (end - window, end].
  void slide_window_to(int64_t end);
  bool publish(const std::vector<int64_t>& ends, int64_t final_end, bool final, const WindowSink& sink);
  std::vector<int64_t> due_processing(int64_t now_ms, bool final);
  std::vector<int64_t> due_event(bool final);

  WindowSpec spec_;
  AccessStats total_;
  std::map<int64_t, AccessStats> panes_;  // by end time
  AccessStats window_;                    // the merge of the panes ending in (window_lo_, window_hi_]
  int64_t window_lo_ = INT64_MIN;
  int64_t window_hi_ = INT64_MIN;
  // Processing time.
  int64_t next_tick_ = 0;
  AccessStats* open_ = nullptr;
  // Event time.
  bool started_ = false;          // a timed line has been seen
  int64_t emitted_until_ = 0;     // end of the last window published (or skipped as empty)
  int64_t max_event_ = 0;
  uint64_t late_lines_ = 0;
  int64_t cached_end_ = INT64_MIN;
  AccessStats* cached_ = nullptr;
};

}  // namespace logan
