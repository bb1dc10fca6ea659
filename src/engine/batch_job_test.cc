// Tests for run_batch() over temporary files: the statistics equal a one-line-at-a-time
// reference whatever the thread count and chunk size, invalid-line samples keep their line
// numbers across chunk boundaries and inputs, lines over 1 MiB are invalid, missing or
// truncated inputs fail or are skipped (keep_going), a bad --format is an error, --format auto
// picks a format per input, and compressed inputs give the same statistics as plain ones.
#include "engine/batch_job.h"
#include "input/input_testing.h"

#include <bzlib.h>
#include <gtest/gtest.h>

#include <chrono>

#include <thread>

#include <optional>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "gen/log_generator.h"
#include "input/line_chunk_reader.h"
#include "parse/log_format.h"
#include "parse/log_parser.h"

namespace logan {
namespace {

using test_support::bzip2;
using test_support::gzip;
using test_support::split_lines;
using test_support::zstd;

namespace fs = std::filesystem;

constexpr size_t kSmallChunk = 1 << 20;

std::string generate(const std::string& format, uint64_t lines, uint64_t seed = 42) {
  GenOptions options;
  options.format = format;
  options.lines = lines;
  options.seed = seed;
  LogGenerator generator(options);
  std::string out;
  generator.append_lines(out, lines);
  return out;
}

// The statistics of `contents` (one string per input, named `paths`), computed one line at a
// time with `format`: what run_batch() must produce.
AccessStats reference_stats(const std::vector<std::string>& paths,
                            const std::vector<std::string>& contents, const std::string& format) {
  auto compiled = LogFormat::compile(format);
  EXPECT_TRUE(compiled.ok());
  LogParser parser(*compiled);
  AccessStats stats;
  for (size_t i = 0; i < contents.size(); ++i) {
    uint64_t line_no = 0;
    for (std::string& line : split_lines(contents[i])) {
      ++line_no;
      LogRecord record;
      if (line.size() < LineChunkReader::kMaxLineBytes && parser.parse(line, record)) {
        stats.add_parsed(record);
      } else {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        stats.add_invalid(static_cast<uint32_t>(i), line_no, paths[i], line);
      }
    }
  }
  return stats;
}

std::vector<uint64_t> sample_lines(const AccessStats& stats) {
  std::vector<uint64_t> lines;
  for (const auto& s : stats.invalid_samples()) lines.push_back(s.line);
  return lines;
}


class BatchJobTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "logan_batch_XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // Writes `content` to a file in the test's directory; returns its path.
  std::string write(const std::string& name, const std::string& content) {
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  static std::vector<InputFile> inputs_of(const std::vector<std::string>& paths) {
    std::vector<InputFile> inputs;
    for (const auto& p : paths) {
      std::error_code ec;
      uint64_t size = fs::file_size(p, ec);
      inputs.push_back(InputFile{.path = p, .size = ec ? 0 : size});
    }
    return inputs;
  }

  static Result<BatchReport> run(const std::vector<std::string>& paths, BatchOptions options) {
    return run_batch(inputs_of(paths), options);
  }

  static BatchOptions options(unsigned threads, size_t chunk_bytes = 4 << 20,
                              std::string format = "auto") {
    BatchOptions o;
    o.threads = threads;
    o.chunk_bytes = chunk_bytes;
    o.format = std::move(format);
    return o;
  }

  fs::path dir_;
};

// About 4.6 MB of combined lines with same-length garbage put in place of chosen lines, so the
// chunk boundaries stay where the generated text has them.
struct MarkedLog {
  std::string text;
  std::vector<uint64_t> invalid;  // 1-based line numbers, ascending
};

MarkedLog marked_log() {
  std::string text = generate("combined", 20000);
  std::vector<std::string> lines = split_lines(text);
  // The first lines of the second and fourth chunks of LineChunkReader's smallest size, where
  // each chunk is the whole lines of the next kSmallChunk bytes.
  std::vector<uint64_t> chunk_first_lines;
  for (size_t start = 0; start < text.size();) {
    chunk_first_lines.push_back(
        static_cast<uint64_t>(std::count(text.begin(), text.begin() + start, '\n')) + 1);
    if (start + kSmallChunk >= text.size()) break;
    start = text.rfind('\n', start + kSmallChunk - 1) + 1;
  }
  EXPECT_GE(chunk_first_lines.size(), 4u);
  uint64_t second = chunk_first_lines.at(1);
  uint64_t fourth = chunk_first_lines.at(3);
  std::vector<uint64_t> invalid = {1, 2, second - 1, second, 10000, fourth - 1, fourth,
                                   lines.size()};
  for (uint64_t n : invalid) lines[n - 1] = std::string(lines[n - 1].size(), '#');
  std::string marked;
  for (const auto& line : lines) marked += line + '\n';
  EXPECT_EQ(marked.size(), text.size());
  return {marked, invalid};
}

TEST_F(BatchJobTest, SameStatsForAnyThreadCountAndChunkSize) {
  const MarkedLog log = marked_log();
  const std::string path = write("access.log", log.text);
  const AccessStats expected = reference_stats({path}, {log.text}, "combined");
  ASSERT_EQ(expected.invalid_lines(), log.invalid.size());
  ASSERT_EQ(sample_lines(expected), log.invalid);
  for (size_t chunk_bytes : {kSmallChunk, size_t{4} << 20, size_t{1}}) {
    for (unsigned threads : {1u, 2u, 4u}) {
      SCOPED_TRACE("threads " + std::to_string(threads) + " chunk_bytes " +
                   std::to_string(chunk_bytes));
      BatchProgress progress;
      auto report = run_batch(inputs_of({path}), options(threads, chunk_bytes), &progress);
      ASSERT_TRUE(report.ok()) << report.error().message;
      EXPECT_TRUE(report->stats == expected);
      EXPECT_EQ(report->stats.total_lines(), 20000u);
      EXPECT_EQ(report->stats.invalid_lines(), log.invalid.size());
      EXPECT_EQ(sample_lines(report->stats), log.invalid);
      EXPECT_EQ(progress.lines.load(), 20000u);
      EXPECT_EQ(progress.raw_bytes.load(), log.text.size());
      EXPECT_TRUE(progress.done.load());
    }
  }
}

TEST_F(BatchJobTest, SamplesAreNumberedWithinEachInput) {
  std::string a = generate("combined", 300, 1);
  std::string b = "not a log line\n" + generate("combined", 300, 2) + "second bad\r\n" +
                  "last bad, no newline";
  std::vector<std::string> paths = {write("a.log", a), write("b.log", b)};
  auto report = run(paths, options(2));
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_TRUE(report->stats == reference_stats(paths, {a, b}, "combined"));
  const auto& samples = report->stats.invalid_samples();
  ASSERT_EQ(samples.size(), 3u);
  EXPECT_EQ(samples[0], (InvalidSample{1, 1, paths[1], "not a log line"}));
  EXPECT_EQ(samples[1], (InvalidSample{1, 302, paths[1], "second bad"}));
  EXPECT_EQ(samples[2], (InvalidSample{1, 303, paths[1], "last bad, no newline"}));
  ASSERT_EQ(report->inputs.size(), 2u);
  EXPECT_EQ(report->inputs[0].path, paths[0]);
  EXPECT_EQ(report->inputs[1].path, paths[1]);
}

TEST_F(BatchJobTest, SamplesAreTheEarliestWhenALaterInputIsReadFirst) {
  // b has more bad lines than are kept, and is read first (a's bytes have not arrived): the
  // samples are still the first invalid lines in input order, a's and then b's.
  std::string a = generate("combined", 50, 1) + "bad in a\n" + generate("combined", 50, 2);
  std::string b;
  for (int i = 0; i < 30; ++i) b += "bad in b " + std::to_string(i) + "\n";
  test_support::ArrivalOpener opener;
  opener.objects["s3://x/a.log"] = {a, false};
  opener.objects["s3://x/b.log"] = {b, true};
  opener.on_wait = [](test_support::ArrivalOpener& o) { o.objects["s3://x/a.log"].ready = true; };
  BatchOptions o = options(1);
  o.opener = &opener;
  auto report = run_batch(std::vector<InputFile>{{"s3://x/a.log"}, {"s3://x/b.log"}}, o, nullptr);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(opener.waits, 1);  // b was read while a waited
  EXPECT_EQ(report->stats.invalid_lines(), 31u);
  const auto& samples = report->stats.invalid_samples();
  ASSERT_EQ(samples.size(), AccessStats::kMaxSamples);
  EXPECT_EQ(samples[0], (InvalidSample{0, 51, "s3://x/a.log", "bad in a"}));
  for (size_t i = 1; i < samples.size(); ++i) {
    EXPECT_EQ(samples[i], (InvalidSample{1, i, "s3://x/b.log", "bad in b " + std::to_string(i - 1)}));
  }
}

TEST_F(BatchJobTest, OverlongLineCountsOnceAndLaterLinesKeepTheirNumbers) {
  std::string before = generate("combined", 2000, 3);
  std::string after = generate("combined", 2000, 4);
  std::string overlong(LineChunkReader::kMaxLineBytes + 4096, 'z');
  std::string text = before + overlong + "\n" + after + "bad\n";
  std::string path = write("long.log", text);
  for (unsigned threads : {1u, 3u}) {
    auto report = run({path}, options(threads, kSmallChunk, "combined"));
    ASSERT_TRUE(report.ok()) << report.error().message;
    EXPECT_EQ(report->stats.total_lines(), 4002u);
    EXPECT_EQ(report->stats.invalid_lines(), 2u);
    ASSERT_EQ(report->stats.invalid_samples().size(), 2u);
    const InvalidSample& first = report->stats.invalid_samples()[0];
    EXPECT_EQ(first.line, 2001u);
    EXPECT_LE(first.text.size(), AccessStats::kSampleTextLimit);
    EXPECT_EQ(first.text, overlong.substr(0, first.text.size()));
    EXPECT_EQ(report->stats.invalid_samples()[1].line, 4002u);
  }
}

// docs/json-output.md: "A line longer than 1 MiB is invalid", even a well-formed one that fits
// in a chunk.
TEST_F(BatchJobTest, LineOverOneMiBIsInvalidWhateverTheChunkSize) {
  std::string huge = "1.2.3.4 - - [07/Mar/2024:10:00:00 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"" +
                     std::string(2 * LineChunkReader::kMaxLineBytes, 'a') + "\"\n";
  std::string path = write("huge.log", generate("combined", 100) + huge + generate("combined", 100));
  for (size_t chunk_bytes : {kSmallChunk, size_t{4} << 20, size_t{8} << 20}) {
    SCOPED_TRACE("chunk_bytes " + std::to_string(chunk_bytes));
    auto report = run({path}, options(2, chunk_bytes, "combined"));
    ASSERT_TRUE(report.ok()) << report.error().message;
    EXPECT_EQ(report->stats.total_lines(), 201u);
    EXPECT_EQ(report->stats.invalid_lines(), 1u);
    ASSERT_EQ(report->stats.invalid_samples().size(), 1u);
    EXPECT_EQ(report->stats.invalid_samples()[0].line, 101u);
  }
}

TEST_F(BatchJobTest, MissingInputFailsNamingIt) {
  std::string good = write("good.log", generate("combined", 10));
  std::string missing = (dir_ / "missing.log").string();
  auto report = run({good, missing}, options(2));
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.error().message.find(missing), std::string::npos) << report.error().message;
}

// A file truncated or removed while the job reads it: no crash, and whatever was read is
// counted consistently (the timing decides how much; every outcome below is allowed).
TEST_F(BatchJobTest, FileChangingUnderTheJob) {
  const std::string text = generate("combined", 60000);
  const uint64_t all_lines = 60000;
  for (bool remove : {false, true}) {
    SCOPED_TRACE(remove ? "removed" : "truncated");
    std::string path = write("moving.log", text);
    std::thread vandal([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      std::error_code ec;
      if (remove) {
        fs::remove(path, ec);
      } else {
        fs::resize_file(path, text.size() / 3, ec);
      }
    });
    auto report = run({path}, options(1, kSmallChunk));
    vandal.join();
    if (!report.ok()) {
      // Removed before it was opened, or (parsed in place) cut short under a chunk being
      // parsed: the error names it.
      EXPECT_NE(report.error().message.find(path), std::string::npos);
      if (!remove) {
        EXPECT_NE(report.error().message.find("was truncated while it was read"), std::string::npos)
            << report.error().message;
      }
      continue;
    }
    EXPECT_LE(report->stats.total_lines(), all_lines);
    EXPECT_EQ(report->stats.parsed_lines() + report->stats.invalid_lines(),
              report->stats.total_lines());
    EXPECT_EQ(report->input_lines[0], report->stats.total_lines());
  }
}

TEST_F(BatchJobTest, KeepGoingSkipsMissingInputAndReportsTheRest) {
  std::string text = generate("combined", 500);
  std::string good = write("good.log", text);
  std::string missing = (dir_ / "missing.log").string();
  BatchOptions o = options(2);
  o.keep_going = true;
  auto report = run({missing, good}, o);
  ASSERT_TRUE(report.ok()) << report.error().message;
  ASSERT_EQ(report->skipped.size(), 1u);
  EXPECT_NE(report->skipped[0].message.find(missing), std::string::npos)
      << report->skipped[0].message;
  ASSERT_EQ(report->inputs.size(), 1u);
  EXPECT_EQ(report->inputs[0].path, good);
  EXPECT_EQ(report->stats.total_lines(), 500u);
  EXPECT_EQ(report->stats.parsed_lines(), 500u);
}

// An input's own format (as MPI gives split files) that does not compile fails that input,
// naming it, rather than parsing it with some other format.
TEST_F(BatchJobTest, BadPerInputFormatFailsNamingTheInput) {
  std::string path = write("odd.log", generate("combined", 20));
  InputFile in{.path = path, .format = "%h %{unclosed"};
  auto report = run_batch({in}, options(2));
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.error().message.find(path), std::string::npos) << report.error().message;
  BatchOptions o = options(2);
  o.keep_going = true;
  auto kept = run_batch({in}, o);
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->skipped.size(), 1u);
  EXPECT_EQ(kept->stats.total_lines(), 0u);
}

