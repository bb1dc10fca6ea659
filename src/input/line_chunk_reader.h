// LineChunkReader: cuts a byte stream into chunks of whole lines for parallel parsing.
// Every chunk ends at a line boundary (the last line of the input may lack its '\n'), so a
// line split across two reads is parsed once, whole. A line longer than kMaxLineBytes is not
// buffered: its first bytes are kept, the rest skipped, and the chunk marks it as overlong so
// it counts as one invalid line. Memory is bounded by the chunk size plus that limit.
// Thread-safety: one thread at a time (the batch engine calls it under its input lock).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "input/byte_source.h"

namespace logan {

struct LineChunk {
  std::string data;                     // whole lines
  std::vector<uint64_t> overlong_lines; // 0-based indices, within this chunk, of overlong lines
  uint32_t input = 0;                   // index of the input it came from
  uint64_t sequence = 0;                // 0, 1, 2... within the input
  uint64_t offset = 0;                  // byte offset (decoded) of data[0] within the input
};

class LineChunkReader {
 public:
  static constexpr size_t kMaxLineBytes = 1 << 20;
  static constexpr size_t kOverlongKeepBytes = 512;

  LineChunkReader(std::unique_ptr<ByteSource> source, uint32_t input, size_t chunk_bytes);

  // Fills `chunk` (reusing its storage) with the next lines. Returns false at the end of the
  // input, or an error from the source.
  Result<bool> next(LineChunk& chunk);

  uint64_t raw_bytes_read() const { return source_->raw_bytes_read(); }

 private:
  // Skips to just past the next newline (or the end); returns the bytes skipped.
  Result<uint64_t> skip_rest_of_line();

  std::unique_ptr<ByteSource> source_;
  uint32_t input_;
  size_t chunk_bytes_;
  std::string carry_;     // the start of a line that the previous chunk could not finish
  uint64_t sequence_ = 0;
  uint64_t offset_ = 0;   // decoded bytes handed out or skipped so far
  bool eof_ = false;
};

}  // namespace logan
