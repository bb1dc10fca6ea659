// warn(): the one way the CLI speaks to the operator on stderr: "logan: MESSAGE\n", written
// whole. The message is first stripped of credentials (every password remember_secrets() found
// on the command line, and the password of any URL or libpq `password=` it quotes, become
// "***"), then made terminal-safe (terminal_text: a file or object name, a URL or a log line
// a message quotes cannot carry terminal escapes through).
// Thread-safety: remember_secrets() from main() before any thread starts; warn() from any
// thread, each message one write.
#pragma once

#include <string>
#include <string_view>

namespace logan {

void warn(std::string_view message);

// Notes the passwords an argument holds (URLs `scheme://user:PASSWORD@host`, libpq keyword
// strings `password=PASSWORD`), as written and percent-decoded, so that no message repeats them.
void remember_secrets(std::string_view argument);

// `text` with every remembered password, and the password of every URL and `password=` in
// it, replaced by "***".
std::string without_secrets(std::string_view text);

// "logan: PREFIXbad query at line L, column C: MESSAGE", then the line of the query at fault
// with a caret under the mistake (two more lines on stderr, indented).
struct QueryCompileError;
void warn_bad_query(std::string_view sql, const QueryCompileError& error, const std::string& prefix = "");

}  // namespace logan
