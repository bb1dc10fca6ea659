// Retry policy; see retry_policy.h.
#include "remote/retry_policy.h"

#include <algorithm>

namespace logan {

std::chrono::milliseconds RetryPolicy::delay(int retry, uint64_t random) const {
  int64_t d = base.count();
  for (int i = 1; i < retry && d < cap.count(); ++i) d *= 2;
  d = std::min<int64_t>(d, cap.count());
  int64_t half = d / 2;
  return std::chrono::milliseconds(half + (half > 0 ? static_cast<int64_t>(random % (half + 1)) : 0));
}

bool is_retryable_answer(long http_status, std::string_view code) {
  if (code == "SlowDown" || code == "RequestTimeout" || code == "InternalError") return true;
  return http_status >= 500 || http_status == 429 || http_status == 408;
}

}  // namespace logan
