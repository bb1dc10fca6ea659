// Windower: see windower.h.
#include "stream/windower.h"

#include <algorithm>
#include <limits>

#include "stats/serial.h"

namespace logan {

namespace {
constexpr std::string_view kMagic = "LOGANWN\x01";
}

void Windower::start(int64_t now_ms) {
  if (spec_.event_time || open_ != nullptr) return;
  if (next_tick_ == 0) next_tick_ = pane_end(now_ms);
  open_ = &panes_[next_tick_];
}

AccessStats* Windower::find_pane(int64_t event_ms, int64_t end) {
  if (!started_) {
    started_ = true;
    // Lines a little out of order at the very start are not late.
    emitted_until_ = pane_end(event_ms - spec_.lateness_ms) - spec_.slide_ms;
    max_event_ = event_ms;
  }
  if (end <= emitted_until_) {
    ++late_lines_;
    return nullptr;
  }
  if (event_ms > max_event_) max_event_ = event_ms;
  cached_end_ = end;
  cached_ = &panes_[end];
  return cached_;
}

void Windower::slide_window_to(int64_t end) {
  const int64_t lo = end - spec_.window_ms;
  if (window_hi_ == INT64_MIN || lo >= window_hi_) {
    // Nothing in common with the last window: start from empty.
    window_ = AccessStats{};
    window_lo_ = window_hi_ = lo;
  }
  // The panes that leave, then the panes that enter.
  for (auto it = panes_.upper_bound(window_lo_); it != panes_.end() && it->first <= lo; ++it) {
    if (it->first <= window_hi_) window_.subtract(it->second);
  }
  for (auto it = panes_.upper_bound(std::max(window_hi_, lo)); it != panes_.end() && it->first <= end; ++it) {
    window_.merge(it->second);
  }
  window_lo_ = lo;
  window_hi_ = end;
  std::vector<const AccessStats*> parts;
  for (auto it = panes_.upper_bound(lo); it != panes_.end() && it->first <= end; ++it) {
    parts.push_back(&it->second);
  }
  window_.set_extremes_from(parts);
}

bool Windower::advance(int64_t now_ms, bool final, const WindowSink& sink) {
  cached_end_ = INT64_MIN;
  cached_ = nullptr;
  std::vector<int64_t> ends = spec_.event_time ? due_event(final) : due_processing(now_ms, final);
  bool ok = true;
  for (size_t i = 0; i < ends.size() && ok; ++i) {
    slide_window_to(ends[i]);
    WindowResult w;
    w.end_ms = ends[i];
    w.stats = &window_;
    w.first_of_burst = i == 0;
    w.last_of_burst = i + 1 == ends.size();
    w.final = final && w.last_of_burst;
    w.start_ms = w.end_ms - spec_.window_ms;
    // By processing time the last window ends now, with the panes it holds.
    if (w.final && !spec_.event_time) w.end_ms = std::min(now_ms, ends[i]);
    ok = sink(w);
  }
  if (final && ends.empty()) {
    static const AccessStats kEmpty;
    WindowResult w;
    w.end_ms = started_ ? emitted_until_ : 0;
    w.start_ms = w.end_ms - spec_.window_ms;
    w.stats = &kEmpty;
    w.final = true;
    ok = sink(w);
  }
  // Panes that have left the window are not needed any more.
  if (window_hi_ != INT64_MIN) panes_.erase(panes_.begin(), panes_.upper_bound(window_lo_));
  return ok;
}

std::vector<int64_t> Windower::due_processing(int64_t now_ms, bool final) {
  if (open_ == nullptr) start(now_ms);
  if (now_ms < next_tick_ && !final) return {};
  total_.merge(*open_);
  int64_t end = next_tick_;
  next_tick_ = std::max(next_tick_ + spec_.slide_ms, pane_end(now_ms));
  open_ = &panes_[next_tick_];
  return {end};
}

std::vector<int64_t> Windower::due_event(bool final) {
  std::vector<int64_t> ends;
  const int64_t slide = spec_.slide_ms;
  const int64_t watermark = final ? std::numeric_limits<int64_t>::max() : max_event_ - spec_.lateness_ms;
  while (started_) {
    int64_t e = emitted_until_ + slide;
    if (e > watermark) break;
    // Panes ending by e are complete: into the total.
    for (auto it = panes_.upper_bound(emitted_until_); it != panes_.end() && it->first <= e; ++it) {
      total_.merge(it->second);
    }
    auto first = panes_.upper_bound(e - spec_.window_ms);
    if (first != panes_.end() && first->first <= e) ends.push_back(e);
    emitted_until_ = e;
    // The next window worth publishing holds the next pane: skip a gap in the log's time.
    auto next = panes_.upper_bound(e + slide - spec_.window_ms);
    if (next == panes_.end()) {
      // Nothing left: the watermark has passed every window up to it.
      if (!final && watermark - slide > emitted_until_) emitted_until_ = pane_end(watermark) - slide;
      break;
    }
    // Only windows the watermark has passed are skipped: a line may still come for the others.
    if (next->first > e + slide) {
      int64_t skip_to = next->first - slide;
      if (!final) skip_to = std::min(skip_to, pane_end(watermark) - slide);
      emitted_until_ = std::max(e, skip_to);
    }
  }
  return ends;
}

uint64_t Windower::pending_lines() const {
  uint64_t n = 0;
  if (!spec_.event_time) return 0;
  for (auto it = panes_.upper_bound(emitted_until_); it != panes_.end(); ++it) {
    n += it->second.total_lines();
  }
  return n;
}

void Windower::serialize(std::string& out) const {
  size_t start = out.size();
  out.append(kMagic);
  BinaryWriter w(out);
  w.u64(spec_.event_time);
  w.i64(spec_.window_ms);
  w.i64(spec_.slide_ms);
  w.i64(next_tick_);
  w.u64(started_);
  w.i64(emitted_until_);
  w.i64(max_event_);
  w.u64(late_lines_);
  std::string bytes;
  total_.serialize(bytes, /*canonical=*/false);
  w.bytes(bytes);
  w.u64(panes_.size());
  for (const auto& [end, pane] : panes_) {
    w.i64(end);
    bytes.clear();
    pane.serialize(bytes, /*canonical=*/false);
    w.bytes(bytes);
  }
  append_checksum(out, start);
}

namespace {

// A serialized Windower state, decoded.
struct SavedState {
  bool event_time = false;
  int64_t window_ms = 0;
  int64_t slide_ms = 0;
  int64_t next_tick = 0;
  bool started = false;
  int64_t emitted_until = 0;
  int64_t max_event = 0;
  uint64_t late = 0;
  AccessStats total;
  std::map<int64_t, AccessStats> panes;

