// FileDestination: records as files in an export directory (`logan export -o DIR`): JSON
// Lines or CSV, gzip, zstd or plain, in Hive-style partitions by logged time and/or numbered
// part files. Each worker formats a chunk's records into one block per file they go to,
// compresses each block as a gzip member / zstd frame of its own and appends it: the cores
// compress in parallel and any number of threads share any number of files. Record k of
// worker w goes to part (w + k) mod parts, so parts fill evenly. Within a file, a chunk's
// records keep their input order; chunks follow in the order workers finish them.
// Thread-safety: see RecordDestination.
#pragma once

#include <memory>
#include <string>

#include "export/compressor.h"
#include "export/export_directory.h"
#include "export/partition.h"
#include "export/record_destination.h"
#include "export/record_text.h"

namespace logan {

struct FileExportOptions {
  RecordFormat format = RecordFormat::kJsonLines;
  Compression compression = Compression::kGzip;
  PartitionBy partition = PartitionBy::kNone;
  unsigned parts = 1;  // part files per partition (>= 1)
  std::vector<std::string> extra_columns;  // text columns after kRecordFields (`--with`)
};

class FileDestination final : public RecordDestination {
 public:
  // Opens `dir` (see ExportDirectory::open). Without partitions every part file is created
  // now, so all `parts` exist even when some get no record.
  static Result<std::unique_ptr<FileDestination>> open(const std::string& dir, bool overwrite,
                                                       const FileExportOptions& options);

  std::unique_ptr<RecordWriter> make_writer(unsigned worker) override;
  Status commit() override { return dir_->commit(); }
  void abort() override { dir_->abort(); }

 private:
  class Writer;
  // The file of a partition bucket and part, relative to the directory.
  std::string file_path(int64_t bucket, unsigned part) const;
  FileDestination(std::unique_ptr<ExportDirectory> dir, const FileExportOptions& options)
      : dir_(std::move(dir)), options_(options) {}

  std::unique_ptr<ExportDirectory> dir_;
  FileExportOptions options_;
};

}  // namespace logan
