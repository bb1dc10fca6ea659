// The batch analyzer; see batch_job.h.
#include "engine/batch_job.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "input/decoding_source.h"
#include "input/line_chunk_reader.h"
#include "input/line_range_source.h"
#include "parse/format_cache.h"
#include "parse/format_detect.h"
#include "parse/log_format.h"
#include "parse/log_parser.h"

namespace logan {
namespace {

// An invalid line seen by a worker, before its global line number is known.
struct PendingSample {
  uint32_t input;
  uint64_t sequence;
  uint64_t line_in_chunk;
  std::string text;
};

class BatchJob {
 public:
  BatchJob(InputQueue& queue, const BatchOptions& options, BatchProgress* progress)
      : queue_(queue), options_(options), progress_(progress), names_(queue.size()),
        chunk_lines_(queue.size()) {}

  Status prepare() {
    if (options_.format != "auto") {
      auto f = formats_.get(options_.format);
      if (!f) return Error{"bad --format: " + f.error().message};
    }
    return Ok{};
  }

  Result<BatchReport> run() {
    unsigned threads = options_.threads ? options_.threads : std::thread::hardware_concurrency();
    threads = std::max(1u, threads);
    std::vector<AccessStats> partials(threads);
    std::vector<std::vector<PendingSample>> samples(threads);
    std::vector<std::thread> workers;
    for (unsigned t = 1; t < threads; ++t) {
      workers.emplace_back([&, t] { work(partials[t], samples[t]); });
    }
    work(partials[0], samples[0]);
    for (auto& w : workers) w.join();
    if (progress_) progress_->done = true;
    if (failure_) return *failure_;

    BatchReport report;
    for (auto& p : partials) report.stats.merge(p);
    add_samples(samples, report.stats);
    report.inputs = std::move(outcomes_);
    for (const auto& counts : chunk_lines_) {
      uint64_t lines = 0;
      for (uint64_t n : counts) lines += n;
      report.input_lines.push_back(lines);
    }
    report.skipped = std::move(skipped_);
    return report;
  }

 private:
  // Takes the next chunk of lines and the format to parse it with; false when all is read
  // (or the job has failed).
  bool take(LineChunk& chunk, const LogFormat*& format) {
    std::lock_guard lock(mu_);
    while (!failure_) {
      if (!reader_) {
        auto next = queue_.next();
        if (!next) return false;
        current_ = next->first;
        names_[current_] = next->second.path;
        current_input_format_ = next->second.format;
        auto source = open_input(next->second);
        if (!source) {
          fail_input(source.error());
          continue;
        }
        reader_ = std::make_unique<LineChunkReader>(std::move(source.value()),
                                                    static_cast<uint32_t>(current_),
                                                    options_.chunk_bytes);
        current_format_ = nullptr;
      }
      auto more = reader_->next(chunk);
      if (progress_) progress_->raw_bytes = done_raw_bytes_ + reader_->raw_bytes_read();
      if (!more) {
        fail_input(more.error());
        continue;
      }
      if (!*more) {
        if (current_format_ == nullptr) (void)choose_format(std::string_view());  // empty input
        finish_input();
        continue;
      }
      if (current_format_ == nullptr) {
        Status chosen = choose_format(chunk.data.view());
        if (!chosen) {
          fail_input(chosen.error());
          continue;
        }
      }
      format = current_format_;
      return true;
    }
    return false;
  }

  static Result<std::unique_ptr<ByteSource>> open_input(const InputFile& in) {
    if (in.is_range()) {
      // Ranges are cut only from uncompressed files: bytes on disk are lines.
      auto range = LineRangeSource::open(in.path, in.offset, in.length);
      if (!range) return range.error();
      return std::unique_ptr<ByteSource>(std::move(range.value()));
    }
    auto raw = FileSource::open(in.path);
    if (!raw) return raw.error();
    return open_decoded(std::move(raw.value()), in.path);
  }

  // Sets current_format_ for the input just opened. Fails, naming the input, when the
  // input's own format override does not compile (the job's was checked by prepare()).
  Status choose_format(std::string_view first_chunk) {
    const std::string& spec = current_input_format_.empty() ? options_.format : current_input_format_;
    InputOutcome outcome{names_[current_], spec, false, true};
    std::string chosen = spec;
    if (spec == "auto") {
      DetectedFormat d = detect_format(first_chunk);
      chosen = outcome.format = d.nickname;
      outcome.detected = true;
      outcome.recognised = d.matched > 0 || d.sampled == 0;
    }
    auto format = formats_.get(chosen);
    if (!format) return Error{"bad format for '" + names_[current_] + "': " + format.error().message};
    current_format_ = *format;
    outcomes_.push_back(std::move(outcome));
    return Ok{};
  }

  void finish_input() {
    done_raw_bytes_ += reader_->raw_bytes_read();
    reader_.reset();
  }

  // REQUIRES: mu_ held.
  void fail_input(Error e) {
    if (reader_) finish_input();
    if (options_.keep_going) {
      skipped_.push_back(std::move(e));
    } else {
      failure_ = std::move(e);
      queue_.stop();
    }
  }

