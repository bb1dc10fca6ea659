// ParallelReader: reads remote objects for a batch job through a bounded number of parallel
// connections. Each object is cut into requests (byte ranges); downloader threads run them in
// input order, several objects and several ranges of one large object at once, and stream
// what arrives into per-range queues that the job reads back in order through a ByteSource,
// while the download goes on. The job may hold several inputs open and read whichever has data
// at hand (ready()): the server shares its bandwidth among the connections, so the input next
// in order gets only its share, and reading in arrival order keeps the parsers busy. A queue
// holds at most `buffer_bytes`: a downloader whose queue
// is full waits (TCP then slows the server down), so memory stays below about
// (connections + 2) x buffer_bytes, and a block lent to each worker, whatever the objects'
// sizes, and nothing is staged on disk.
// The bytes handed out are exactly the object's, so compressed objects decode and lines split
// as for a local file. The blocks that arrived are also lent (ByteSource::lend()), so that a
// job parses plain objects where they were received; a lent block goes back to the pool of
// blocks when the last chunk in it is dropped.
// The range size is `part_bytes` when given; otherwise (0) it is chosen so that the inputs
// make about one range per connection, between 8 and 32 MiB: few requests (each costs a
// round trip and the server's overhead) yet all connections busy on one large object. Then an
// object of up to twice that size is read whole: a range behind another of the same object
// cannot be read until that one is, so its bytes would wait in the queue and its download
// stall, while a whole object is read as soon as it arrives.
// An object the job stops reading early (an error, --keep-going) gives up its ranges.
// Thread-safety: open(), ready() and wait_for_data() are called by one thread at a time (the
// job's input lock); the downloaders are internal; the destructor stops and joins them.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
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
  uint64_t part_bytes = 0;           // bytes per request; 0: chosen from the inputs' sizes
  uint64_t buffer_bytes = 32 << 20;  // bytes queued per request before its download waits
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
  bool ready(const InputFile& in, size_t bytes) override;
  void wait_for_data(std::chrono::milliseconds timeout) override;

  // The range size used for inputs of `total_bytes` in all (see above).
  static uint64_t range_bytes(const ParallelReadOptions& options, uint64_t total_bytes);
  // The size of the requests an object of `object_bytes` is read in, among inputs of
  // `total_bytes` (the last one may be shorter).
  static uint64_t part_bytes(const ParallelReadOptions& options, uint64_t total_bytes,
                             uint64_t object_bytes);

 private:
  class PartSource;
  class BlockPool;
  using Block = std::shared_ptr<std::string>;  // returns its storage to the pool when dropped
  enum class PartState { kWaiting, kRunning, kDone, kFailed, kReleased };
  struct Part {
    size_t input = 0;
    uint64_t offset = 0;
    uint64_t length = 0;
    PartState state = PartState::kWaiting;
    bool dropped = false;          // the reader gave up on it
    std::deque<Block> chunks;      // arrived, not yet read
    uint64_t queued = 0;           // bytes in chunks
    std::optional<Error> error;
  };

  void download_loop();
  // The downloader's hand-over of `block` to `part`; false when the part was given up.
  bool push(Part& part, Block& block);
  // REQUIRES: mu_ held. Whether `bytes` bytes from `skip` bytes into part `first`, or the rest
  // of the parts up to `last` when less, have arrived (or a failure waits to be reported, or
  // no more can arrive before these parts are read).
  bool arrived(size_t first, size_t last, uint64_t skip, uint64_t bytes) const;
  // REQUIRES: mu_ held. Frees a part that was read or dropped.
  void release(Part& part);

  std::vector<Input> inputs_;
  std::vector<std::pair<size_t, size_t>> part_range_;  // [input] -> [first, last) part
  std::map<std::string, std::vector<size_t>> unopened_;  // name -> inputs not yet opened
  const size_t window_;
  const uint64_t buffer_bytes_;

  std::mutex mu_;
  // Two conditions, so that a block arriving wakes the reader and not every downloader.
  std::condition_variable data_;  // the reader waits: a block arrived, a part ended
  std::condition_variable room_;  // downloaders wait: a part released, a queue drained
  std::vector<Part> parts_;
  size_t next_part_ = 0;  // the next part to download
  size_t held_ = 0;       // parts downloading or downloaded and not yet released
  // Blocks of 1 MiB for reuse: fresh buffers cost a page fault per 4 KiB, and those
  // serialise on the process's memory map. Shared with the blocks, which may outlive the reader
  // in a job's chunks.
  std::shared_ptr<BlockPool> pool_;
  bool stopping_ = false;
  std::vector<std::thread> downloaders_;
};

}  // namespace logan
