// split_into_messages(): cuts a run of whole log lines into Kafka message payloads. A payload
// is consecutive lines joined by '\n', without a newline after its last line, so a consumer
// gets the lines back by splitting each message on '\n'. Payloads are views into the lines:
// nothing is copied here.
// Thread-safety: a pure function.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "kafka/ship_options.h"

namespace logan {

struct MessageSpan {
  std::string_view payload;
  uint32_t lines = 0;
};

// Appends to `out` the messages for `lines` (each ends with '\n' but the last may not), in
// order: each holds as many lines as fit in limits.max_bytes and limits.max_lines (when not 0);
// a line longer than max_bytes is a message by itself.
void split_into_messages(std::string_view lines, const MessageLimits& limits,
                         std::vector<MessageSpan>& out);

}  // namespace logan
