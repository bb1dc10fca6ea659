// Records as partitioned, compressed part files; see file_destination.h.
#include "export/file_destination.h"

#include <vector>

namespace logan {

// One worker's blocks: the records of the current chunk, grouped by the file they go to.
class FileDestination::Writer final : public RecordWriter {
 public:
  Writer(FileDestination& owner, unsigned worker)
      : owner_(owner), options_(owner.options_), text_(options_.format, options_.extra_columns),
        compressor_(options_.compression), next_part_(worker % options_.parts) {}

  void add(const LogRecord& record, const std::string* const* extra) override {
    int64_t bucket = partition_bucket(record.time, record.has_time(), options_.partition);
    unsigned part = next_part_;
    next_part_ = next_part_ + 1 == options_.parts ? 0 : next_part_ + 1;
    // Neighbouring records nearly always share their block: try the last one first.
    if (last_ >= blocks_.size() || blocks_[last_].bucket != bucket || blocks_[last_].part != part) {
      last_ = find_block(bucket, part);
    }
    text_.append(blocks_[last_].text, record, extra);
  }

  Status flush() override {
    for (auto& b : blocks_) {
      if (b.text.empty()) continue;
      compressed_.clear();
      Status packed = compressor_.compress(b.text, compressed_);
      if (!packed) return packed;
      b.text.clear();
      if (b.path.empty()) b.path = owner_.file_path(b.bucket, b.part);
      Status written = owner_.dir_->append(b.path, compressed_);
      if (!written) return written;
    }
    return Ok{};
  }

 private:
  struct Block {
    int64_t bucket;
    unsigned part;
    std::string path;  // relative to the directory
    std::string text;
  };

  size_t find_block(int64_t bucket, unsigned part) {
    for (size_t i = 0; i < blocks_.size(); ++i) {
      if (blocks_[i].bucket == bucket && blocks_[i].part == part) return i;
    }
    // Blocks of partitions this worker no longer meets are dropped once there are many.
    if (blocks_.size() >= 64) {
      std::erase_if(blocks_, [](const Block& b) { return b.text.empty(); });
    }
    blocks_.push_back({bucket, part, "", ""});
    return blocks_.size() - 1;
  }

  FileDestination& owner_;
  const FileExportOptions& options_;
  RecordText text_;
  Compressor compressor_;
  std::vector<Block> blocks_;
  std::string compressed_;
  size_t last_ = 0;
  unsigned next_part_;
};

Result<std::unique_ptr<FileDestination>> FileDestination::open(const std::string& dir,
                                                               bool overwrite,
                                                               const FileExportOptions& options) {
  auto d = ExportDirectory::open(dir, overwrite);
  if (!d) return d.error();
  std::unique_ptr<FileDestination> dest(new FileDestination(std::move(d.value()), options));
  dest->options_.parts = std::max(1u, options.parts);
  std::string preamble;
  if (options.format == RecordFormat::kCsv) {
    Compressor header(options.compression);
    Status packed = header.compress(csv_header(options.extra_columns), preamble);
    if (!packed) return packed.error();
  } else if (options.compression != Compression::kNone) {
    // An empty member: a part that gets no record is still a valid compressed file.
    Compressor empty(options.compression);
    Status packed = empty.compress("", preamble);
    if (!packed) return packed.error();
  }
  dest->dir_->set_preamble(std::move(preamble));
  if (options.partition == PartitionBy::kNone) {
    for (unsigned p = 0; p < dest->options_.parts; ++p) {
      Status made = dest->dir_->append(dest->file_path(0, p), "");
      if (!made) return made.error();
    }
  }
  return dest;
}

std::string FileDestination::file_path(int64_t bucket, unsigned part) const {
  std::string dir = partition_dir(bucket, options_.partition);
  std::string name = part_file_name(part, options_.format, options_.compression);
  return dir.empty() ? name : dir + "/" + name;
}

std::unique_ptr<RecordWriter> FileDestination::make_writer(unsigned worker) {
  return std::make_unique<Writer>(*this, worker);
}

}  // namespace logan
