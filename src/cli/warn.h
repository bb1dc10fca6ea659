// warn(): the one way the CLI speaks to the operator on stderr: "logan: MESSAGE\n", written
// whole, with the message made terminal-safe (terminal_text: a file or object name, a URL or a
// log line a message quotes cannot carry terminal escapes through).
// Thread-safety: may be called from any thread; each message is one write.
#pragma once

#include <string_view>

namespace logan {

void warn(std::string_view message);

}  // namespace logan
