// Tests for detect_compression() and open_decoded(): each format's magic, gzip/zstd/bzip2 round
// trips (whatever the raw source's read sizes and the reader's buffer sizes), concatenated
// streams, truncated and corrupt streams as errors naming the input, and plain pass-through.
#include "input/decoding_source.h"
#include "input/input_testing.h"

#include <bzlib.h>
#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

namespace logan {
namespace {

using test_support::bzip2;
using test_support::gzip;
using test_support::MemorySource;
using test_support::zstd;

// Hands out `data` at most `max_read` bytes per read.

// Hands out `data`, then fails.
class FailingSource final : public ByteSource {
 public:
  explicit FailingSource(std::string data) : data_(std::move(data)) {}
  Result<size_t> read(char* buffer, size_t capacity) override {
    if (pos_ == data_.size()) return Error{"cannot read 'failing': Input/output error"};
    size_t n = std::min(capacity, data_.size() - pos_);
    std::memcpy(buffer, data_.data() + pos_, n);
    pos_ += n;
    return n;
  }
  uint64_t raw_bytes_read() const override { return pos_; }

 private:
  std::string data_;
  size_t pos_ = 0;
};

constexpr size_t kWhole = SIZE_MAX;

// About 150 KB of log-like text that compresses well but not trivially.
std::string sample_text() {
  std::string text;
  for (int i = 0; i < 2000; ++i) {
    text += "10.0." + std::to_string(i % 251) + "." + std::to_string(i % 7) +
            " - - [07/Mar/2024:13:55:" + std::to_string(10 + i % 50) +
            " +0000] \"GET /page/" + std::to_string(i * 7919 % 1000) +
            " HTTP/1.1\" 200 " + std::to_string(i * 31 % 9000) + "\n";
  }
  return text;
}


std::string compress(Compression c, std::string_view data) {
  switch (c) {
    case Compression::kGzip: return gzip(data);
    case Compression::kZstd: return zstd(data);
    case Compression::kBzip2: return bzip2(data);
    case Compression::kNone: break;
  }
  return std::string(data);
}

Result<std::unique_ptr<ByteSource>> open(std::string raw, size_t max_read = kWhole,
                                         const std::string& name = "access.log") {
  return open_decoded(std::make_unique<MemorySource>(std::move(raw), max_read), name);
}

// Everything `source` yields, read `capacity` bytes at a time, or its first error.
Result<std::string> read_all(ByteSource& source, size_t capacity = 64 * 1024) {
  std::string out;
  std::vector<char> buffer(capacity);
  for (;;) {
    auto n = source.read(buffer.data(), buffer.size());
    if (!n) return n.error();
    if (*n == 0) return out;
    out.append(buffer.data(), *n);
  }
}

Result<std::string> decode(std::string raw, size_t max_read = kWhole,
                           size_t capacity = 64 * 1024) {
  auto source = open(std::move(raw), max_read);
  if (!source) return source.error();
  return read_all(**source, capacity);
}

struct DetectCase {
  std::string name;
  std::string head;
  Compression expected;
};
void PrintTo(const DetectCase& c, std::ostream* os) { *os << c.name; }

class DetectCompressionTest : public testing::TestWithParam<DetectCase> {};

TEST_P(DetectCompressionTest, RecognisesMagic) {
  EXPECT_EQ(detect_compression(GetParam().head), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Magics, DetectCompressionTest,
    testing::Values(DetectCase{"gzip", std::string("\x1f\x8b\x08\x00", 4), Compression::kGzip},
                    DetectCase{"zstd", std::string("\x28\xb5\x2f\xfd", 4), Compression::kZstd},
                    DetectCase{"bzip2_level1", "BZh1", Compression::kBzip2},
                    DetectCase{"bzip2_level9", "BZh9", Compression::kBzip2},
                    DetectCase{"bzip2_bad_level", "BZh0", Compression::kNone},
                    DetectCase{"bzip2_short", "BZh", Compression::kNone},
                    DetectCase{"zstd_short", std::string("\x28\xb5\x2f", 3), Compression::kNone},
                    DetectCase{"zstd_wrong_last", std::string("\x28\xb5\x2f\xfe", 4), Compression::kNone},
                    DetectCase{"gzip_wrong_second", std::string("\x1f\x8c\x08\x00", 4), Compression::kNone},
                    DetectCase{"log_line", "1.2.3.4 - - [", Compression::kNone},
                    DetectCase{"empty", "", Compression::kNone}),
    [](const testing::TestParamInfo<DetectCase>& info) { return info.param.name; });

TEST(DecodingSourceTest, DetectsRealCompressorOutput) {
  const std::string text = sample_text();
  EXPECT_EQ(detect_compression(gzip(text)), Compression::kGzip);
  EXPECT_EQ(detect_compression(zstd(text)), Compression::kZstd);
  EXPECT_EQ(detect_compression(bzip2(text)), Compression::kBzip2);
}

TEST(CompressionNameTest, NamesEachFormat) {
  EXPECT_STREQ(compression_name(Compression::kNone), "none");
  EXPECT_STREQ(compression_name(Compression::kGzip), "gzip");
  EXPECT_STREQ(compression_name(Compression::kZstd), "zstd");
  EXPECT_STREQ(compression_name(Compression::kBzip2), "bzip2");
}

const Compression kCompressed[] = {Compression::kGzip, Compression::kZstd, Compression::kBzip2};

std::string name_of(const testing::TestParamInfo<Compression>& info) {
  return compression_name(info.param);
}

// Round trips, per format, over raw sources that deliver 1 byte, 7 bytes or all at a time: with
// 1 byte per read the magic arrives over four reads and must still be recognised.
class RoundTripTest : public testing::TestWithParam<Compression> {};

TEST_P(RoundTripTest, DecodesToTheOriginal) {
  const std::string text = sample_text();
  const std::string packed = compress(GetParam(), text);
  for (size_t max_read : {size_t{1}, size_t{7}, kWhole}) {
    auto out = decode(packed, max_read);
    ASSERT_TRUE(out.ok()) << "max_read " << max_read << ": " << out.error().message;
    EXPECT_EQ(*out, text) << "max_read " << max_read;
  }
}

TEST_P(RoundTripTest, EmptyPayload) {
  auto out = decode(compress(GetParam(), ""));
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(*out, "");
}

TEST_P(RoundTripTest, ReportsCompressedBytesConsumed) {
  const std::string packed = compress(GetParam(), sample_text());
  auto source = open(packed);
  ASSERT_TRUE(source.ok());
  ASSERT_TRUE(read_all(**source).ok());
  EXPECT_EQ((*source)->raw_bytes_read(), packed.size());
}

// A reader whose buffer is smaller than what the decoder has ready must still get everything,
// the decoder's buffered output included once the compressed input is used up.
TEST_P(RoundTripTest, SmallReaderBuffers) {
  const std::string text = sample_text();
  const std::string packed = compress(GetParam(), text);
  for (size_t capacity : {size_t{1}, size_t{7}, size_t{4096}}) {
    auto out = decode(packed, kWhole, capacity);
    ASSERT_TRUE(out.ok()) << "capacity " << capacity << ": " << out.error().message;
    EXPECT_EQ(*out, text) << "capacity " << capacity;
  }
}

// A reader buffer one byte short of the whole output (as LineChunkReader's last read of a chunk
// can be): the last byte comes with the next read.
TEST_P(RoundTripTest, ReaderBufferEndsJustBeforeTheData) {
  const std::string text = sample_text();
  auto source = open(compress(GetParam(), text));
  ASSERT_TRUE(source.ok());
  std::string first(text.size() - 1, '\0');
  auto n = (*source)->read(first.data(), first.size());
  ASSERT_TRUE(n.ok()) << n.error().message;
  EXPECT_EQ(*n, first.size());
  auto rest = read_all(**source);
  ASSERT_TRUE(rest.ok()) << rest.error().message;
  EXPECT_EQ(first + *rest, text);
}

TEST_P(RoundTripTest, ConcatenatedStreamsDecodeAsOne) {
  const std::string a = sample_text();
  const std::string b = "second part\n";
  const std::string c = "third part, no newline";
  const std::string packed = compress(GetParam(), a) + compress(GetParam(), b) +
                             compress(GetParam(), c);
  for (size_t max_read : {size_t{1}, size_t{7}, kWhole}) {
    auto out = decode(packed, max_read);
    ASSERT_TRUE(out.ok()) << "max_read " << max_read << ": " << out.error().message;
    EXPECT_EQ(*out, a + b + c) << "max_read " << max_read;
  }
}

TEST_P(RoundTripTest, TruncatedStreamIsAnErrorNamingTheInput) {
  const std::string packed = compress(GetParam(), sample_text());
  for (size_t keep : {packed.size() / 2, packed.size() - 1, size_t{4}, size_t{10}}) {
    auto source = open(packed.substr(0, keep), kWhole, "logs/access.log.x");
    ASSERT_TRUE(source.ok()) << "keep " << keep;
    auto out = read_all(**source);
    ASSERT_FALSE(out.ok()) << "keep " << keep << " decoded " << out->size() << " bytes";
    EXPECT_NE(out.error().message.find("'logs/access.log.x'"), std::string::npos)
        << out.error().message;
  }
}

TEST_P(RoundTripTest, TruncatedSecondStreamIsAnError) {
  const std::string second = compress(GetParam(), "more lines\n");
  const std::string packed =
      compress(GetParam(), "first\n") + second.substr(0, second.size() - 1);
  auto out = decode(packed);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().message.find("access.log"), std::string::npos) << out.error().message;
}

TEST_P(RoundTripTest, GarbageAfterTheMagicIsAnError) {
  std::string packed = compress(GetParam(), "x");
  std::string corrupt = packed.substr(0, 4) + std::string(200, '\xff');
  auto out = decode(corrupt);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().message.find("'access.log'"), std::string::npos) << out.error().message;
}

TEST_P(RoundTripTest, RawSourceErrorIsPassedOn) {
  const std::string packed = compress(GetParam(), sample_text());
  auto source = open_decoded(std::make_unique<FailingSource>(packed.substr(0, packed.size() / 2)),
                             "failing");
  ASSERT_TRUE(source.ok());
  auto out = read_all(**source);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().message.find("failing"), std::string::npos) << out.error().message;
}

