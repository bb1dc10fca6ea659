// ObjectStore: what logan needs from a remote store (S3, WebHDFS): expand a URL (a glob, one
// object, or a directory of them) into objects with their sizes, and read a byte range of an
// object as a stream. read_range() retries on its own, resuming a broken transfer from the
// last byte received; list() retries each request.
// RemoteContext carries what every request shares: the retry policy, the random source for
// its jitter, and an optional log of requests for --verbose (never holding a secret).
// Thread-safety: a store may be used from several threads at once, each with its own
// HttpClient.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "remote/http_client.h"
#include "remote/remote_url.h"
#include "remote/retry_policy.h"

namespace logan {

struct RemoteObject {
  std::string name;  // as shown to the user: "s3://bucket/key", "hdfs://nn:9870/path"
  std::string path;  // the key (S3) or absolute path (WebHDFS)
  uint64_t size = 0;
};

// One attempt's failure, and whether another attempt may succeed.
struct AttemptFailure {
  std::string message;
  bool retryable = false;
};

class RemoteContext {
 public:
  using Log = std::function<void(const std::string&)>;
  RemoteContext(RetryPolicy policy, Log log);

  const RetryPolicy& policy() const { return policy_; }
  // Writes a line to the --verbose log, if there is one.
  void log(const std::string& line) const;
  // Sleeps before retry number `retry` of `what`, saying so in the log.
  void wait_before_retry(int retry, const std::string& what, const std::string& reason) const;

 private:
  RetryPolicy policy_;
  Log log_;
  mutable std::mutex mu_;
  mutable std::mt19937_64 random_;
};

class ObjectStore {
 public:
  // Takes the next bytes; false to stop reading (read_range then fails with kStopped).
  using Sink = std::function<bool(std::string_view)>;
  static constexpr const char* kStopped = "reading was stopped";
  explicit ObjectStore(const RemoteContext& context) : context_(context) {}
  virtual ~ObjectStore() = default;

  // The objects `url` names, sorted by name: the matches of a glob (none: an error naming it),
  // one object, or every object below a directory or key prefix. Fails naming the URL.
  virtual Result<std::vector<RemoteObject>> list(HttpClient& http, const RemoteUrl& url) = 0;

  // Hands bytes [offset, offset + length) of `object` to `sink`, in order, each byte once.
  // Retries with a Range from the first byte not yet received. Fails naming the object, or
  // with kStopped when the sink asked to stop.
  Status read_range(HttpClient& http, const RemoteObject& object, uint64_t offset,
                    uint64_t length, const Sink& sink);

 protected:
  // One request for the bytes [offset, offset + length); `delivered` counts those handed on.
  virtual std::optional<AttemptFailure> read_once(HttpClient& http, const RemoteObject& object,
                                                  uint64_t offset, uint64_t length,
                                                  const Sink& sink, uint64_t& delivered) = 0;
  // Performs `request`, a GET of `length` bytes, handing its body to `sink` (never more than
  // `length` bytes) and counting them in `delivered`; a body cut short is a retryable failure.
  std::optional<AttemptFailure> stream_range(
      HttpClient& http, HttpRequest& request, uint64_t length, const Sink& sink, uint64_t& delivered,
      const std::function<std::optional<AttemptFailure>(const HttpResponse&)>& failure_of);
  // Sends `request` until an answer is not worth retrying (judged by `failure_of`, which
  // returns nullopt for an answer to keep); `what` names the thing in messages.
  Result<HttpResponse> perform_with_retries(
      HttpClient& http, const HttpRequest& request, const std::string& what,
      const std::function<std::optional<AttemptFailure>(const HttpResponse&)>& failure_of);

  const RemoteContext& context_;
};

}  // namespace logan
