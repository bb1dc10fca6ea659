// LineAssembler: turns the bytes of a stream (a socket, a pipe, a growing file) into batches
// of whole lines. Bytes are read straight into the batch being filled; when a read completes
// one or more lines, those lines go out as a batch and the unfinished line is carried into
// the next, so a line split across two reads or two writes is handed out once, whole.
//
// A line that grows past LineChunkReader::kMaxLineBytes without a newline is not buffered: its
// first bytes are kept, the rest skipped, and it goes out marked as overlong (one invalid
// line). offset() is the input offset just past the last whole line handed out: where a
// restart resumes.
// Thread-safety: one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <utility>

#include "stream/line_batch.h"

namespace logan {

class LineAssembler {
 public:
  explicit LineAssembler(size_t read_bytes = 1 << 20) : read_bytes_(read_bytes) {}

  // Starts over at `offset` of the input, where line number `lines` + 1 begins; drops any
  // unfinished line.
  void reset(uint64_t offset, uint64_t lines);

  // Where to read the next bytes into, and how many to read at most.
  std::pair<char*, size_t> buffer();
  // Accounts for `n` bytes just read into buffer(). Returns the whole lines they completed
  // as a batch (first_line and overlong_lines set), or null when they completed none.
  std::unique_ptr<LineBatch> commit(size_t n);
  // At the end of the input: the unterminated last line, if any, as a batch.
  std::unique_ptr<LineBatch> finish();

  // Frees the read buffer when it holds no unfinished line (an idle file or connection).
  void release_if_idle() {
    if (current_ && current_->data.empty() && !skipping_) current_.reset();
  }

  uint64_t offset() const { return offset_; }    // just past the last whole line handed out
  uint64_t lines() const { return lines_; }      // lines handed out
  uint64_t consumed() const { return consumed_; }  // bytes taken in (whole lines and after)
  bool has_partial_line() const { return consumed_ > offset_; }

  // Where emptied batches come from; by default new ones.
  void set_batch_factory(std::unique_ptr<LineBatch> (*factory)(void*), void* arg) {
    factory_ = factory;
    factory_arg_ = arg;
  }

 private:
  std::unique_ptr<LineBatch> new_batch();
  std::unique_ptr<LineBatch> take_lines(size_t end);

  size_t read_bytes_;
  std::unique_ptr<LineBatch> current_;  // the unfinished line, then the bytes of a read
  size_t pending_ = 0;       // bytes of current_ before the last read
  bool skipping_ = false;    // in an overlong line: current_ holds its kept prefix
  uint64_t skipped_ = 0;     // bytes of the overlong line dropped so far
  uint64_t offset_ = 0;
  uint64_t lines_ = 0;
  uint64_t consumed_ = 0;
  std::unique_ptr<LineBatch> (*factory_)(void*) = nullptr;
  void* factory_arg_ = nullptr;
};

}  // namespace logan