TEST_F(BatchJobTest, BadFormatIsAnError) {
  std::string path = write("a.log", generate("combined", 10));
  for (const char* format : {"%{Referer", ""}) {
    auto report = run({path}, options(1, kSmallChunk, format));
    ASSERT_FALSE(report.ok()) << "format '" << format << "'";
    EXPECT_NE(report.error().message.find("--format"), std::string::npos)
        << report.error().message;
  }
}

TEST_F(BatchJobTest, ExplicitFormatIsUsedForEveryInput) {
  std::string common = write("common.log", generate("common", 50));
  std::string combined = write("combined.log", generate("combined", 40));
  auto report = run({common, combined}, options(2, kSmallChunk, "common"));
  ASSERT_TRUE(report.ok()) << report.error().message;
  ASSERT_EQ(report->inputs.size(), 2u);
  for (const auto& input : report->inputs) {
    EXPECT_EQ(input.format, "common");
    EXPECT_FALSE(input.detected);
    EXPECT_TRUE(input.recognised);
  }
  EXPECT_EQ(report->stats.parsed_lines(), 50u);
  EXPECT_EQ(report->stats.invalid_lines(), 40u);
}

TEST_F(BatchJobTest, AutoFormatIsChosenPerInput) {
  std::string common_text = generate("common", 300, 5);
  std::string combined_text = generate("combined", 200, 6);
  std::vector<std::string> paths = {write("common.log", common_text),
                                    write("combined.log", combined_text),
                                    write("garbage.log", "hello\nworld\n"),
                                    write("empty.log", "")};
  for (unsigned threads : {1u, 2u}) {
    auto report = run(paths, options(threads));
    ASSERT_TRUE(report.ok()) << report.error().message;
    ASSERT_EQ(report->inputs.size(), 4u);
    const auto& in = report->inputs;
    EXPECT_EQ(in[0].path, paths[0]);
    EXPECT_EQ(in[0].format, "common");
    EXPECT_TRUE(in[0].detected);
    EXPECT_TRUE(in[0].recognised);
    EXPECT_EQ(in[1].path, paths[1]);
    EXPECT_EQ(in[1].format, "combined");
    EXPECT_TRUE(in[1].detected);
    EXPECT_TRUE(in[1].recognised);
    EXPECT_EQ(in[2].path, paths[2]);
    EXPECT_TRUE(in[2].detected);
    EXPECT_FALSE(in[2].recognised);
    EXPECT_EQ(in[3].path, paths[3]);
    EXPECT_TRUE(in[3].recognised) << "an empty input is not unrecognised";
    EXPECT_EQ(report->stats.parsed_lines(), 500u);
    EXPECT_EQ(report->stats.invalid_lines(), 2u);

    AccessStats expected = reference_stats({paths[0]}, {common_text}, "common");
    expected.merge(reference_stats({paths[1]}, {combined_text}, "combined"));
    EXPECT_TRUE(report->stats.clients() == expected.clients());
    EXPECT_TRUE(report->stats.endpoints() == expected.endpoints());
    EXPECT_EQ(report->stats.content_size(), expected.content_size());
    EXPECT_EQ(report->stats.response_codes(), expected.response_codes());
  }
}

