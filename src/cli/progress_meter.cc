// The progress line; see progress_meter.h.
#include "cli/progress_meter.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>

namespace logan {

ProgressMeter::ProgressMeter(const BatchProgress& progress, uint64_t total_bytes)
    : progress_(progress), total_bytes_(total_bytes) {}

ProgressMeter::~ProgressMeter() { stop(); }

void ProgressMeter::start() { thread_ = std::thread([this] { run(); }); }

void ProgressMeter::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ProgressMeter::run() {
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  bool drawn = false;
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, std::chrono::milliseconds(500), [this] { return stopping_; })) {
    double seconds = std::chrono::duration<double>(clock::now() - start).count();
    double bytes = static_cast<double>(progress_.raw_bytes.load());
    double lines = static_cast<double>(progress_.lines.load());
    char line[160];
    int n = std::snprintf(line, sizeof line, "\r%.1f MB  %.2f M lines/s", bytes / 1e6,
                          lines / seconds / 1e6);
    if (total_bytes_ > 0 && bytes > 0) {
      double fraction = bytes / static_cast<double>(total_bytes_);
      double left = fraction > 0 ? seconds * (1 - fraction) / fraction : 0;
      std::snprintf(line + n, sizeof line - n, "  %.0f%% of %.1f MB  ETA %ds ", fraction * 100,
                    static_cast<double>(total_bytes_) / 1e6, static_cast<int>(left + 0.5));
    }
    std::fputs(line, stderr);
    std::fputs("\x1b[K", stderr);
    std::fflush(stderr);
    drawn = true;
  }
  if (drawn) {
    std::fputs("\r\x1b[K", stderr);
    std::fflush(stderr);
  }
}

std::unique_ptr<ProgressMeter> start_progress_meter(const BatchProgress& progress,
                                                    const std::vector<InputFile>& inputs,
                                                    bool wanted) {
  // Inputs at least this large (or stdin) get a progress line when stderr is a terminal.
  constexpr uint64_t kProgressMinBytes = 64ull << 20;
  uint64_t total_bytes = 0;
  bool has_stdin = false;
  for (const auto& in : inputs) {
    total_bytes += in.size;
    has_stdin |= in.path == "-";
  }
  if (!wanted || !::isatty(STDERR_FILENO) || (!has_stdin && total_bytes < kProgressMinBytes)) {
    return nullptr;
  }
  auto meter = std::make_unique<ProgressMeter>(progress, has_stdin ? 0 : total_bytes);
  meter->start();
  return meter;
}

}  // namespace logan
