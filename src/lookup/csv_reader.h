// CSV as RFC 4180 writes it: fields separated by commas, records by CRLF or LF; a field in
// double quotes may hold commas, quotes (doubled) and line breaks. Used for `--lookup
// NAME=csv:PATH`, whose first record names the columns.
// Thread-safety: pure function.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace logan {

// The records of `text`; a last record without a line break counts, an empty last line does
// not. Fails, with the 1-based line, on a quote that is never closed or text after a closing
// quote, or a quote inside an unquoted field.
Result<std::vector<std::vector<std::string>>> parse_csv(std::string_view text);

}  // namespace logan
