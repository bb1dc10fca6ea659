// warn(): see warn.h.
#include "cli/warn.h"

#include <cstdio>
#include <string>

#include "report/terminal_text.h"

namespace logan {

void warn(std::string_view message) {
  std::string line = "logan: " + terminal_text(message) + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace logan
