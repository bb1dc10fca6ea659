// LineAssembler: see line_assembler.h.
#include "stream/line_assembler.h"

#include <algorithm>
#include <cstring>

namespace logan {

namespace {

// Newlines in [p, p + n): memchr (vectorised by the C library) from one to the next, which
// beats a byte loop by far for lines of a hundred bytes or more.
uint64_t count_newlines(const char* p, size_t n) {
  const char* end = p + n;
  uint64_t count = 0;
  while (p < end) {
    const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p));
    if (nl == nullptr) break;
    ++count;
    p = static_cast<const char*>(nl) + 1;
  }
  return count;
}

}  // namespace

void LineAssembler::reset(uint64_t offset, uint64_t lines) {
  if (current_) current_->reset();
  pending_ = 0;
  skipping_ = false;
  skipped_ = 0;
  offset_ = consumed_ = offset;
  lines_ = lines;
}

std::unique_ptr<LineBatch> LineAssembler::new_batch() {
  auto batch = factory_ ? factory_(factory_arg_) : std::make_unique<LineBatch>();
  batch->reset();
  return batch;
}

std::pair<char*, size_t> LineAssembler::buffer() {
  if (!current_) current_ = new_batch();
  pending_ = current_->data.size();
  current_->data.resize(pending_ + read_bytes_);
  return {current_->data.data() + pending_, read_bytes_};
}

// Hands out current_'s bytes [0, end) (whole lines) and keeps the rest as the next batch.
std::unique_ptr<LineBatch> LineAssembler::take_lines(size_t end) {
  std::unique_ptr<LineBatch> out = std::move(current_);
  current_ = new_batch();
  current_->data.assign(out->data.view().substr(end));
  out->data.resize(end);
  uint64_t n = count_newlines(out->data.data(), end);
  out->first_line = lines_ + 1;
  out->first_offset = offset_;
  lines_ += n;
  offset_ += end + skipped_;
  skipped_ = 0;
  return out;
}

std::unique_ptr<LineBatch> LineAssembler::commit(size_t n) {
  LineBatch& b = *current_;
  b.data.resize(pending_ + n);
  consumed_ += n;
  if (n == 0) return nullptr;
  if (skipping_) {
    // Drop the overlong line's bytes up to its newline; the kept prefix stays in front.
    char* fresh = b.data.data() + pending_;
    char* nl = static_cast<char*>(std::memchr(fresh, '\n', n));
    if (nl == nullptr) {
      skipped_ += n;
      b.data.resize(pending_);
      return nullptr;
    }
    size_t drop = static_cast<size_t>(nl - fresh);
    skipped_ += drop;
    std::memmove(fresh, nl, n - drop);
    b.data.resize(pending_ + n - drop);
    b.overlong_lines.push_back(0);
    skipping_ = false;
  }
  const char* start = b.data.data();
  const void* last = memrchr(start + pending_, '\n', b.data.size() - pending_);
  if (last == nullptr) {
    if (b.data.size() > LineChunkReader::kMaxLineBytes + 1) {
      skipped_ += b.data.size() - LineChunkReader::kOverlongKeepBytes;
      b.data.resize(LineChunkReader::kOverlongKeepBytes);
      skipping_ = true;
    }
    return nullptr;
  }
  size_t end = static_cast<size_t>(static_cast<const char*>(last) - start) + 1;
  return take_lines(end);
}

std::unique_ptr<LineBatch> LineAssembler::finish() {
  if (!current_ || current_->data.empty()) {
    if (current_) current_->reset();
    return nullptr;
  }
  std::unique_ptr<LineBatch> out = std::move(current_);
  if (skipping_) {
    out->overlong_lines.assign(1, 0);
    skipping_ = false;
  }
  out->first_line = lines_ + 1;
  out->first_offset = offset_;
  lines_ += 1;
  offset_ += out->data.size() + skipped_;
  skipped_ = 0;
  consumed_ = offset_;
  return out;
}

}  // namespace logan
