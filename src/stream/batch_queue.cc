// BatchQueue: see batch_queue.h.
#include "stream/batch_queue.h"

namespace logan {

void BatchQueue::push(std::unique_ptr<LineBatch> batch) {
  std::unique_lock lock(mu_);
  not_full_.wait(lock, [&] { return queue_.size() < capacity_; });
  queue_.push_back(std::move(batch));
  not_empty_.notify_one();
}

std::unique_ptr<LineBatch> BatchQueue::pop(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mu_);
  not_empty_.wait_until(lock, deadline, [&] { return !queue_.empty() || woken_; });
  woken_ = false;
  if (queue_.empty()) return nullptr;
  auto batch = std::move(queue_.front());
  queue_.pop_front();
  not_full_.notify_one();
  return batch;
}

void BatchQueue::wake() {
  std::lock_guard lock(mu_);
  woken_ = true;
  not_empty_.notify_one();
}

size_t BatchQueue::size() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

std::unique_ptr<LineBatch> BatchQueue::take_free() {
  {
    std::lock_guard lock(free_mu_);
    if (!free_.empty()) {
      auto batch = std::move(free_.back());
      free_.pop_back();
      return batch;
    }
  }
  return std::make_unique<LineBatch>();
}

void BatchQueue::recycle(std::unique_ptr<LineBatch> batch) {
  batch->reset();
  std::lock_guard lock(free_mu_);
  // Keep enough for a full queue plus one in hand per source; let the rest go.
  if (free_.size() < capacity_ + 8) free_.push_back(std::move(batch));
}

}  // namespace logan
