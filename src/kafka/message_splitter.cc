// split_into_messages(): see message_splitter.h.
#include "kafka/message_splitter.h"

#include <cstring>

namespace logan {

void split_into_messages(std::string_view lines, const MessageLimits& limits,
                         std::vector<MessageSpan>& out) {
  const char* data = lines.data();
  const size_t size = lines.size();
  size_t pos = 0;
  while (pos < size) {
    const size_t start = pos;
    size_t payload_end = pos;
    uint32_t count = 0;
    while (pos < size) {
      const void* nl = std::memchr(data + pos, '\n', size - pos);
      size_t line_end = nl ? static_cast<size_t>(static_cast<const char*>(nl) - data) : size;
      if (count > 0 && (line_end - start > limits.max_bytes ||
                        (limits.max_lines != 0 && count >= limits.max_lines))) {
        break;
      }
      ++count;
      payload_end = line_end;
      pos = nl ? line_end + 1 : size;
    }
    out.push_back({lines.substr(start, payload_end - start), count});
  }
}

}  // namespace logan
