// RetryPolicy: how often and after how long a failed remote request is tried again. Attempts
// are bounded; the wait doubles from `base` up to `cap`, and half of it is random ("equal
// jitter") so that parallel downloads that failed together do not retry together.
// Which failures are worth another attempt: connections that failed or dropped, HTTP 5xx, 429,
// and the S3 codes SlowDown, RequestTimeout and InternalError. Everything else (403, 404, bad
// credentials) fails at once.
// Thread-safety: a value type; delay() is const and takes its randomness as an argument.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

namespace logan {

struct RetryPolicy {
  int max_attempts = 6;  // first try included
  std::chrono::milliseconds base{200};
  std::chrono::milliseconds cap{10000};

  // The wait before retry number `retry` (1 for the second attempt), given a uniformly random
  // 64-bit number: in [d/2, d] where d = min(cap, base * 2^(retry-1)).
  std::chrono::milliseconds delay(int retry, uint64_t random) const;
};

// True for an HTTP answer that another attempt may turn into a success. `code` is the error
// code of the body (S3's <Code>), possibly empty.
bool is_retryable_answer(long http_status, std::string_view code);

}  // namespace logan
