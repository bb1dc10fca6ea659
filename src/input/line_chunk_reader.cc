// Cutting a byte stream at line boundaries; see line_chunk_reader.h.
#include "input/line_chunk_reader.h"

#include <algorithm>
#include <cstring>

namespace logan {

LineChunkReader::LineChunkReader(std::unique_ptr<ByteSource> source, uint32_t input,
                                 size_t chunk_bytes)
    : source_(std::move(source)), input_(input), chunk_bytes_(chunk_size_for(chunk_bytes)) {}

LineChunkReader::LineChunkReader(std::shared_ptr<MappedFile> file, uint32_t input,
                                 size_t chunk_bytes)
    : file_(std::move(file)), input_(input), chunk_bytes_(chunk_size_for(chunk_bytes)) {}

namespace {

// Empties `chunk` for the next lines, keeping its buffers' storage.
void clear_chunk(LineChunk& chunk) {
  chunk.data.clear();
  chunk.mapped = {};
  chunk.mapping.reset();
  chunk.lender.reset();
  chunk.overlong_lines.clear();
}

}  // namespace

Result<bool> LineChunkReader::next_mapped(LineChunk& chunk) {
  clear_chunk(chunk);
  // A file truncated since the last chunk ends where it ends now, as a read would find it.
  const size_t end = std::max<size_t>(file_->size_now(), offset_);
  if (offset_ >= end) return false;
  chunk.input = input_;
  chunk.sequence = sequence_++;
  chunk.offset = offset_;
  chunk.mapping = file_;  // also for an overlong line's copy: a truncation is reported by it
  const char* base = file_->data();
  const size_t start = offset_;
  const size_t limit = std::min<uint64_t>(end, start + chunk_bytes_);
  // As next() cuts: at the last line end within a chunk's worth, the rest going to the next
  // chunk; the file's last line without a '\n' on its own.
  const char* nl = static_cast<const char*>(memrchr(base + start, '\n', limit - start));
  size_t stop = end;
  if (nl != nullptr) {
    stop = static_cast<size_t>(nl - base) + 1;
  } else if (limit < end) {
    // No line end within a whole chunk: an overlong line. Its first bytes, copied, and a mark.
    chunk.data.assign(std::string_view(base + start, kOverlongKeepBytes));
    chunk.data.push_back('\n');
    chunk.overlong_lines.push_back(0);
    const char* next = static_cast<const char*>(std::memchr(base + limit, '\n', end - limit));
    offset_ = next ? static_cast<size_t>(next - base) + 1 : end;
    return true;
  }
  chunk.mapped = std::string_view(base + start, stop - start);
  offset_ = stop;
  return true;
}

Result<bool> LineChunkReader::next_lent(LineChunk& chunk) {
  clear_chunk(chunk);
  chunk.input = input_;
  for (;;) {
    if (lent_.bytes.empty()) {
      lent_.owner.reset();
      auto got = source_->lend(chunk_bytes_);
      if (!got) return got.error();  // carry_ holds no whole line: nothing read is lost
      if (got->bytes.empty()) {
        eof_ = true;
        if (carry_.empty()) return false;
        // The last line, without a final newline.
        chunk.sequence = sequence_++;
        chunk.offset = offset_;
        chunk.data.assign(carry_.view());
        offset_ += carry_.size();
        carry_.clear();
        return true;
      }
      lent_ = std::move(got.value());
    }
    const std::string_view bytes = lent_.bytes;
    if (carry_.empty()) {
      // The whole lines of the block, where they lie.
      const char* last = static_cast<const char*>(memrchr(bytes.data(), '\n', bytes.size()));
      if (last != nullptr) {
        const size_t keep = static_cast<size_t>(last - bytes.data()) + 1;
        chunk.sequence = sequence_++;
        chunk.offset = offset_;
        chunk.mapped = bytes.substr(0, keep);
        chunk.lender = lent_.owner;
        lent_.bytes.remove_prefix(keep);
        offset_ += keep;
        return true;
      }
    }
    // A line that began before this block or does not end in it.
    const char* nl = static_cast<const char*>(std::memchr(bytes.data(), '\n', bytes.size()));
    const size_t part = nl != nullptr ? static_cast<size_t>(nl - bytes.data()) : bytes.size();
    if (carry_.size() + part >= chunk_bytes_) return cut_overlong_lent(chunk);
    if (nl == nullptr) {
      carry_.append(bytes);
      lent_.bytes = {};
      continue;
    }
    // Its end: the line, copied, is a chunk of its own.
    chunk.sequence = sequence_++;
    chunk.offset = offset_;
    chunk.data.assign(carry_.view());
    chunk.data.append(bytes.substr(0, part + 1));
    offset_ += chunk.data.size();
    carry_.clear();
    lent_.bytes.remove_prefix(part + 1);
    return true;
  }
}

Result<bool> LineChunkReader::cut_overlong_lent(LineChunk& chunk) {
  ChunkBuffer& data = chunk.data;
  data.assign(carry_.view().substr(0, std::min(carry_.size(), kOverlongKeepBytes)));
  data.append(lent_.bytes.substr(0, kOverlongKeepBytes - data.size()));
  data.push_back('\n');
  uint64_t length = carry_.size();
  carry_.clear();
  for (;;) {
    if (lent_.bytes.empty()) {
      lent_.owner.reset();
      auto got = source_->lend(chunk_bytes_);
      if (!got) return got.error();
      if (got->bytes.empty()) {
        eof_ = true;
        break;
      }
      lent_ = std::move(got.value());
    }
    const void* nl = std::memchr(lent_.bytes.data(), '\n', lent_.bytes.size());
    if (nl != nullptr) {
      const size_t upto = static_cast<size_t>(static_cast<const char*>(nl) - lent_.bytes.data()) + 1;
      length += upto;
      lent_.bytes.remove_prefix(upto);
      break;
    }
    length += lent_.bytes.size();
    lent_.bytes = {};
  }
  chunk.overlong_lines.push_back(0);
  chunk.sequence = sequence_++;
  chunk.offset = offset_;
  offset_ += length;
  return true;
}

Result<bool> LineChunkReader::next(LineChunk& chunk) {
  if (file_) return next_mapped(chunk);
  if (pending_error_) return *pending_error_;
  // The first chunk is read whole, even from a lender: the format is recognised from it.
  if (sequence_ > 0 && !eof_ && source_->lends()) return next_lent(chunk);
  clear_chunk(chunk);
  chunk.data.assign(carry_.view());
  carry_.clear();
  chunk.input = input_;
  chunk.sequence = sequence_;
  chunk.offset = offset_;
  ChunkBuffer& data = chunk.data;

  {
    while (!eof_ && data.size() < chunk_bytes_) {
      size_t old = data.size();
      data.resize(chunk_bytes_);
      auto n = source_->read(data.data() + old, chunk_bytes_ - old);
      if (!n) {
        // Hand out the whole lines read before the error, then report it: what is counted
        // then does not depend on the chunk size.
        data.resize(old);
        const char* nl = data.empty() ? nullptr
                                      : static_cast<const char*>(memrchr(data.data(), '\n', data.size()));
        if (nl == nullptr) return n.error();
        pending_error_ = n.error();
        data.resize(static_cast<size_t>(nl - data.data()) + 1);
        offset_ += data.size();
        ++sequence_;
        return true;
      }
      data.resize(old + *n);
      if (*n == 0) eof_ = true;
    }
    const char* base = data.data();
    const char* last_newline =
        data.empty() ? nullptr : static_cast<const char*>(memrchr(base, '\n', data.size()));
    if (last_newline != nullptr) {
      size_t keep = static_cast<size_t>(last_newline - base) + 1;
      carry_.assign(data.view().substr(keep));
      data.resize(keep);
      offset_ += keep;
      ++sequence_;
      return true;
    }
    if (eof_) {
      if (data.empty()) return false;
      offset_ += data.size();  // the last line, without a final newline
      ++sequence_;
      return true;
    }
    // No line end within the whole buffer: an overlong line. Keep its start, skip the rest.
    uint64_t length = data.size();
    data.resize(kOverlongKeepBytes);
    auto skipped = skip_rest_of_line();
    if (!skipped) return skipped.error();
    length += *skipped;
    data.push_back('\n');
    chunk.overlong_lines.push_back(0);
    offset_ += length;
    ++sequence_;
    return true;
  }
}

Result<uint64_t> LineChunkReader::skip_rest_of_line() {
  char buffer[64 * 1024];
  uint64_t skipped = 0;
  for (;;) {
    auto n = source_->read(buffer, sizeof buffer);
    if (!n) return n.error();
    if (*n == 0) {
      eof_ = true;
      return skipped;
    }
    const void* nl = std::memchr(buffer, '\n', *n);
    if (nl != nullptr) {
      size_t upto = static_cast<const char*>(nl) - buffer + 1;
      carry_.assign(std::string_view(buffer + upto, *n - upto));
      return skipped + upto;
    }
    skipped += *n;
  }
}

}  // namespace logan
