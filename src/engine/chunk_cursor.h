// ChunkCursor: the shared input cursor of a batch-style job (`logan batch`, `logan export`).
// Worker threads call take() for the next chunk of whole lines and the format to parse it with;
// under its lock the cursor opens inputs in order (decoding gzip/zstd/bzip2), recognises each
// input's format for "auto", and records failures (or, with keep_going, skipped inputs). Local
// inputs are read one after another; remote ones that download in parallel are read as their
// bytes arrive: while the open inputs wait for data, the cursor opens later inputs that have
// some, or waits for the opener to receive more (see InputOpener::ready). After
// parsing a chunk a worker reports its line count, from which line numbers are computed once
// all workers are done (chunk_done()). for_each_line() and ParserSet are what every worker loop
// shares.
// Thread-safety: take(), chunk_done(), record_chunk_lines() and stop() may be called from any
// thread; the accessors below them only after every worker has returned.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "input/input_expander.h"
#include "input/input_opener.h"
#include "input/line_chunk_reader.h"
#include "parse/format_cache.h"
#include "parse/log_parser.h"
#include "stats/group_stats.h"

namespace logan {
struct QueryPlan;
}

namespace logan {

struct BatchOptions {
  std::string format = "auto";         // nickname, format string, or "auto"
  unsigned threads = 0;                // 0: one per core
  // Bytes of lines a worker takes at a time. 1 MiB, the least a chunk holds (room for the
  // longest line), was 5% faster than 4 MiB: a chunk read into a buffer stays in the core's
  // cache until it is parsed. The export takes 4 MiB (kExportChunkBytes).
  size_t chunk_bytes = 1 << 20;
  bool keep_going = false;             // skip unreadable inputs instead of failing
  InputOpener* opener = nullptr;       // opens remote inputs (s3://, hdfs://); may be null
  const RecordGrouper* grouper = nullptr;  // --group-by: outlives the job; `logan batch` only
  // --query: answered in the same pass as the statistics (`logan batch` only); they outlive
  // the job. BatchReport::queries holds their results, in this order.
  std::vector<const QueryPlan*> queries;
};

struct BatchProgress {
  std::atomic<uint64_t> raw_bytes{0};  // bytes read from storage (compressed for .gz etc.)
  std::atomic<uint64_t> lines{0};
  std::atomic<bool> done{false};
};

struct InputOutcome {
  std::string path;
  std::string format;                  // the format used ("combined", or the string given)
  bool detected = false;               // chosen by --format auto
  bool recognised = true;              // false when auto found no known format
};

// Where a batch job gets its inputs: a fixed list, or (under MPI) work units handed out on
// demand. Each input comes with its index, which numbers it in samples and input_lines.
// Thread-safety: next() is called under the job's lock, one call at a time.
class InputQueue {
 public:
  virtual ~InputQueue() = default;
  // The next input and its index (< size()), or nullopt when there are no more.
  virtual std::optional<std::pair<uint32_t, InputFile>> next() = 0;
  // How many indices there are in all.
  virtual size_t size() const = 0;
  // Told once when an input fails and keep_going is off: the job is over, stop handing out.
  virtual void stop() {}
};

// The inputs of a list, in order.
class InputList final : public InputQueue {
 public:
  explicit InputList(const std::vector<InputFile>& inputs) : inputs_(inputs) {}
  std::optional<std::pair<uint32_t, InputFile>> next() override;
  size_t size() const override { return inputs_.size(); }

 private:
  const std::vector<InputFile>& inputs_;
  size_t next_ = 0;
};

class ChunkCursor {
 public:
  // REQUIRES: queue, options and progress (may be null) outlive the cursor.
  ChunkCursor(InputQueue& queue, const BatchOptions& options, BatchProgress* progress);

  // Checks the job's --format; an error when it does not compile.
  Status prepare();

  // Fills `chunk` with the next lines and `format` with the format to parse them with; false
  // when every input is read, or the job has failed or was stopped.
  bool take(LineChunk& chunk, const LogFormat*& format);

  // A worker is done with `chunk`, which held `lines` lines: records them, and fails the input
  // when its file was truncated while the chunk was parsed in place (see MappedFile).
  void chunk_done(const LineChunk& chunk, uint64_t lines);
  // A worker parsed `lines` lines from chunk `sequence` of `input` (chunk_done() without the
  // check, for tests).
  void record_chunk_lines(uint32_t input, uint64_t sequence, uint64_t lines);

  // Ends the job early for a reason outside the inputs (an output that failed): take() returns
  // false from now on. The first reason given is kept.
  void stop(Error reason);

  // After the workers are done:
  const std::optional<Error>& input_failure() const { return failure_; }
  const std::optional<Error>& stop_reason() const { return stopped_; }
  // In input order.
  std::vector<InputOutcome> take_outcomes();
  // In input order.
  std::vector<Error> take_skipped();
  // Also while the job runs, for the input of a chunk a worker has taken (set before the
  // chunk was handed out, never changed after).
  const std::string& input_name(uint32_t input) const { return names_[input]; }
  // Lines read from each input of the queue.
  std::vector<uint64_t> input_lines() const;
  // The 1-based line number, within its input, of the first line of every chunk:
  // [input][sequence].
  std::vector<std::vector<uint64_t>> chunk_first_lines() const;

 private:
  // An input being read.
  struct OpenInput {
    uint32_t index = 0;
    std::string format_spec;                // the input's own format, or empty
    std::unique_ptr<LineChunkReader> reader;
    const LogFormat* format = nullptr;      // chosen from its first chunk
  };
  static constexpr size_t kNone = SIZE_MAX;

