// Expands the inputs named on a command line into the list of files to read: plain paths,
// directories (every regular file below, recursively, in path order, dot-files skipped),
// shell-style globs ('*', '?', '[...]' within a path segment, '**' for any number of
// directories) and "-" for stdin. Order is deterministic: arguments as given, each expansion
// sorted.
// Thread-safety: pure functions over the file system.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"

namespace logan {

struct InputFile {
  static constexpr uint64_t kWhole = UINT64_MAX;

  std::string path;     // what to open ("-" for stdin)
  uint64_t size = 0;    // bytes on disk when listed (0 for stdin), for progress estimates
  // A byte range of an uncompressed file: only the lines that start inside
  // [offset, offset + length) are read (see LineRangeSource). kWhole: the whole input.
  uint64_t offset = 0;
  uint64_t length = kWhole;
  // The log format for this input, overriding the job's (empty: the job's), e.g. the format
  // recognised once for a whole file that is read as several ranges.
  std::string format = {};

  bool is_range() const { return offset != 0 || length != kWhole; }
};

// Expands `args`. An argument that names nothing (a missing path, a glob matching no file, an
// unreadable directory) is an error naming it; with `skipped` non-null it is recorded there
// instead and expansion goes on.
Result<std::vector<InputFile>> expand_inputs(const std::vector<std::string>& args,
                                             std::vector<Error>* skipped);

bool has_glob_chars(std::string_view s);

// The non-empty '/'-separated segments of `path`.
std::vector<std::string> split_path(std::string_view path);

// Matches one path segment against a pattern of '*', '?' and '[...]' ('[!...]' negates).
// Like the shell, a leading '.' in `name` must be matched by a literal '.'.
bool glob_match_segment(std::string_view pattern, std::string_view name);

}  // namespace logan
