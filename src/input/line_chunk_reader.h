// LineChunkReader: cuts a byte stream into chunks of whole lines for parallel parsing.
// Every chunk ends at a line boundary (the last line of the input may lack its '\n'), so a
// line split across two reads is parsed once, whole. A line that does not fit in a chunk is
// not buffered: its first bytes are kept, the rest skipped, and the chunk marks it as overlong
// so it counts as one invalid line. Lines over kMaxLineBytes that do fit are handed out whole;
// the consumer rejects them (see is_overlong_line). Memory is bounded by twice the chunk size.
// Lines are copied into a chunk's buffer, except from a mapped file and from a source that
// lends its blocks (a download): the lines within a block are then handed out where they lie,
// and only a line that straddles two blocks is copied, into a small chunk of its own.
// Thread-safety: one thread at a time (the batch engine calls it under its input lock).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include "input/byte_source.h"
#include "input/mapped_file.h"

namespace logan {

// A byte buffer that grows without zero-filling and keeps its storage when cleared, so a
// worker's chunk costs no allocation or page faults after the first few.
class ChunkBuffer {
 public:
  const char* data() const { return data_.get(); }
  char* data() { return data_.get(); }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::string_view view() const { return {data_.get(), size_}; }
  void clear() { size_ = 0; }
  // Sets the size; new bytes are uninitialised. Keeps the first min(size, n) bytes.
  void resize(size_t n) {
    if (n > capacity_) grow(n);
    size_ = n;
  }
  void assign(std::string_view bytes) {
    resize(bytes.size());
    if (!bytes.empty()) std::memcpy(data_.get(), bytes.data(), bytes.size());
  }
  void push_back(char c) {
    resize(size_ + 1);
    data_[size_ - 1] = c;
  }
  void append(std::string_view bytes) {
    size_t at = size_;
    resize(size_ + bytes.size());
    if (!bytes.empty()) std::memcpy(data_.get() + at, bytes.data(), bytes.size());
  }

 private:
  void grow(size_t n) {
    size_t capacity = std::max(n, capacity_ * 2);
    std::unique_ptr<char[]> bigger(new char[capacity]);
    if (size_) std::memcpy(bigger.get(), data_.get(), size_);
    data_ = std::move(bigger);
    capacity_ = capacity;
  }
  std::unique_ptr<char[]> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

struct LineChunk {
  ChunkBuffer data;                     // whole lines, when copied (see text())
  std::string_view mapped;              // whole lines, when read in place from `mapping`
  std::shared_ptr<MappedFile> mapping;  // the file read in place (keeps `mapped` valid), or null
  std::shared_ptr<const void> lender;   // the lent block `mapped` lies in (keeps it valid), or null
  std::vector<uint64_t> overlong_lines; // 0-based indices, within this chunk, of overlong lines
  uint32_t input = 0;                   // index of the input it came from
  uint64_t sequence = 0;                // 0, 1, 2... within the input
  uint64_t offset = 0;                  // byte offset (decoded) of text()[0] within the input

  // The chunk's lines, wherever they are.
  std::string_view text() const { return mapped.data() != nullptr ? mapped : data.view(); }
};

// True for a line (without its '\n', with or without a '\r') longer than the limit.
inline bool is_overlong_line(std::string_view line, size_t limit) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line.size() > limit;
}

class LineChunkReader {
 public:
  static constexpr size_t kMaxLineBytes = 1 << 20;
  static constexpr size_t kOverlongKeepBytes = 512;

  LineChunkReader(std::unique_ptr<ByteSource> source, uint32_t input, size_t chunk_bytes);
  // Cuts the chunks out of a mapped file, in place: the same lines and the same chunks as
  // reading it would give, without copying them (see MappedFile for a file that shrinks).
  LineChunkReader(std::shared_ptr<MappedFile> file, uint32_t input, size_t chunk_bytes);
  // The chunk size a reader asked for `chunk_bytes` uses: room for a line of the maximum length
  // with its "\r\n", so only a longer one fills a buffer without a line end.
  static size_t chunk_size_for(size_t chunk_bytes) { return std::max(chunk_bytes, kMaxLineBytes + 2); }

  // Fills `chunk` (reusing its storage) with the next lines. Returns false at the end of the
  // input, or an error from the source: the whole lines read before an error are handed out
  // first, and the error comes with the next call.
  Result<bool> next(LineChunk& chunk);

  uint64_t raw_bytes_read() const { return file_ ? offset_ : source_->raw_bytes_read(); }
  // Whether next() would not wait for a download (see ByteSource::ready).
  bool ready() {
    return file_ || eof_ || pending_error_ || !lent_.bytes.empty() ||
           source_->ready(chunk_bytes_ - std::min(carry_.size(), chunk_bytes_));
  }

 private:
  Result<bool> next_mapped(LineChunk& chunk);
  // next() from a source that lends its bytes.
  Result<bool> next_lent(LineChunk& chunk);
  // The line begun in carry_, continued in lent_, has at least chunk_bytes_ bytes: hands out
  // its start, marked, and skips the rest.
  Result<bool> cut_overlong_lent(LineChunk& chunk);
  // Skips to just past the next newline (or the end); returns the bytes skipped.
  Result<uint64_t> skip_rest_of_line();

  std::unique_ptr<ByteSource> source_;  // null when reading a mapped file
  std::shared_ptr<MappedFile> file_;    // null when reading a source
  uint32_t input_;
  size_t chunk_bytes_;
  ChunkBuffer carry_;     // the start of a line that the previous chunk could not finish
  LentBytes lent_;        // the part of a lent block not yet handed out
  std::optional<Error> pending_error_;
  uint64_t sequence_ = 0;
  uint64_t offset_ = 0;   // decoded bytes handed out or skipped so far
  bool eof_ = false;
};

}  // namespace logan