TEST_F(BatchJobTest, CompressedInputsGiveThePlainStats) {
  const std::string text = generate("combined", 12000, 7);  // about 2.8 MB: three chunks
  const std::string plain = write("access.log", text);
  auto expected = run({plain}, options(2, kSmallChunk));
  ASSERT_TRUE(expected.ok()) << expected.error().message;
  ASSERT_EQ(expected->stats.parsed_lines(), 12000u);

  const std::vector<std::pair<std::string, std::string>> packed = {
      {"access.log.gz", gzip(text)},
      {"access.log.zst", zstd(text)},
      {"access.log.bz2", bzip2(text)},
      {"gzip_without_suffix", gzip(text)},
      {"access.log.gz.concatenated",
       gzip(std::string_view(text).substr(0, 1000000)) + gzip(std::string_view(text).substr(1000000))}};
  for (const auto& [name, bytes] : packed) {
    SCOPED_TRACE(name);
    std::string path = write(name, bytes);
    BatchProgress progress;
    auto report = run_batch(inputs_of({path}), options(2, kSmallChunk), &progress);
    ASSERT_TRUE(report.ok()) << report.error().message;
    EXPECT_TRUE(report->stats == expected->stats);
    EXPECT_EQ(progress.raw_bytes.load(), bytes.size()) << "compressed bytes, for progress";
  }
}

