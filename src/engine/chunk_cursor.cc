// The shared input cursor of batch-style jobs; see chunk_cursor.h.
#include "engine/chunk_cursor.h"

#include "input/decoding_source.h"
#include "input/line_range_source.h"
#include "parse/format_detect.h"

namespace logan {

std::optional<std::pair<uint32_t, InputFile>> InputList::next() {
  if (next_ == inputs_.size()) return std::nullopt;
  uint32_t index = static_cast<uint32_t>(next_++);
  return std::make_pair(index, inputs_[index]);
}

ChunkCursor::ChunkCursor(InputQueue& queue, const BatchOptions& options, BatchProgress* progress)
    : queue_(queue), options_(options), progress_(progress), names_(queue.size()),
      chunk_lines_(queue.size()) {}

Status ChunkCursor::prepare() {
  if (options_.format != "auto") {
    auto f = formats_.get(options_.format);
    if (!f) return Error{"bad --format: " + f.error().message};
  }
  return Ok{};
}

bool ChunkCursor::take(LineChunk& chunk, const LogFormat*& format) {
  std::lock_guard lock(mu_);
  while (!failure_ && !stopped_) {
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

void ChunkCursor::stop(Error reason) {
  std::lock_guard lock(mu_);
  if (!stopped_) stopped_ = std::move(reason);
  queue_.stop();
}

Result<std::unique_ptr<ByteSource>> ChunkCursor::open_input(const InputFile& in) {
  if (options_.opener != nullptr && options_.opener->handles(in.path)) {
    auto remote = options_.opener->open(in);
    if (!remote) return remote.error();
    return open_decoded(std::move(remote.value()), in.path);
  }
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

// Sets current_format_ for the input just opened. Fails, naming the input, when the input's
// own format override does not compile (the job's was checked by prepare()).
Status ChunkCursor::choose_format(std::string_view first_chunk) {
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

void ChunkCursor::finish_input() {
  done_raw_bytes_ += reader_->raw_bytes_read();
  reader_.reset();
}

// REQUIRES: mu_ held.
void ChunkCursor::fail_input(Error e) {
  if (reader_) finish_input();
  if (options_.keep_going) {
    skipped_.push_back(std::move(e));
  } else {
    failure_ = std::move(e);
    queue_.stop();
  }
}

void ChunkCursor::record_chunk_lines(uint32_t input, uint64_t sequence, uint64_t lines) {
  std::lock_guard lock(lines_mu_);
  auto& counts = chunk_lines_[input];
  if (counts.size() <= sequence) counts.resize(sequence + 1);
  counts[sequence] = lines;
  if (progress_) progress_->lines += lines;
}

std::vector<uint64_t> ChunkCursor::input_lines() const {
  std::vector<uint64_t> out;
  for (const auto& counts : chunk_lines_) {
    uint64_t lines = 0;
    for (uint64_t n : counts) lines += n;
    out.push_back(lines);
  }
  return out;
}

std::vector<std::vector<uint64_t>> ChunkCursor::chunk_first_lines() const {
  std::vector<std::vector<uint64_t>> first_line(chunk_lines_.size());
  for (size_t i = 0; i < chunk_lines_.size(); ++i) {
    uint64_t line = 1;
    for (uint64_t n : chunk_lines_[i]) {
      first_line[i].push_back(line);
      line += n;
    }
  }
  return first_line;
}

}  // namespace logan
