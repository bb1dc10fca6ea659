// terminal_text(): text from outside (log lines, file and object names, anything a message
// echoes) made safe for a terminal: valid UTF-8, control characters (C0, DEL, C1) escaped as
// \uXXXX, so that a hostile log line or file name cannot move the cursor, retitle the window
// or change colours. Quotes and backslashes are shown as they are.
// Used by the text report and by the CLI for every message on stderr.
// Thread-safety: a pure function.
#pragma once

#include <string>
#include <string_view>

namespace logan {

std::string terminal_text(std::string_view text);

}  // namespace logan