// A gzip file cut so that several 1 MiB chunks decode before the error.
std::string truncated_gzip() {
  std::string packed = gzip(generate("combined", 12000));
  return packed.substr(0, packed.size() * 3 / 4);
}

TEST_F(BatchJobTest, TruncatedCompressedInputFailsNamingIt) {
  std::string path = write("cut.log.gz", truncated_gzip());
  for (size_t chunk_bytes : {kSmallChunk, size_t{4} << 20}) {
    auto report = run({path}, options(2, chunk_bytes));
    ASSERT_FALSE(report.ok());
    EXPECT_NE(report.error().message.find("truncated gzip stream in '" + path + "'"),
              std::string::npos)
        << report.error().message;
  }
}

TEST_F(BatchJobTest, KeepGoingSkipsTruncatedInput) {
  std::string path = write("cut.log.gz", truncated_gzip());
  std::string good = write("good.log", generate("combined", 10));
  BatchOptions o = options(2, kSmallChunk);
  o.keep_going = true;
  auto report = run({path, good}, o);
  ASSERT_TRUE(report.ok()) << report.error().message;
  ASSERT_EQ(report->skipped.size(), 1u);
  EXPECT_NE(report->skipped[0].message.find(path), std::string::npos);
  ASSERT_FALSE(report->inputs.empty());
  EXPECT_EQ(report->inputs.back().path, good);
}

