// SignalWatcher: turns SIGINT and SIGTERM into calls made from a thread of its own (so that
// what they do may lock, allocate and log): `first` on the first signal, `again` on every
// later one. The signals are blocked in the thread that makes the watcher and in every thread
// it starts afterwards; call block_stop_signals() earlier when threads start before the
// watcher exists (a signal that arrives in between waits, pending, for the watcher).
// Thread-safety: made and destroyed by one thread; the callbacks run on the watcher's thread.
#pragma once

#include <atomic>
#include <csignal>
#include <functional>
#include <thread>
#include <utility>

#include <pthread.h>

namespace logan {

inline sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

inline void block_stop_signals() {
  sigset_t set = stop_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

class SignalWatcher {
 public:
  SignalWatcher(std::function<void()> first, std::function<void(int signal)> again)
      : first_(std::move(first)), again_(std::move(again)) {
    block_stop_signals();
    thread_ = std::thread([this] { watch(); });
  }
  ~SignalWatcher() {
    done_ = true;
    thread_.join();
  }

 private:
  void watch() {
    sigset_t set = stop_signals();
    int seen = 0;
    while (!done_) {
      timespec timeout{0, 100 * 1000 * 1000};
      int sig = sigtimedwait(&set, nullptr, &timeout);
      if (sig < 0) continue;
      if (++seen == 1) {
        first_();
      } else {
        again_(sig);
      }
    }
  }
  std::function<void()> first_;
  std::function<void(int)> again_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace logan
