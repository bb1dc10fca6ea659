// The batch analyzer; see batch_job.h.
#include "engine/batch_job.h"

#include <algorithm>
#include <string>
#include <thread>
#include <tuple>

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
      : cursor_(queue, options, progress), options_(options), progress_(progress) {}

  Status prepare() { return cursor_.prepare(); }

  Result<BatchReport> run() {
    unsigned threads = options_.threads ? options_.threads : std::thread::hardware_concurrency();
    threads = std::max(1u, threads);
    std::vector<AccessStats> partials(threads);
    std::vector<std::vector<PendingSample>> samples(threads);
    std::vector<std::vector<QueryState>> queries(threads);
    for (auto& q : queries) {
      for (const QueryPlan* plan : options_.queries) q.emplace_back(*plan);
    }
    std::vector<std::thread> workers;
    for (unsigned t = 1; t < threads; ++t) {
      workers.emplace_back([&, t] { work(partials[t], samples[t], queries[t]); });
    }
    work(partials[0], samples[0], queries[0]);
    for (auto& w : workers) w.join();
    if (progress_) progress_->done = true;
    if (cursor_.input_failure()) return *cursor_.input_failure();

    BatchReport report;
    // The first partial becomes the result, the others are merged into it.
    report.stats = std::move(partials[0]);
    for (size_t t = 1; t < partials.size(); ++t) report.stats.merge(partials[t]);
    add_samples(samples, report.stats);
    for (size_t q = 0; q < options_.queries.size(); ++q) {
      for (size_t t = 1; t < queries.size(); ++t) queries[0][q].merge(queries[t][q]);
      report.queries.push_back(std::move(queries[0][q]));
    }
    report.inputs = cursor_.take_outcomes();
    report.input_lines = cursor_.input_lines();
    report.skipped = cursor_.take_skipped();
    return report;
  }

 private:
  void work(AccessStats& stats, std::vector<PendingSample>& samples, std::vector<QueryState>& queries) {
    LineChunk chunk;
    const LogFormat* format = nullptr;
    ParserSet parsers;
    // Parsed records wait in a small batch so their table lookups can be prefetched together;
    // they are views into the chunk, so the batch is flushed before the chunk is reused.
    constexpr size_t kBatch = 32;
    LogRecord batch[kBatch];
    size_t batched = 0;
    const LogFormat* slots_format = nullptr;  // the format header_slots are for
    std::vector<std::vector<int8_t>> header_slots;
    while (cursor_.take(chunk, format)) {
      LogParser& parser = parsers.get(format);
      const std::string_view source = cursor_.input_name(chunk.input);
      uint64_t order = (uint64_t{chunk.input} << 44) | (chunk.sequence << 20);
      if (!queries.empty() && format != slots_format) {
        slots_format = format;
        header_slots.clear();
        for (const QueryPlan* plan : options_.queries) header_slots.push_back(QueryState::header_slots_for(*plan, *format));
      }
      auto add_batch = [&](AccessStats& to, const LogRecord* records, size_t n) {
        to.add_parsed_grouped(records, n, options_.grouper);
        for (size_t q = 0; q < queries.size(); ++q) queries[q].add(records, n, source, order, nullptr, header_slots[q].data());
        ++order;
      };
      auto parsed = [&] {
        if (++batched == kBatch) {
          add_batch(stats, batch, batched);
          batched = 0;
        }
      };
      auto next_record = [&]() -> LogRecord& { return batch[batched]; };
      uint64_t lines = for_each_line_parsed(chunk, parser, next_record, parsed,
                                            [&](std::string_view line, uint64_t line_no, bool overlong) {
        if (!overlong && parser.parse(line, batch[batched])) {
          parsed();
          return;
        }
        stats.add_invalid_unsampled(1);
        keep_sample(samples, chunk, line_no, line);
      });
      add_batch(stats, batch, batched);
      batched = 0;
      cursor_.chunk_done(chunk, lines);
    }
  }

  // Keeps a worker's earliest invalid lines by (input, chunk, line). Chunks of one input reach
  // it in order, but remote inputs are read as they arrive, so a later sample may be earlier.
  static void keep_sample(std::vector<PendingSample>& samples, const LineChunk& chunk,
                          uint64_t line_no, std::string_view line) {
    auto key = [](const PendingSample& s) { return std::tie(s.input, s.sequence, s.line_in_chunk); };
    PendingSample* replace = nullptr;
    if (samples.size() == AccessStats::kMaxSamples) {
      auto latest = std::max_element(samples.begin(), samples.end(),
                                     [&](const auto& a, const auto& b) { return key(a) < key(b); });
      if (std::tie(chunk.input, chunk.sequence, line_no) >= key(*latest)) return;
      replace = &*latest;
    }
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    PendingSample s{chunk.input, chunk.sequence, line_no,
                    std::string(line.substr(0, AccessStats::kSampleTextLimit))};
    if (replace) {
      *replace = std::move(s);
    } else {
      samples.push_back(std::move(s));
    }
  }

  void add_samples(const std::vector<std::vector<PendingSample>>& all, AccessStats& stats) {
    const auto first_line = cursor_.chunk_first_lines();
    for (const auto& worker : all) {
      for (const auto& s : worker) {
        stats.offer_invalid_sample(s.input, first_line[s.input][s.sequence] + s.line_in_chunk,
                                   cursor_.input_name(s.input), s.text);
      }
    }
  }

  ChunkCursor cursor_;
  const BatchOptions& options_;
  BatchProgress* progress_;
};

}  // namespace

Result<BatchReport> run_batch(const std::vector<InputFile>& inputs, const BatchOptions& options,
                              BatchProgress* progress) {
  InputList queue(inputs);
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