  void record_chunk_lines(uint32_t input, uint64_t sequence, uint64_t lines) {
    std::lock_guard lock(lines_mu_);
    auto& counts = chunk_lines_[input];
    if (counts.size() <= sequence) counts.resize(sequence + 1);
    counts[sequence] = lines;
  }

  void work(AccessStats& stats, std::vector<PendingSample>& samples) {
    LineChunk chunk;
    const LogFormat* format = nullptr;
    std::vector<std::pair<const LogFormat*, std::unique_ptr<LogParser>>> parsers;
    // Parsed records wait in a small batch so their table lookups can be prefetched together;
    // they are views into the chunk, so the batch is flushed before the chunk is reused.
    constexpr size_t kBatch = 32;
    LogRecord batch[kBatch];
    size_t batched = 0;
    while (take(chunk, format)) {
      LogParser* parser = nullptr;
      for (auto& [f, p] : parsers) {
        if (f == format) parser = p.get();
      }
      if (parser == nullptr) {
        parsers.emplace_back(format, std::make_unique<LogParser>(*format));
        parser = parsers.back().second.get();
      }
      const char* p = chunk.data.data();
      const char* end = p + chunk.data.size();
      uint64_t line_no = 0;
      size_t next_overlong = 0;
      while (p < end) {
        const char* nl = static_cast<const char*>(std::memchr(p, '\n', end - p));
        const char* line_end = nl ? nl : end;
        std::string_view line(p, static_cast<size_t>(line_end - p));
        bool cut = next_overlong < chunk.overlong_lines.size() &&
                   chunk.overlong_lines[next_overlong] == line_no;
        next_overlong += cut;
        bool overlong = cut || is_overlong_line(line, LineChunkReader::kMaxLineBytes);
        if (!overlong && parser->parse(line, batch[batched])) {
          if (++batched == kBatch) {
            stats.add_parsed_batch(batch, batched);
            batched = 0;
          }
        } else {
          stats.add_invalid_unsampled(1);
          // Chunks reach a worker in input order, so its first samples are its earliest.
          if (samples.size() < AccessStats::kMaxSamples) {
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            samples.push_back({chunk.input, chunk.sequence, line_no,
                               std::string(line.substr(0, AccessStats::kSampleTextLimit))});
          }
        }
        ++line_no;
        p = line_end + 1;
      }
      stats.add_parsed_batch(batch, batched);
      batched = 0;
      record_chunk_lines(chunk.input, chunk.sequence, line_no);
      if (progress_) progress_->lines += line_no;
    }
  }

  void add_samples(const std::vector<std::vector<PendingSample>>& all, AccessStats& stats) {
    // First line number of every chunk, from the line counts of the chunks before it.
    std::vector<std::vector<uint64_t>> first_line(chunk_lines_.size());
    for (size_t i = 0; i < chunk_lines_.size(); ++i) {
      uint64_t line = 1;
      for (uint64_t n : chunk_lines_[i]) {
        first_line[i].push_back(line);
        line += n;
      }
    }
    for (const auto& worker : all) {
      for (const auto& s : worker) {
        stats.offer_invalid_sample(s.input, first_line[s.input][s.sequence] + s.line_in_chunk,
                                   names_[s.input], s.text);
      }
    }
  }

  InputQueue& queue_;
  const BatchOptions& options_;
  BatchProgress* progress_;
  FormatCache formats_;

  std::mutex mu_;  // guards the cursor below
  size_t current_ = 0;
  std::vector<std::string> names_;  // [input index] -> path, for the inputs taken
  std::unique_ptr<LineChunkReader> reader_;
  const LogFormat* current_format_ = nullptr;
  std::string current_input_format_;
  uint64_t done_raw_bytes_ = 0;
  std::vector<InputOutcome> outcomes_;
  std::vector<Error> skipped_;
  std::optional<Error> failure_;

  std::mutex lines_mu_;
  std::vector<std::vector<uint64_t>> chunk_lines_;  // [input][sequence] -> lines
};

// The inputs of a list, in order.
class ListQueue final : public InputQueue {
 public:
  explicit ListQueue(const std::vector<InputFile>& inputs) : inputs_(inputs) {}
  std::optional<std::pair<uint32_t, InputFile>> next() override {
    if (next_ == inputs_.size()) return std::nullopt;
    uint32_t index = static_cast<uint32_t>(next_++);
    return std::make_pair(index, inputs_[index]);
  }
  size_t size() const override { return inputs_.size(); }

 private:
  const std::vector<InputFile>& inputs_;
  size_t next_ = 0;
};

}  // namespace

Result<BatchReport> run_batch(const std::vector<InputFile>& inputs, const BatchOptions& options,
                              BatchProgress* progress) {
  ListQueue queue(inputs);
  return run_batch(queue, options, progress);
}

Result<BatchReport> run_batch(InputQueue& queue, const BatchOptions& options,
                              BatchProgress* progress) {
  BatchJob job(queue, options, progress);
  Status ready = job.prepare();
  if (!ready) return ready.error();
  return job.run();
}

}  // namespace logan
