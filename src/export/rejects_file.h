// RejectsFile: the lines `logan export` could not parse (`--rejects FILE`), so that none is
// lost. Workers hand in each chunk's rejected lines as they go; they are spilled to an
// unlinked temporary file (memory stays bounded however many there are) and, when the run
// succeeds, written to FILE in input order: inputs as listed, lines as they stand in each
// input. Each line is written with its bytes as read (without its '\n'), optionally prefixed
// by "SOURCE:LINE:" as `grep -Hn` does. FILE appears atomically (written aside, renamed).
// Thread-safety: add() may be called from any thread; open, finish and abort from one.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace logan {

// Appends one rejected line (line_in_chunk: its 0-based index within its chunk) to a block.
void append_reject(std::string& block, uint64_t line_in_chunk, std::string_view line);

class RejectsFile {
 public:
  // Checks that `path` can be written (its spill file is made in the same directory).
  static Result<std::unique_ptr<RejectsFile>> open(const std::string& path, bool with_source);
  ~RejectsFile();

  // Keeps the block of rejected lines of chunk `sequence` of input `input`.
  Status add(uint32_t input, uint64_t sequence, std::string_view block);

  // Writes the file: `first_lines[input][sequence]` is the line number of a chunk's first line
  // and `source(input)` the name of an input.
  Status finish(const std::vector<std::vector<uint64_t>>& first_lines,
                const std::function<std::string(uint32_t)>& source);

 private:
  struct Entry {
    uint32_t input;
    uint64_t sequence;
    uint64_t offset;
    uint64_t size;
  };
  RejectsFile(std::string path, bool with_source, int spill)
      : path_(std::move(path)), with_source_(with_source), spill_(spill) {}

  std::string path_;
  bool with_source_;
  int spill_;  // unlinked: nothing is left behind, whatever happens
  std::mutex mu_;
  std::vector<Entry> entries_;
  uint64_t spilled_ = 0;
};

}  // namespace logan
