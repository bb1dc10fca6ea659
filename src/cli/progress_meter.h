// ProgressMeter: the progress line `logan batch` draws on stderr while a large input is read
// (bytes done, lines per second, time left), redrawn twice a second from a thread of its own,
// and erased when the job ends. Only the CLI draws; the engine just counts (BatchProgress).
// Thread-safety: start() and stop() from one thread; the drawing thread only reads atomics.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "engine/batch_job.h"

namespace logan {

class ProgressMeter {
 public:
  // total_bytes is 0 when unknown (stdin): then no percentage or time left is shown.
  ProgressMeter(const BatchProgress& progress, uint64_t total_bytes);
  ~ProgressMeter();
  void start();
  void stop();

 private:
  void run();
  const BatchProgress& progress_;
  uint64_t total_bytes_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
};

// A started meter when `wanted`, stderr is a terminal and the inputs are stdin or at least
// 64 MB; null otherwise.
std::unique_ptr<ProgressMeter> start_progress_meter(const BatchProgress& progress,
                                                    const std::vector<InputFile>& inputs,
                                                    bool wanted);

}  // namespace logan
