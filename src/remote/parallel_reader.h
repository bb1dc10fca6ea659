// ParallelReader: reads remote objects for a batch job through a bounded number of parallel
// connections. Each object is cut into parts (byte ranges of `part_bytes`); downloader threads
// fetch parts in input order, several objects and several parts of one large object at once,
// while the job reads each object's parts back in order through a ByteSource. At most
// `connections + 2` parts are held in memory (downloading or waiting to be read), so memory is
// bounded whatever the objects' sizes; nothing is staged on disk. The bytes handed out are
// exactly the object's, so compressed objects decode and lines split as for a local file.
// An object the job stops reading early (an error, --keep-going) gives up its remaining parts.
// Thread-safety: open() is called by one thread at a time (the job's input lock); the
// downloaders are internal; the destructor stops and joins them.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "input/input_opener.h"
#include "remote/object_store.h"

namespace logan {

struct ParallelReadOptions {
  unsigned connections = 8;
  uint64_t part_bytes = 8 << 20;
};

class ParallelReader final : public InputOpener {
 public:
  struct Input {
    ObjectStore* store;  // REQUIRES: outlives the reader
    RemoteObject object;
  };
  // Starts the downloaders over `inputs`, in the order the job will open them.
  ParallelReader(std::vector<Input> inputs, ParallelReadOptions options);
  ~ParallelReader() override;

  bool handles(const std::string& path) const override;
  // The next not yet opened input named `in.path`.
  Result<std::unique_ptr<ByteSource>> open(const InputFile& in) override;

 private:
  class PartSource;
  enum class PartState { kWaiting, kRunning, kDone, kFailed, kReleased };
  struct Part {
    size_t input = 0;
    uint64_t offset = 0;
    uint64_t length = 0;
    PartState state = PartState::kWaiting;
    bool dropped = false;  // the reader gave up on it
    std::string data;
    std::optional<Error> error;
  };

  void download_loop();
  // REQUIRES: mu_ held. Frees a part that was read or dropped.
  void release(Part& part);

  std::vector<Input> inputs_;
  std::vector<std::pair<size_t, size_t>> part_range_;  // [input] -> [first, last) part
  std::map<std::string, std::vector<size_t>> unopened_;  // name -> inputs not yet opened
  const size_t window_;

  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<Part> parts_;
  size_t next_part_ = 0;  // the next part to download
  size_t held_ = 0;       // parts downloading or downloaded and not yet released
  bool stopping_ = false;
  std::vector<std::thread> downloaders_;
};

}  // namespace logan
