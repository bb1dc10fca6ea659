// The export engine; see export_job.h.
#include "export/export_job.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <thread>

namespace logan {
namespace {

class ExportJob {
 public:
  ExportJob(InputList& queue, const BatchOptions& options, RecordDestination& destination,
            RejectsFile* rejects, BatchProgress* progress, const ExtraColumns* extra)
      : cursor_(queue, options, progress), options_(options), destination_(destination),
        rejects_(rejects), progress_(progress), extra_(extra) {}

  Result<ExportReport> run() {
    Status ready = cursor_.prepare();
    if (!ready) {
      destination_.abort();
      return ready.error();
    }
    unsigned threads = options_.threads ? options_.threads : std::thread::hardware_concurrency();
    threads = std::max(1u, threads);
    std::vector<std::thread> workers;
    for (unsigned t = 1; t < threads; ++t) workers.emplace_back([this, t] { work(t); });
    work(0);
    for (auto& w : workers) w.join();
    if (progress_) progress_->done = true;
    if (cursor_.input_failure()) {
      destination_.abort();
      return *cursor_.input_failure();
    }
    ExportReport report;
    report.exported = exported_;
    report.rejected = rejected_;
    for (uint64_t n : cursor_.input_lines()) report.lines += n;
    report.inputs = cursor_.take_outcomes();
    report.skipped = cursor_.take_skipped();
    report.output_error = cursor_.stop_reason();
    if (!report.output_error) report.output_error = finish();
    return report;
  }

 private:
  // Commits the destination and writes the rejects; the error, if any.
  std::optional<Error> finish() {
    if (rejects_) {
      Status written = rejects_->finish(cursor_.chunk_first_lines(),
                                        [this](uint32_t input) { return cursor_.input_name(input); });
      if (!written) {
        destination_.abort();
        return written.error();
      }
    }
    Status committed = destination_.commit();
    if (!committed) {
      destination_.abort();
      return committed.error();
    }
    return std::nullopt;
  }

  void work(unsigned worker) {
    std::unique_ptr<RecordWriter> writer = destination_.make_writer(worker);
    LineChunk chunk;
    const LogFormat* format = nullptr;
    ParserSet parsers;
    LogRecord record;
    std::string rejected_lines;
    uint64_t exported = 0, rejected = 0;
    std::vector<const std::string*> values(extra_ ? extra_->names().size() : 0);
    std::unique_ptr<ExtraColumns::Reader> reader;
    while (cursor_.take(chunk, format)) {
      LogParser& parser = parsers.get(format);
      rejected_lines.clear();
      if (extra_) reader = extra_->reader();  // a refreshed lookup applies from the next chunk
      uint64_t lines = for_each_line(chunk, [&](std::string_view line, uint64_t line_no,
                                                bool overlong) {
        if (!overlong && parser.parse(line, record)) {
          if (reader) reader->values(record, values.data());
          writer->add(record, values.data());
          ++exported;
          return;
        }
        ++rejected;
        if (rejects_) append_reject(rejected_lines, line_no, line);
      });
      cursor_.chunk_done(chunk, lines);
      Status written = writer->flush();
      if (written && rejects_ && !rejected_lines.empty()) {
        written = rejects_->add(chunk.input, chunk.sequence, rejected_lines);
      }
      if (!written) cursor_.stop(written.error());
    }
    exported_ += exported;
    rejected_ += rejected;
  }

  ChunkCursor cursor_;
  const BatchOptions& options_;
  RecordDestination& destination_;
  RejectsFile* rejects_;
  BatchProgress* progress_;
  const ExtraColumns* extra_;
  std::atomic<uint64_t> exported_{0};
  std::atomic<uint64_t> rejected_{0};
};

}  // namespace

Result<ExportReport> run_export(const std::vector<InputFile>& inputs, const BatchOptions& options,
                                RecordDestination& destination, RejectsFile* rejects,
                                BatchProgress* progress, const ExtraColumns* extra) {
  InputList queue(inputs);
  ExportJob job(queue, options, destination, rejects, progress, extra);
  return job.run();
}

}  // namespace logan
