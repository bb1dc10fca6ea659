// The query engine's workers; see query_job.h.
#include "engine/query_job.h"

#include <algorithm>
#include <mutex>
#include <set>
#include <thread>

namespace logan {
namespace {

constexpr size_t kBatch = 256;
constexpr size_t kSamples = 3;

class QueryJob {
 public:
  QueryJob(const std::vector<InputFile>& inputs, const BatchOptions& options, const QueryPlan& plan,
           BatchProgress* progress, const ExtraColumns* extras)
      : queue_(inputs), cursor_(queue_, options, progress), options_(options),
        plan_(plan), progress_(progress), extras_(extras) {}

  Result<QueryReport> run() {
    Status ready = cursor_.prepare();
    if (!ready) return ready.error();
    unsigned threads = options_.threads ? options_.threads : std::thread::hardware_concurrency();
    threads = std::max(1u, threads);
    std::vector<QueryState> states;
    for (unsigned t = 0; t < threads; ++t) states.emplace_back(plan_);
    std::vector<std::thread> workers;
    for (unsigned t = 1; t < threads; ++t) workers.emplace_back([this, &states, t] { work(states[t]); });
    work(states[0]);
    for (auto& w : workers) w.join();
    if (progress_) progress_->done = true;
    if (cursor_.input_failure()) return *cursor_.input_failure();
    for (size_t t = 1; t < states.size(); ++t) states[0].merge(states[t]);
    QueryReport report;
    report.state = std::make_unique<QueryState>(std::move(states[0]));
    for (uint64_t n : cursor_.input_lines()) report.lines += n;
    report.invalid = invalid_;
    std::sort(samples_.begin(), samples_.end());
    for (auto& s : samples_) {
      if (report.invalid_samples.size() == kSamples) break;
      report.invalid_samples.push_back(cursor_.input_name(std::get<0>(s)) + ":" +
                                       std::to_string(cursor_.chunk_first_lines()[std::get<0>(s)][std::get<1>(s)] +
                                                      std::get<2>(s)) +
                                       ": " + std::get<3>(s));
    }
    std::set<std::pair<int, std::string>> missing;
    std::set<std::pair<std::string, std::string>> missing_headers;
    for (const LogFormat* f : formats_) {
      for (int c : plan_.columns_used) {
        if (!format_has_column(*f, c)) missing.insert({c, f->spec()});
      }
      for (const auto& h : plan_.header_columns) {
        const auto& names = f->header_names();
        if (std::find(names.begin(), names.end(), h) == names.end()) missing_headers.insert({h, f->spec()});
      }
    }
    for (const auto& [c, spec] : missing) report.missing_columns.emplace_back(kQueryColumns[c].name, spec);
    for (const auto& [h, spec] : missing_headers) report.missing_columns.emplace_back(h, spec);
    report.inputs = cursor_.take_outcomes();
    report.skipped = cursor_.take_skipped();
    return report;
  }

 private:
  void work(QueryState& state) {
    LineChunk chunk;
    const LogFormat* format = nullptr;
    const LogFormat* last_format = nullptr;
    ParserSet parsers;
    LogRecord batch[kBatch];
    size_t batched = 0;
    uint64_t invalid = 0;
    std::vector<Sample> samples;
    const size_t extra_count = extras_ ? plan_.extra_columns.size() : 0;
    std::vector<const std::string*> extra_values(kBatch * extra_count);
    std::unique_ptr<ExtraColumns::Reader> reader;
    std::vector<std::pair<const LogFormat*, std::vector<int8_t>>> header_slots;  // per format met
    while (cursor_.take(chunk, format)) {
      const std::vector<int8_t>* slots = nullptr;
      for (const auto& [f, s] : header_slots) {
        if (f == format) slots = &s;
      }
      if (!slots) {
        header_slots.emplace_back(format, QueryState::header_slots_for(plan_, *format));
        slots = &header_slots.back().second;
      }
      if (extras_) reader = extras_->reader();  // a refreshed lookup applies from the next chunk
      if (format != last_format) {
        last_format = format;
        std::lock_guard<std::mutex> lock(mu_);
        formats_.insert(format);
      }
      LogParser& parser = parsers.get(format);
      const std::string_view source = cursor_.input_name(chunk.input);
      uint64_t order = (uint64_t{chunk.input} << 44) | (chunk.sequence << 20);
      auto flush = [&] {
        if (reader) {
          for (size_t k = 0; k < batched; ++k) reader->values(batch[k], &extra_values[k * extra_count]);
        }
        state.add(batch, batched, source, order++, reader ? extra_values.data() : nullptr, slots->data());
        batched = 0;
      };
      auto parsed = [&] {
        if (++batched == kBatch) flush();
      };
      auto next_record = [&]() -> LogRecord& { return batch[batched]; };
      uint64_t lines = for_each_line_parsed(chunk, parser, next_record, parsed,
                                            [&](std::string_view line, uint64_t line_no, bool overlong) {
        if (!overlong && parser.parse(line, batch[batched])) {
          parsed();
          return;
        }
        ++invalid;
        if (samples.size() < kSamples) {
          if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
          samples.emplace_back(chunk.input, chunk.sequence, line_no, std::string(line.substr(0, 200)));
        }
      });
      if (batched) flush();
      cursor_.chunk_done(chunk, lines);
    }
    std::lock_guard<std::mutex> lock(mu_);
    invalid_ += invalid;
    for (auto& s : samples) samples_.push_back(std::move(s));
  }

  using Sample = std::tuple<uint32_t, uint64_t, uint64_t, std::string>;
  InputList queue_;
  ChunkCursor cursor_;
  const BatchOptions& options_;
  const QueryPlan& plan_;
  BatchProgress* progress_;
  const ExtraColumns* extras_;
  std::mutex mu_;
  std::set<const LogFormat*> formats_;
  uint64_t invalid_ = 0;
  std::vector<Sample> samples_;
};

}  // namespace

Result<QueryReport> run_query(const std::vector<InputFile>& inputs, const BatchOptions& options,
                              const QueryPlan& plan, BatchProgress* progress, const ExtraColumns* extras) {
  QueryJob job(inputs, options, plan, progress, extras);
  return job.run();
}

}  // namespace logan
