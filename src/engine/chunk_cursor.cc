// The shared input cursor of batch-style jobs; see chunk_cursor.h.
#include "engine/chunk_cursor.h"

#include <algorithm>

#include "input/decoding_source.h"
#include "input/line_range_source.h"
#include "input/mapped_file.h"
#include "parse/format_detect.h"

namespace logan {

std::optional<std::pair<uint32_t, InputFile>> InputList::next() {
  if (next_ == inputs_.size()) return std::nullopt;
  uint32_t index = static_cast<uint32_t>(next_++);
  return std::make_pair(index, inputs_[index]);
}

ChunkCursor::ChunkCursor(InputQueue& queue, const BatchOptions& options, BatchProgress* progress)
    : queue_(queue), options_(options), progress_(progress), names_(queue.size()),
      outcomes_(queue.size()), chunk_lines_(queue.size()) {}

Status ChunkCursor::prepare() {
  if (options_.format != "auto") {
    auto f = formats_.get(options_.format);
    if (!f) return Error{"bad --format: " + f.error().message};
  }
  return Ok{};
}

bool ChunkCursor::take(LineChunk& chunk, const LogFormat*& format) {
  if (stop_requested_) return false;
  std::lock_guard lock(mu_);
  while (!failure_ && !stopped_) {
    size_t slot = choose_input();
    if (slot == kNone) return false;
    OpenInput& in = open_[slot];
    auto more = in.reader->next(chunk);
    update_progress();
    if (!more) {
      fail_input(slot, more.error());
      continue;
    }
    if (!*more) {
      if (in.format == nullptr) (void)choose_format(in, std::string_view());  // empty input
      finish_input(slot);
      continue;
    }
    if (in.format == nullptr) {
      Status chosen = choose_format(in, chunk.text());
      if (!chosen) {
        fail_input(slot, chosen.error());
        continue;
      }
    }
    format = in.format;
    return true;
  }
  return false;
}

size_t ChunkCursor::choose_input() {
  while (!failure_ && !stopped_) {
    // The oldest open input with a chunk's worth at hand: for local inputs, always the first.
    for (size_t i = 0; i < open_.size(); ++i) {
      if (open_[i].reader->ready()) return i;
    }
    if (!next_input_ && !queue_done_) {
      next_input_ = queue_.next();
      queue_done_ = !next_input_;
    }
    // Open the next input when nothing is open, or when the open ones wait for downloads and
    // it would not. (No cap on how many are open: an opener starts downloads in input order,
    // so the next input always gets its data before later ones hold the connections.)
    if (next_input_ &&
        (open_.empty() || !is_remote(next_input_->second) ||
         options_.opener->ready(next_input_->second,
                                LineChunkReader::chunk_size_for(options_.chunk_bytes)))) {
      open_next();
      continue;
    }
    if (open_.empty()) return kNone;
    if (options_.opener == nullptr) return 0;  // nothing to wait for: read the oldest
    // stop() cannot take the lock while this waits: it says so first.
    if (stop_requested_) return kNone;
    options_.opener->wait_for_data(std::chrono::milliseconds(10));
  }
  return kNone;
}

bool ChunkCursor::is_remote(const InputFile& in) const {
  return options_.opener != nullptr && options_.opener->handles(in.path);
}

bool ChunkCursor::open_next() {
  auto [index, file] = std::move(*next_input_);
  next_input_.reset();
  names_[index] = file.path;
  OpenInput in;
  in.index = index;
  in.format_spec = file.format;
  // A whole local file, uncompressed, is parsed where it lies (MappedFile); anything else is
  // read into the chunks.
  if (!is_remote(file) && !file.is_range() && file.path != "-") {
    auto mapped = MappedFile::open(file.path, /*min_bytes=*/1);
    if (!mapped) {
      record_failure(index, mapped.error());
      return false;
    }
    if (*mapped) {
      in.reader = std::make_unique<LineChunkReader>(std::move(mapped.value()), index, options_.chunk_bytes);
      open_.push_back(std::move(in));
      return true;
    }
  }
  auto source = open_input(file);
  if (!source) {
    record_failure(index, source.error());
    return false;
  }
  in.reader = std::make_unique<LineChunkReader>(std::move(source.value()), index, options_.chunk_bytes);
  open_.push_back(std::move(in));
  return true;
}

void ChunkCursor::stop(Error reason) {
  stop_requested_ = true;
  std::lock_guard lock(mu_);
  if (!stopped_) stopped_ = std::move(reason);
  queue_.stop();
}

std::vector<Error> ChunkCursor::take_skipped() {
  std::stable_sort(skipped_.begin(), skipped_.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Error> out;
  for (auto& [index, e] : skipped_) out.push_back(std::move(e));
  skipped_.clear();
  return out;
}

std::vector<InputOutcome> ChunkCursor::take_outcomes() {
  std::vector<InputOutcome> out;
  for (auto& o : outcomes_) {
    if (o) out.push_back(std::move(*o));
  }
  outcomes_.clear();
  return out;
}

Result<std::unique_ptr<ByteSource>> ChunkCursor::open_input(const InputFile& in) {
  if (is_remote(in)) {
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

// Sets in.format. Fails, naming the input, when the input's own format override does not
// compile (the job's was checked by prepare()).
Status ChunkCursor::choose_format(OpenInput& in, std::string_view first_chunk) {
  const std::string& spec = in.format_spec.empty() ? options_.format : in.format_spec;
  const std::string& name = names_[in.index];
  InputOutcome outcome{name, spec, false, true};
  std::string chosen = spec;
  if (spec == "auto") {
    DetectedFormat d = detect_format(first_chunk);
    chosen = outcome.format = d.nickname;
    outcome.detected = true;
    outcome.recognised = d.matched > 0 || d.sampled == 0;
  }
  auto format = formats_.get(chosen);
  if (!format) return Error{"bad format for '" + name + "': " + format.error().message};
  in.format = *format;
  outcomes_[in.index] = std::move(outcome);
  return Ok{};
}

// REQUIRES: mu_ held.
void ChunkCursor::update_progress() {
  if (!progress_) return;
  uint64_t raw = done_raw_bytes_;
  for (const auto& in : open_) raw += in.reader->raw_bytes_read();
  progress_->raw_bytes = raw;
}

// REQUIRES: mu_ held.
void ChunkCursor::finish_input(size_t slot) {
  done_raw_bytes_ += open_[slot].reader->raw_bytes_read();
  open_.erase(open_.begin() + static_cast<std::ptrdiff_t>(slot));
}

// REQUIRES: mu_ held.
void ChunkCursor::fail_input(size_t slot, Error e) {
  uint32_t index = open_[slot].index;
  finish_input(slot);
  record_failure(index, std::move(e));
}

// REQUIRES: mu_ held.
void ChunkCursor::record_failure(uint32_t index, Error e) {
  if (options_.keep_going) {
    skipped_.emplace_back(index, std::move(e));
  } else {
    failure_ = std::move(e);
    queue_.stop();
  }
}

void ChunkCursor::chunk_done(const LineChunk& chunk, uint64_t lines) {
  record_chunk_lines(chunk.input, chunk.sequence, lines);
  if (chunk.mapping) chunk.mapping->release(chunk.mapped);
  if (chunk.mapping && chunk.mapping->take_lost()) {
    std::lock_guard lock(mu_);
    record_failure(chunk.input, Error{"'" + names_[chunk.input] +
                                      "' was truncated while it was read: the lines after byte " +
                                      std::to_string(chunk.mapping->size_now()) + " are not counted"});
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
