// LookupRefresher: `--lookup-refresh DURATION`: a thread that calls LookupGrouper::reload()
// every interval until it is destroyed, and hands each failure (the lookup keeps its previous
// rows) to `warn`.
// Thread-safety: construct and destroy on one thread; `warn` is called on the refresh thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "lookup/lookup_grouper.h"

namespace logan {

class LookupRefresher {
 public:
  // REQUIRES: interval_ms > 0; `grouper` outlives this.
  LookupRefresher(LookupGrouper& grouper, int64_t interval_ms,
                  std::function<void(const std::string&)> warn);
  // Stops the thread; a reload under way is finished first.
  ~LookupRefresher();
  LookupRefresher(const LookupRefresher&) = delete;
  LookupRefresher& operator=(const LookupRefresher&) = delete;

  uint64_t reloads() const;

 private:
  void run();

  LookupGrouper& grouper_;
  const int64_t interval_ms_;
  const std::function<void(const std::string&)> warn_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  uint64_t reloads_ = 0;
  std::thread thread_;
};

}  // namespace logan