  // Closed panes are in the total already; the open one (or those past the watermark) not.
  bool unmerged(int64_t end) const { return event_time ? end > emitted_until : end == next_tick; }
};

Result<SavedState> decode_state(std::string_view data, std::string_view magic) {
  auto body = open_frame(data, magic, "window state");
  if (!body) return body.error();
  BinaryReader r(*body);
  SavedState s;
  s.event_time = r.u64() != 0;
  s.window_ms = r.i64();
  s.slide_ms = r.i64();
  s.next_tick = r.i64();
  s.started = r.u64() != 0;
  s.emitted_until = r.i64();
  s.max_event = r.i64();
  s.late = r.u64();
  auto total = AccessStats::deserialize(r.bytes());
  if (r.failed()) return Error{"window state is truncated"};
  if (!total) return total.error();
  s.total = std::move(total.value());
  uint64_t n = r.count();
  for (uint64_t i = 0; i < n && !r.failed(); ++i) {
    int64_t end = r.i64();
    auto pane = AccessStats::deserialize(r.bytes());
    if (r.failed()) break;
    if (!pane) return pane.error();
    s.panes.emplace(end, std::move(pane.value()));
  }
  if (r.failed() || !r.at_end()) return Error{"window state is truncated or corrupt"};
  return s;
}

}  // namespace

Result<AccessStats> Windower::counted_in(std::string_view data) {
  auto state = decode_state(data, kMagic);
  if (!state) return state.error();
  for (auto& [end, pane] : state->panes) {
    if (state->unmerged(end)) state->total.merge(pane);
  }
  return std::move(state->total);
}

Status Windower::restore(std::string_view data, bool& panes_dropped) {
  panes_dropped = false;
  auto decoded = decode_state(data, kMagic);
  if (!decoded) return decoded.error();
  SavedState& state = decoded.value();
  if (state.event_time != spec_.event_time) {
    return Error{std::string("it was written with") + (state.event_time ? "" : "out") +
                 " --event-time; use the same mode or another checkpoint directory"};
  }
  total_ = std::move(state.total);
  late_lines_ = state.late;
  if (state.window_ms != spec_.window_ms || state.slide_ms != spec_.slide_ms) {
    // Panes of another slide cannot make this one's windows: fold them into the total.
    for (auto& [end, pane] : state.panes) {
      if (state.unmerged(end)) total_.merge(pane);
    }
    panes_dropped = true;
    if (state.event_time && state.started) {
      started_ = true;
      max_event_ = state.max_event;
      emitted_until_ = pane_end(state.max_event - spec_.lateness_ms) - spec_.slide_ms;
    }
    return Ok{};
  }
  const int64_t next_tick = state.next_tick;
  const bool started = state.started;
  const int64_t emitted_until = state.emitted_until;
  const int64_t max_event = state.max_event;
  std::map<int64_t, AccessStats> panes = std::move(state.panes);
  panes_ = std::move(panes);
  next_tick_ = next_tick;
  started_ = started;
  emitted_until_ = emitted_until;
  max_event_ = max_event;
  open_ = nullptr;
  if (!spec_.event_time && next_tick_ != 0) open_ = &panes_[next_tick_];
  return Ok{};
}

}  // namespace logan