INSTANTIATE_TEST_SUITE_P(Formats, RoundTripTest, testing::ValuesIn(kCompressed), name_of);

TEST(DecodingSourceTest, GzipChecksumMismatchIsAnError) {
  std::string packed = gzip(sample_text());
  packed[packed.size() - 6] ^= 0x55;  // inside the CRC-32 of the trailer
  auto out = decode(packed);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().message.find("corrupt gzip stream in 'access.log'"), std::string::npos)
      << out.error().message;
}

TEST(DecodingSourceTest, GzipCorruptDeflateDataIsAnError) {
  std::string packed = gzip(sample_text());
  for (size_t i = 20; i < 60; ++i) packed[i] = static_cast<char>(packed[i] ^ 0xa5);
  EXPECT_FALSE(decode(packed).ok());
}

TEST(DecodingSourceTest, GzipTrailingGarbageIsAnError) {
  EXPECT_FALSE(decode(gzip("line\n") + "garbage!").ok());
}

struct PlainCase {
  std::string name;
  std::string data;
};
void PrintTo(const PlainCase& c, std::ostream* os) { *os << c.name; }

class PlainTest : public testing::TestWithParam<PlainCase> {};

TEST_P(PlainTest, PassesThroughUnchanged) {
  for (size_t max_read : {size_t{1}, size_t{7}, kWhole}) {
    for (size_t capacity : {size_t{1}, size_t{3}, size_t{64 * 1024}}) {
      auto out = decode(GetParam().data, max_read, capacity);
      ASSERT_TRUE(out.ok()) << out.error().message;
      EXPECT_EQ(*out, GetParam().data) << "max_read " << max_read << " capacity " << capacity;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Inputs, PlainTest,
    testing::Values(PlainCase{"empty", ""}, PlainCase{"one_byte", "x"},
                    PlainCase{"three_bytes", "ab\n"}, PlainCase{"four_bytes", "abc\n"},
                    PlainCase{"gzip_first_byte_only", "\x1f" "abc\n"},
                    PlainCase{"bzip2_lookalike", "BZh!"},
                    PlainCase{"binary", std::string("\0\x01\x02\xff\xfe\n", 6)},
                    PlainCase{"log", sample_text()}),
    [](const testing::TestParamInfo<PlainCase>& info) { return info.param.name; });

TEST(DecodingSourceTest, PlainReportsRawBytes) {
  auto source = open("abcdefgh\n", 3);
  ASSERT_TRUE(source.ok());
  ASSERT_TRUE(read_all(**source).ok());
  EXPECT_EQ((*source)->raw_bytes_read(), 9u);
}

TEST(DecodingSourceTest, ErrorWhileDetectingIsReturned) {
  auto source = open_decoded(std::make_unique<FailingSource>("ab"), "failing");
  ASSERT_FALSE(source.ok());
  EXPECT_NE(source.error().message.find("failing"), std::string::npos);
}

// A raw source that says how many bytes have "arrived" (readiness, for reading remote inputs in
// arrival order): the decoders pass the question on, counting what they hold already.
class ArrivingSource final : public ByteSource {
 public:
  explicit ArrivingSource(std::string data) : data_(std::move(data)) {}
  Result<size_t> read(char* buffer, size_t capacity) override {
    size_t n = std::min(capacity, data_.size() - pos_);
    std::memcpy(buffer, data_.data() + pos_, n);
    pos_ += n;
    return n;
  }
  uint64_t raw_bytes_read() const override { return pos_; }
  bool ready(size_t bytes) override { return arrived >= pos_ + bytes || arrived == data_.size(); }
  size_t arrived = 0;

 private:
  std::string data_;
  size_t pos_ = 0;
};

TEST(DecodingSourceTest, PlainAndCompressedSourcesPassOnReadiness) {
  const std::string text = sample_text();
  for (Compression c : {Compression::kNone, Compression::kGzip, Compression::kZstd, Compression::kBzip2}) {
    std::string raw = c == Compression::kNone ? text : compress(c, text);
    auto arriving = std::make_unique<ArrivingSource>(raw);
    ArrivingSource* a = arriving.get();
    a->arrived = 4;  // what open_decoded() reads to recognise the format
    auto source = open_decoded(std::move(arriving), "arriving");
    ASSERT_TRUE(source.ok()) << source.error().message;
    EXPECT_FALSE((*source)->ready(100)) << compression_name(c);
    a->arrived = 104;
    EXPECT_TRUE((*source)->ready(100)) << compression_name(c);
    EXPECT_FALSE((*source)->ready(200)) << compression_name(c);
    a->arrived = raw.size();
    EXPECT_TRUE((*source)->ready(1 << 30)) << compression_name(c);
  }
}

}  // namespace
}  // namespace logan
