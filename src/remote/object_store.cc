// Retrying requests and resumable range reads shared by the stores; see object_store.h.
#include "remote/object_store.h"

#include <algorithm>
#include <thread>

namespace logan {

RemoteContext::RemoteContext(RetryPolicy policy, Log log)
    : policy_(policy), log_(std::move(log)), random_(std::random_device{}()) {}

void RemoteContext::log(const std::string& line) const {
  if (!log_) return;
  std::lock_guard lock(mu_);
  log_(line);
}

void RemoteContext::wait_before_retry(int retry, const std::string& what,
                                      const std::string& reason) const {
  uint64_t r;
  {
    std::lock_guard lock(mu_);
    r = random_();
  }
  auto delay = policy_.delay(retry, r);
  log(what + ": " + reason + "; attempt " + std::to_string(retry + 1) + " of " +
      std::to_string(policy_.max_attempts) + " in " + std::to_string(delay.count()) + " ms");
  std::this_thread::sleep_for(delay);
}

Status ObjectStore::read_range(HttpClient& http, const RemoteObject& object, uint64_t offset,
                               uint64_t length, const Sink& sink) {
  uint64_t done = 0;
  for (int attempt = 1;; ++attempt) {
    uint64_t delivered = 0;
    auto failure = read_once(http, object, offset + done, length - done, sink, delivered);
    done += delivered;
    if (!failure) return Ok{};
    if (failure->message == kStopped) return Error{kStopped};
    // An attempt that made progress does not count against the limit: a long object on a
    // flaky network still finishes, while one that never moves gives up.
    if (delivered > 0) attempt = 1;
    if (!failure->retryable || attempt >= context_.policy().max_attempts) {
      std::string tries = attempt > 1 ? " (after " + std::to_string(attempt) + " attempts)" : "";
      return Error{"cannot read '" + object.name + "': " + failure->message + tries};
    }
    context_.wait_before_retry(attempt, object.name + " bytes " + std::to_string(offset + done) + "-",
                               failure->message);
  }
}

std::optional<AttemptFailure> ObjectStore::stream_range(
    HttpClient& http, HttpRequest& request, uint64_t length, const Sink& sink, uint64_t& delivered,
    const std::function<std::optional<AttemptFailure>(const HttpResponse&)>& failure_of) {
  bool stopped = false;
  request.on_body = [&](std::string_view data) {
    // Never more than asked for, whatever the server sends; but a body of exactly `length`
    // is taken whole, so that curl keeps the connection for the next request.
    bool beyond = data.size() > length - delivered;
    if (beyond) data = data.substr(0, static_cast<size_t>(length - delivered));
    if (!data.empty() && !sink(data)) {
      stopped = true;
      return false;
    }
    delivered += data.size();
    return !beyond;
  };
  auto response = http.perform(request);
  if (stopped) return AttemptFailure{kStopped, false};
  if (!response) return AttemptFailure{response.error().message, true};
  if (auto failure = failure_of(*response)) return failure;
  if (request.stream_status != 0 && response->status != request.stream_status) {
    return AttemptFailure{"the server answered HTTP " + std::to_string(response->status) +
                              " to a request for a byte range", false};
  }
  if (delivered < length) {
    return AttemptFailure{"connection closed after " + std::to_string(delivered) + " of " +
                              std::to_string(length) + " bytes", true};
  }
  return std::nullopt;
}

Result<HttpResponse> ObjectStore::perform_with_retries(
    HttpClient& http, const HttpRequest& request, const std::string& what,
    const std::function<std::optional<AttemptFailure>(const HttpResponse&)>& failure_of) {
  for (int attempt = 1;; ++attempt) {
    auto response = http.perform(request);
    std::optional<AttemptFailure> failure;
    if (!response) {
      failure = AttemptFailure{response.error().message, true};
    } else {
      failure = failure_of(*response);
      if (!failure) return response;
    }
    if (!failure->retryable || attempt >= context_.policy().max_attempts) {
      std::string tries = attempt > 1 ? " (after " + std::to_string(attempt) + " attempts)" : "";
      return Error{what + ": " + failure->message + tries};
    }
    context_.wait_before_retry(attempt, what, failure->message);
  }
}

}  // namespace logan
