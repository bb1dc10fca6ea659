// Glob matching on the keys of an object store (S3 keys, WebHDFS paths), with the rules of
// local paths (input_expander.h): '*', '?' and '[...]' match within one '/'-separated segment,
// a segment of "**" matches any number of segments (none included), and a leading '.' must be
// matched literally. Listing starts from the pattern's longest literal prefix.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace logan {

// True when `key` matches all of `pattern`.
bool key_glob_match(std::string_view pattern, std::string_view key);

// The characters of `pattern` before its first glob character: every key that matches starts
// with it, so it is the prefix to list.
std::string glob_literal_prefix(std::string_view pattern);

}  // namespace logan
