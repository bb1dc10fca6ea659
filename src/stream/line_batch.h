// LineBatch: whole log lines read by a stream source, on their way to the stream engine, with
// the position a file source will have reached once the engine has counted them.
// FilePosition: what a file source has read of one file, enough to resume after a restart.
// Thread-safety: plain values; a batch belongs to one thread at a time.
#pragma once

#include <cstdint>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "input/line_chunk_reader.h"
#include "parse/log_record.h"

namespace logan {

struct FilePosition {
  std::string path;              // the file's name when last seen
  uint64_t device = 0;
  uint64_t inode = 0;
  uint32_t fingerprint_len = 0;  // the fingerprint hashes the first fingerprint_len decoded bytes
  uint64_t fingerprint = 0;
  uint64_t offset = 0;           // decoded bytes of whole lines counted
  uint64_t lines = 0;            // lines counted
  bool compressed = false;
  bool complete = false;         // a compressed file read to the end of its stream
  bool gone = false;             // no longer in the directory (remembered for a copy of it)
  uint64_t raw_size = 0;         // compressed: its size on disk when it was read to the end
  bool operator==(const FilePosition&) const = default;
};

// An input of a stream (a file, a connection): its number orders invalid-line samples, its
// name says where they came from.
struct InputId {
  uint32_t number = 0;
  std::shared_ptr<const std::string> name;
};

struct LineBatch {
  uint32_t source = 0;        // index of the source in the job
  InputId input;              // where the lines come from
  uint64_t first_line = 1;    // line number of the batch's first line within its input
  uint64_t first_offset = 0;  // input offset where the first line starts (LineAssembler)
  ChunkBuffer data;           // whole lines; the last may lack its '\n'
  std::vector<uint64_t> overlong_lines;  // 0-based indices of lines cut short (over 1 MiB)
  uint64_t file_id = 0;                  // file sources: the source's id for the file
  std::optional<FilePosition> position;  // file sources: the file's position after this batch
  bool forget_file = false;              // file sources: file_id is gone; drop its position
  // A barrier (no lines): once the engine reaches it, everything the source emitted before is
  // in the state and checkpointed; the engine then fulfils the promise (SourceContext::settle).
  std::shared_ptr<std::promise<void>> barrier;

  // Filled by BatchParser on the source's thread, so that parsing runs beside the engine.
  struct InvalidLine {
    uint64_t index;         // 0-based line index within the batch
    std::string_view text;  // the line (without '\r'), into data
  };
  bool parsed = false;
  uint64_t line_count = 0;
  std::vector<LogRecord> records;  // the parsed lines, views into data
  std::vector<InvalidLine> invalid;

  void reset() {
    data.clear();
    overlong_lines.clear();
    position.reset();
    first_line = 1;
    first_offset = 0;
    file_id = 0;
    forget_file = false;
    barrier.reset();
    parsed = false;
    line_count = 0;
    records.clear();
    invalid.clear();
  }
};

}  // namespace logan
