// BatchQueue: the bounded hand-off of line batches from the source threads to the stream
// engine, with a pool of emptied batches so that their buffers are reused, not reallocated.
// Bounded in batches: a source that outruns the engine waits (back-pressure).
// Thread-safety: thread-safe; any number of producers, one consumer.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "stream/line_batch.h"

namespace logan {

class BatchQueue {
 public:
  explicit BatchQueue(size_t capacity) : capacity_(capacity) {}

  // Adds a batch; waits while the queue is full.
  void push(std::unique_ptr<LineBatch> batch);
  // The oldest batch, or null once `deadline` passes or wake() is called with none queued.
  std::unique_ptr<LineBatch> pop(std::chrono::steady_clock::time_point deadline);
  // Makes a waiting pop() return.
  void wake();

  std::unique_ptr<LineBatch> take_free();
  void recycle(std::unique_ptr<LineBatch> batch);

  size_t size() const;

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<std::unique_ptr<LineBatch>> queue_;
  bool woken_ = false;
  std::mutex free_mu_;
  std::vector<std::unique_ptr<LineBatch>> free_;
};

}  // namespace logan
