// Periodic lookup reloads; see lookup_refresher.h.
#include "lookup/lookup_refresher.h"

#include <chrono>

namespace logan {

LookupRefresher::LookupRefresher(LookupGrouper& grouper, int64_t interval_ms,
                                 std::function<void(const std::string&)> warn)
    : grouper_(grouper), interval_ms_(interval_ms), warn_(std::move(warn)) {
  thread_ = std::thread([this] { run(); });
}

LookupRefresher::~LookupRefresher() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

uint64_t LookupRefresher::reloads() const {
  std::lock_guard lock(mu_);
  return reloads_;
}

void LookupRefresher::run() {
  std::unique_lock lock(mu_);
  while (true) {
    if (wake_.wait_for(lock, std::chrono::milliseconds(interval_ms_), [this] { return stopping_; })) return;
    lock.unlock();
    for (const auto& e : grouper_.reload()) warn_(e.message);
    lock.lock();
    ++reloads_;
  }
}

}  // namespace logan
