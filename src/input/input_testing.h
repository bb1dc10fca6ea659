// Test helpers shared by the input and engine tests (never linked into logan): an in-memory
// ByteSource that hands out data in reads of a chosen size and can fail at an offset, and
// gzip / zstd / bzip2 compressors for making compressed inputs, a line splitter, and an opener
// of in-memory "remote" inputs whose arrival the test controls.
// Thread-safety: a MemorySource is read by one thread at a time; an ArrivalOpener is used under
// the job's input lock like any opener.
#pragma once

#include <bzlib.h>
#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "input/byte_source.h"
#include "input/input_opener.h"

namespace logan::test_support {

// Hands out `data` at most `max_read` bytes per read; with `fail_at` set, the read that would
// pass that offset fails instead. With `lends`, it also lends its bytes (at most `max_read` at a
// time, from one buffer that lives as long as any bytes lent from it), as a download does.
class MemorySource final : public ByteSource {
 public:
  MemorySource(std::string data, size_t max_read, size_t fail_at = SIZE_MAX, bool lends = false)
      : data_(std::make_shared<const std::string>(std::move(data))),
        max_read_(max_read),
        fail_at_(fail_at),
        lends_(lends) {}
  Result<size_t> read(char* buffer, size_t capacity) override {
    auto got = next(capacity);
    if (!got) return got.error();
    if (!got->empty()) std::memcpy(buffer, got->data(), got->size());
    return got->size();
  }
  uint64_t raw_bytes_read() const override { return pos_; }
  bool lends() const override { return lends_; }
  Result<LentBytes> lend(size_t max) override {
    EXPECT_TRUE(lends_);
    EXPECT_GT(max, 0u);
    auto got = next(max);
    if (!got) return got.error();
    return LentBytes{*got, data_};
  }

 private:
  Result<std::string_view> next(size_t capacity) {
    size_t n = std::min({capacity, max_read_, data_->size() - pos_});
    if (n > 0 && pos_ + n > fail_at_) return Error{"cannot read 'memory': Input/output error"};
    std::string_view bytes(data_->data() + pos_, n);
    pos_ += n;
    return bytes;
  }
  std::shared_ptr<const std::string> data_;
  size_t max_read_;
  size_t fail_at_;
  bool lends_;
  size_t pos_ = 0;
};

inline std::string gzip(std::string_view data, int level = 6) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, data.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

inline std::string zstd(std::string_view data, int level = 3) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), level);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

inline std::string bzip2(std::string_view data, int level = 9) {
  std::string out(data.size() + data.size() / 100 + 600, '\0');
  unsigned n = static_cast<unsigned>(out.size());
  EXPECT_EQ(BZ2_bzBuffToBuffCompress(out.data(), &n, const_cast<char*>(data.data()),
                                     static_cast<unsigned>(data.size()), level, 0, 0),
            BZ_OK);
  out.resize(n);
  return out;
}

// The lines of `text`, without their '\n' (a final line without one included).
inline std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    lines.emplace_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

// An InputOpener over remote inputs held in memory, each ready (its bytes "arrived") when the
// test says so; wait_for_data() calls on_wait, the test's stand-in for bytes arriving.
class ArrivalOpener final : public InputOpener {
 public:
  struct Object {
    std::string data;
    bool ready = true;
    bool fails_at_end = false;  // a read at the end is an error instead of the end
    bool opened = false;
  };

  class Source final : public ByteSource {
   public:
    explicit Source(Object& o) : o_(o) {}
    Result<size_t> read(char* buffer, size_t capacity) override {
      if (o_.fails_at_end && pos_ == o_.data.size()) return Error{"cannot read: connection reset"};
      size_t n = std::min(capacity, o_.data.size() - pos_);
      std::memcpy(buffer, o_.data.data() + pos_, n);
      pos_ += n;
      return n;
    }
    uint64_t raw_bytes_read() const override { return pos_; }
    bool ready(size_t) override { return o_.ready || pos_ == o_.data.size(); }

   private:
    Object& o_;
    size_t pos_ = 0;
  };

  std::map<std::string, Object> objects;
  std::atomic<int> waits{0};
  // Called on every wait_for_data(): the test's stand-in for bytes arriving.
  std::function<void(ArrivalOpener&)> on_wait = [](ArrivalOpener&) {};

  bool handles(const std::string& path) const override { return objects.count(path) > 0; }
  Result<std::unique_ptr<ByteSource>> open(const InputFile& in) override {
    Object& o = objects.at(in.path);
    o.opened = true;
    return std::unique_ptr<ByteSource>(new Source(o));
  }
  bool ready(const InputFile& in, size_t) override { return objects.at(in.path).ready; }
  void wait_for_data(std::chrono::milliseconds) override {
    ++waits;
    on_wait(*this);
  }
};

}  // namespace logan::test_support
