// Checkpoints of `logan stream --checkpoint DIR`: the window state (all-time total and panes)
// and every file source's positions, in one framed, versioned, checksummed file
// (DIR/stream.checkpoint) replaced atomically: written to a temporary file, fsynced, renamed
// over the old one, and the directory fsynced. A lock file keeps two logan processes from
// sharing a directory. A foreign, truncated or corrupt checkpoint is an error, never a reset.
// Thread-safety: a CheckpointDir is used by one thread (the stream engine).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "stream/stream_source.h"

namespace logan {

struct CheckpointData {
  std::string windows;       // Windower::serialize()
  uint32_t next_input = 0;   // numbers inputs of the next run after those of this one
  std::map<std::string, std::vector<FileEntry>> positions;  // by source name
  int64_t written_ms = 0;    // wall clock when written
};

std::string encode_checkpoint(const CheckpointData& data);
Result<CheckpointData> decode_checkpoint(std::string_view bytes);

// One file position in the layout both the stream's and the shipper's checkpoints use (the
// version-2 layout; `with_raw_size` false reads version 1's). Check r.failed() afterwards.
class BinaryWriter;
class BinaryReader;
void write_file_position(BinaryWriter& w, const FilePosition& p);
FilePosition read_file_position(BinaryReader& r, bool with_raw_size = true);

class CheckpointDir {
 public:
  // Creates the directory if needed and locks it; fails when another process holds it. The
  // checkpoint is the file `file` in it (`logan ship` keeps "ship.checkpoint").
  static Result<std::unique_ptr<CheckpointDir>> open(const std::string& dir,
                                                     const std::string& file = "stream.checkpoint");
  ~CheckpointDir();

  // The checkpoint, or nullopt when there is none yet. Errors name the file.
  Result<std::optional<CheckpointData>> load() const;
  // Replaces the checkpoint atomically.
  Status save(const CheckpointData& data) const;
  // The same for checkpoints of another layout: the file's bytes, unchecked.
  Result<std::optional<std::string>> load_bytes() const;
  Status save_bytes(std::string_view bytes) const;
  const std::string& path() const { return path_; }

 private:
  CheckpointDir(std::string dir, const std::string& file, int lock_fd)
      : dir_(std::move(dir)), path_(dir_ + "/" + file), lock_fd_(lock_fd) {}
  std::string dir_;
  std::string path_;
  int lock_fd_;
};

}  // namespace logan
