// FileWatchSource: watches one directory and reads the log files in it as they appear and grow
// (the reference's textFileStream, and `tail -F` when the pattern names one file).
//
// - Files are known by identity (device, inode) plus a fingerprint of their first KiB, not by
//   name: a file renamed (rotated) keeps being read where it was, even under a name the
//   pattern does not match; a truncated file is read again from its start; an inode reused
//   for a new file is a new file.
// - A compressed file (gzip, zstd, bzip2, by magic) is read as its stream is decoded; a stream
//   that is not complete yet (still being written) is read again once the file changes, from
//   the last whole line counted. A compressed file that holds what an earlier file held (as
//   logrotate's compress makes it) is read only past what was already counted.
// - Dot-files and the temporary names of editors and rsync are skipped unless all_names is set.
// - A symbolic link in a watched directory is read only when it leads to a file inside the
//   directory (whoever can write there could otherwise show any readable file, /etc/shadow say,
//   as invalid-line samples), unless follow_symlinks is set; it is said once. A followed file
//   named on the command line is always read, link or not.
// - inotify wakes the source as soon as a file changes, with a rescan every second as a safety
//   net; with a poll interval, or where inotify is unavailable, the directory is scanned on a
//   timer instead.
// - Every batch carries its file's position, and restore() resumes from checkpointed ones.
// Thread-safety: see StreamSource.
#pragma once

#include <memory>
#include <string>

#include "stream/stream_source.h"

namespace logan {

struct FileWatchOptions {
  std::string pattern;       // fnmatch(3) pattern on file names; empty: every name
  bool all_names = false;    // also read dot-files and temporary names
  int64_t poll_ms = 0;       // > 0: scan at this interval, no inotify
  bool from_end = false;     // files there at the start: only lines written later
  bool follow = false;       // a followed file (tail -F): the pattern is its exact name
  bool follow_symlinks = false;  // also read links that lead out of the watched directory
};

std::unique_ptr<StreamSource> make_file_watch_source(std::string name, std::string directory,
                                                     FileWatchOptions options);

// True for names that editors, rsync and downloaders use for files being written.
bool is_temporary_name(const std::string& name);

// The fingerprint hash of a file's first bytes (FNV-1a, stable across builds and machines).
uint64_t fingerprint_hash(std::string_view bytes);

}  // namespace logan