// With keep_going, an input that fails part-way (a truncated .gz) is listed as skipped, and
// the whole lines it gave before the error are counted: the same lines whatever the chunk size,
// so the statistics do not depend on how the input was cut.
TEST_F(BatchJobTest, KeepGoingCountsTheWholeLinesBeforeAnError) {
  std::string path = write("cut.log.gz", truncated_gzip());
  std::string good = write("good.log", generate("combined", 10));
  std::optional<AccessStats> first;
  for (size_t chunk_bytes : {kSmallChunk, size_t{4} << 20}) {
    SCOPED_TRACE("chunk_bytes " + std::to_string(chunk_bytes));
    BatchOptions o = options(2, chunk_bytes);
    o.keep_going = true;
    auto report = run({path, good}, o);
    ASSERT_TRUE(report.ok()) << report.error().message;
    ASSERT_EQ(report->skipped.size(), 1u);
    EXPECT_NE(report->skipped[0].message.find("cut.log.gz"), std::string::npos);
    ASSERT_EQ(report->input_lines.size(), 2u);
    EXPECT_GT(report->input_lines[0], 0u);
    EXPECT_EQ(report->input_lines[1], 10u);
    EXPECT_EQ(report->stats.total_lines(), report->input_lines[0] + 10);
    if (first) {
      EXPECT_TRUE(report->stats == *first);
    } else {
      first = report->stats;
    }
  }
}

TEST_F(BatchJobTest, NoInputsGiveEmptyStats) {
  auto report = run({}, options(2));
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->stats == AccessStats{});
  EXPECT_TRUE(report->inputs.empty());
}

}  // namespace
}  // namespace logan
