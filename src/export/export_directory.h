// ExportDirectory: the files of one `logan export -o DIR` run. Each file is written under a
// hidden temporary name beside its final one (".part-00000.jsonl.gz.PID.tmp": readers such as
// Spark and Hive skip dot-files) and renamed into place only by commit(), after every file is
// complete and synced; a failed run leaves no file under a final name. A directory that
// already holds an export (part-* files or _SUCCESS anywhere below) is refused unless
// `overwrite`, in which case commit() replaces it: _SUCCESS removed first, the new files
// renamed into place, the old ones that remain removed, and _SUCCESS written last.
// Thread-safety: append() may be called from any thread (appends to one file are serialised,
// to different files concurrent); open, commit and abort from one thread.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace logan {

class ExportDirectory {
 public:
  // Creates `dir` (with its parents) when missing and checks that it can be written. Fails
  // naming the directory when it cannot, or when it holds an export and !overwrite.
  static Result<std::unique_ptr<ExportDirectory>> open(std::string dir, bool overwrite);
  ~ExportDirectory();

  // Bytes every new file starts with (a CSV header). REQUIRES: before the first append().
  void set_preamble(std::string bytes) { preamble_ = std::move(bytes); }

  // Appends `bytes` to the file at `relpath` (e.g. "date=2024-03-07/part-00000.csv.gz"),
  // creating it and its directories on first use. Fails naming the file (a full disk, ...).
  Status append(const std::string& relpath, std::string_view bytes);

  // Makes the files appear under their final names (see above). Fails naming the file at
  // fault; files not yet renamed are then removed.
  Status commit();
  // Removes every temporary file (and the directories this run created and left empty).
  void abort();

  const std::string& path() const { return dir_; }

 private:
  struct File {
    std::mutex mu;
    std::string tmp;      // the hidden temporary path
    std::string final;    // where commit() puts it
    bool created = false;
  };

  ExportDirectory(std::string dir, bool overwrite) : dir_(std::move(dir)), overwrite_(overwrite) {}
  File& file(const std::string& relpath);
  Status create(File& f, const std::string& relpath);
  void remove_old_export();

  std::string dir_;
  bool overwrite_;
  std::string preamble_;
  std::vector<std::string> old_files_;  // an earlier export's files, replaced by commit()

  std::mutex mu_;  // guards files_ and created_dirs_ (not the files themselves)
  std::map<std::string, std::unique_ptr<File>> files_;
  std::vector<std::string> created_dirs_;
  bool committed_ = false;
};

}  // namespace logan
