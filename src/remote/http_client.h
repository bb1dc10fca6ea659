// HttpClient: one libcurl easy handle, reused for request after request so connections are
// kept alive. Requests may be signed with curl's built-in AWS Signature Version 4
// (CURLOPT_AWS_SIGV4); a 2xx body can be streamed to a callback instead of being kept.
// A transport failure (refused, reset, timed out, a body cut short) is an Error; any HTTP
// answer, 4xx and 5xx included, is a response for the caller to judge.
// Call curl_global_init once (HttpClient::global_init) before starting threads.
// Thread-safety: one HttpClient per thread; distinct clients may run in parallel.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace logan {

struct HttpRequest {
  std::string method = "GET";  // GET, HEAD, PUT, POST, DELETE
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string_view body;             // sent with PUT and POST
  // AWS SigV4: provider "aws:amz:REGION:s3" and "ACCESS_KEY:SECRET"; empty: unsigned.
  std::string sigv4_provider;
  std::string sigv4_user;
  bool follow_redirects = false;
  // When set, the body of a 2xx answer goes here as it arrives rather than into
  // HttpResponse::body; returning false stops the transfer (not an error).
  std::function<bool(std::string_view)> on_body;
  // With on_body: the only 2xx status whose body goes there (0: any); the body of another 2xx
  // answer is kept like an error's, e.g. a whole object sent to a request for a range.
  long stream_status = 0;
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // names in lower case; the last answer's
  std::string body;                            // unless streamed (error bodies: first 64 KiB)
  uint64_t streamed = 0;                       // bytes handed to on_body
  bool stopped = false;                        // on_body asked to stop
};

class HttpClient {
 public:
  static void global_init();

  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Performs one request. Fails with curl's reason when no complete answer was received.
  Result<HttpResponse> perform(const HttpRequest& request);

 private:
  void* curl_;  // CURL*
};

}  // namespace logan