  // REQUIRES: mu_ held. The open input to read next (opening inputs as needed), or kNone when
  // every input is read or the job has failed.
  size_t choose_input();
  // REQUIRES: mu_ held. Opens next_input_; false when it failed (recorded).
  bool open_next();
  Result<std::unique_ptr<ByteSource>> open_input(const InputFile& in);
  bool is_remote(const InputFile& in) const;
  Status choose_format(OpenInput& in, std::string_view first_chunk);
  void finish_input(size_t slot);
  void fail_input(size_t slot, Error e);
  void record_failure(uint32_t index, Error e);
  void update_progress();

  InputQueue& queue_;
  const BatchOptions& options_;
  BatchProgress* progress_;
  FormatCache formats_;

  std::mutex mu_;  // guards the cursor below
  std::vector<std::string> names_;  // [input index] -> path, for the inputs taken
  std::vector<OpenInput> open_;     // in the order opened
  std::optional<std::pair<uint32_t, InputFile>> next_input_;  // taken from the queue, not opened
  bool queue_done_ = false;
  uint64_t done_raw_bytes_ = 0;
  std::vector<std::optional<InputOutcome>> outcomes_;  // [input index]
  std::atomic<bool> stop_requested_{false};  // set by stop() before it takes mu_
  std::vector<std::pair<uint32_t, Error>> skipped_;  // (input index, why)
  std::optional<Error> failure_;
  std::optional<Error> stopped_;

  std::mutex lines_mu_;
  std::vector<std::vector<uint64_t>> chunk_lines_;  // [input][sequence] -> lines
};

namespace chunk_detail {

// The walk over a chunk's lines that for_each_line() and for_each_line_parsed() share. Each
// line, unless the reader cut it, is first offered to match(rest), `rest` running from the
// line's start to the chunk's end: it returns the line's length when it took the line (then
// matched() is called), or LogParser::kNoMatch. Any other line, and any line too long to
// parse, goes to f(line, line_no, rejected). Returns the number of lines.
template <typename Match, typename Matched, typename F>
[[gnu::always_inline]] inline uint64_t walk_lines(const LineChunk& chunk, Match&& match,
                                                  Matched&& matched, F&& f) {
  const std::string_view text = chunk.text();
  const char* p = text.data();
  const char* end = p + text.size();
  uint64_t line_no = 0;
  size_t next_overlong = 0;
  while (p < end) {
    // Starts loading the bytes about four lines ahead (a combined line is 200 to 300 bytes, so
    // 256 bytes a line keeps pace), which the hardware prefetcher may not (it stops at pages):
    // 3–4% less time in paired runs. A prefetch past the end of the chunk is harmless.
    __builtin_prefetch(p + 1024);
    __builtin_prefetch(p + 1024 + 64);
    __builtin_prefetch(p + 1024 + 128);
    __builtin_prefetch(p + 1024 + 192);
    const bool cut = next_overlong < chunk.overlong_lines.size() &&
                     chunk.overlong_lines[next_overlong] == line_no;
    next_overlong += cut;
    const std::string_view rest(p, static_cast<size_t>(end - p));
    size_t length = cut ? LogParser::kNoMatch : match(rest);
    // A line over the limit is rejected (below), even when it would match.
    if (length != LogParser::kNoMatch && length <= LineChunkReader::kMaxLineBytes) {
      matched();
    } else {
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', rest.size()));
      length = nl ? static_cast<size_t>(nl - p) : rest.size();
      const std::string_view line(p, length);
      f(line, line_no, cut || is_overlong_line(line, LineChunkReader::kMaxLineBytes));
    }
    ++line_no;
    p += length + 1;
  }
  return line_no;
}

}  // namespace chunk_detail

// Calls f(line, line_no, rejected) for every line of `chunk` (without its '\n'), line_no
// counting from 0 within the chunk; `rejected` is true for a line too long to parse (cut by
// the reader or over the limit). Returns the number of lines.
template <typename F>
uint64_t for_each_line(const LineChunk& chunk, F&& f) {
  return chunk_detail::walk_lines(
      chunk, [](std::string_view) { return LogParser::kNoMatch; }, [] {}, f);
}

// for_each_line() for a job that parses every line: each line is first offered to
// parser.parse_line_at(), which finds its end as it parses it (one pass over its bytes instead
// of two). A line it matches goes to the LogRecord that record() returns, and then parsed() is
// called (which may move on to another record); any other line, and any line too long to
// parse, goes to f(line, line_no, rejected) as for_each_line() would give it. Returns the
// number of lines.
template <typename Record, typename Parsed, typename F>
uint64_t for_each_line_parsed(const LineChunk& chunk, LogParser& parser, Record&& record,
                              Parsed&& parsed, F&& f) {
  if (!parser.has_line_at()) return for_each_line(chunk, f);
  return chunk_detail::walk_lines(
      chunk, [&](std::string_view rest) { return parser.parse_line_at(rest, record()); }, parsed, f);
}

// A worker's parsers, one per format it has met.
// Thread-safety: one per worker thread.
class ParserSet {
 public:
  LogParser& get(const LogFormat* format) {
    for (auto& [f, p] : parsers_) {
      if (f == format) return *p;
    }
    parsers_.emplace_back(format, std::make_unique<LogParser>(*format));
    return *parsers_.back().second;
  }

 private:
  std::vector<std::pair<const LogFormat*, std::unique_ptr<LogParser>>> parsers_;
};

}  // namespace logan
