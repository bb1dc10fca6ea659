// Parallel, bounded, streaming downloads of remote objects; see parallel_reader.h.
#include "remote/parallel_reader.h"

#include <algorithm>
#include <cstring>

namespace logan {
namespace {

constexpr size_t kBlockBytes = 1 << 20;  // what a downloader hands over at a time
constexpr uint64_t kMinAutoRange = 8 << 20;
constexpr uint64_t kMaxAutoRange = 32 << 20;

}  // namespace

// The storage of spare blocks. A block made from it gives its storage back when its last
// holder drops it (a part's queue, or a job's chunk that was lent it).
class ParallelReader::BlockPool : public std::enable_shared_from_this<BlockPool> {
 public:
  explicit BlockPool(size_t limit) : limit_(limit) {}

  Block make() {
    std::string storage;
    {
      std::lock_guard lock(mu_);
      if (!spare_.empty()) {
        storage = std::move(spare_.back());
        spare_.pop_back();
      }
    }
    storage.reserve(kBlockBytes);
    return Block(new std::string(std::move(storage)),
                 [pool = shared_from_this()](std::string* block) {
                   pool->give(std::move(*block));
                   delete block;
                 });
  }

 private:
  void give(std::string storage) {
    storage.clear();
    std::lock_guard lock(mu_);
    if (spare_.size() < limit_) spare_.push_back(std::move(storage));
  }

  const size_t limit_;
  std::mutex mu_;  // taken after the reader's mu_ when both are held, never before it
  std::vector<std::string> spare_;
};

// Hands out one input's parts in order, as their bytes arrive.
class ParallelReader::PartSource final : public ByteSource {
 public:
  PartSource(ParallelReader& reader, size_t first, size_t last)
      : reader_(reader), next_(first), last_(last) {}

  ~PartSource() override {
    std::lock_guard lock(reader_.mu_);
    for (size_t p = next_; p < last_; ++p) {
      Part& part = reader_.parts_[p];
      part.dropped = true;
      if (part.state == PartState::kDone || part.state == PartState::kFailed) reader_.release(part);
    }
    reader_.room_.notify_all();
  }

  Result<size_t> read(char* buffer, size_t capacity) override {
    if (capacity == 0) return size_t{0};
    auto got = lend(capacity);
    if (!got) return got.error();
    // The block is complete and no longer written: copying it needs no lock.
    if (!got->bytes.empty()) std::memcpy(buffer, got->bytes.data(), got->bytes.size());
    return got->bytes.size();
  }

  bool lends() const override { return true; }

  Result<LentBytes> lend(size_t max) override {
    std::unique_lock lock(reader_.mu_);
    while (next_ < last_) {
      Part& part = reader_.parts_[next_];
      reader_.data_.wait(lock, [&] {
        return !part.chunks.empty() || part.state == PartState::kDone ||
               part.state == PartState::kFailed || reader_.stopping_;
      });
      if (!part.chunks.empty()) {
        const Block& front = part.chunks.front();
        const size_t n = std::min(max, front->size() - pos_);
        LentBytes out{std::string_view(front->data() + pos_, n), front};
        pos_ += n;
        raw_ += n;
        if (pos_ == front->size()) {
          // Its downloader may be waiting for room only when the queue was full.
          bool was_full = part.queued >= reader_.buffer_bytes_;
          part.queued -= front->size();
          part.chunks.pop_front();
          pos_ = 0;
          if (part.chunks.empty() && part.state == PartState::kDone) {
            // Read to its end: its place in the window goes to the next part now, not at the
            // next read (which may come only once that next part has data: see arrived()).
            reader_.release(part);
            ++next_;
            was_full = true;
          }
          if (was_full) reader_.room_.notify_all();
        }
        return out;
      }
      if (part.state == PartState::kFailed) return *part.error;
      if (part.state != PartState::kDone) return Error{ObjectStore::kStopped};
      reader_.release(part);
      reader_.room_.notify_all();
      ++next_;
    }
    return LentBytes{};
  }

  uint64_t raw_bytes_read() const override { return raw_; }

  bool ready(size_t bytes) override {
    std::lock_guard lock(reader_.mu_);
    return reader_.arrived(next_, last_, pos_, bytes);
  }

 private:
  ParallelReader& reader_;
  size_t next_;
  size_t last_;
  size_t pos_ = 0;  // in the front chunk of part next_
  uint64_t raw_ = 0;
};

uint64_t ParallelReader::range_bytes(const ParallelReadOptions& options, uint64_t total_bytes) {
  if (options.part_bytes > 0) return options.part_bytes;
  uint64_t per_connection = total_bytes / std::max(1u, options.connections);
  return std::clamp<uint64_t>(per_connection, kMinAutoRange, kMaxAutoRange);
}

uint64_t ParallelReader::part_bytes(const ParallelReadOptions& options, uint64_t total_bytes,
                                    uint64_t object_bytes) {
  const uint64_t range = std::max<uint64_t>(range_bytes(options, total_bytes), 64 * 1024);
  if (options.part_bytes == 0 && object_bytes <= 2 * range) return std::max<uint64_t>(object_bytes, 1);
  return range;
}

ParallelReader::ParallelReader(std::vector<Input> inputs, ParallelReadOptions options)
    : inputs_(std::move(inputs)),
      window_(std::max(1u, options.connections) + 2),
      buffer_bytes_(std::max<uint64_t>(options.buffer_bytes, kBlockBytes)),
      pool_(std::make_shared<BlockPool>(window_ * (buffer_bytes_ / kBlockBytes + 1))) {
  uint64_t total = 0;
  for (const auto& in : inputs_) total += in.object.size;
  for (size_t i = 0; i < inputs_.size(); ++i) {
    size_t first = parts_.size();
    const uint64_t size = inputs_[i].object.size;
    const uint64_t range = part_bytes(options, total, size);
    for (uint64_t off = 0; off < size; off += range) {
      Part part;
      part.input = i;
      part.offset = off;
      part.length = std::min(range, size - off);
      parts_.push_back(std::move(part));
    }
    part_range_.emplace_back(first, parts_.size());
    unopened_[inputs_[i].object.name].push_back(i);
  }
  for (auto& [name, list] : unopened_) std::reverse(list.begin(), list.end());
  HttpClient::global_init();
  unsigned threads = std::max(1u, options.connections);
  threads = static_cast<unsigned>(std::min<size_t>(threads, parts_.size()));
  for (unsigned t = 0; t < threads; ++t) downloaders_.emplace_back([this] { download_loop(); });
}

ParallelReader::~ParallelReader() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  data_.notify_all();
  room_.notify_all();
  for (auto& t : downloaders_) t.join();
}

bool ParallelReader::handles(const std::string& path) const { return unopened_.count(path) > 0; }

Result<std::unique_ptr<ByteSource>> ParallelReader::open(const InputFile& in) {
  auto it = unopened_.find(in.path);
  if (it == unopened_.end() || it->second.empty()) return Error{"cannot open '" + in.path + "' twice"};
  size_t input = it->second.back();
  it->second.pop_back();
  auto [first, last] = part_range_[input];
  return std::unique_ptr<ByteSource>(new PartSource(*this, first, last));
}

bool ParallelReader::ready(const InputFile& in, size_t bytes) {
  auto it = unopened_.find(in.path);
  if (it == unopened_.end() || it->second.empty()) return true;  // open() will say what is wrong
  auto [first, last] = part_range_[it->second.back()];
  std::lock_guard lock(mu_);
  return arrived(first, last, 0, bytes);
}

void ParallelReader::wait_for_data(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  data_.wait_for(lock, timeout);
}

bool ParallelReader::arrived(size_t first, size_t last, uint64_t skip, uint64_t bytes) const {
  if (stopping_) return true;
  uint64_t have = 0;
  for (size_t p = first; p < last; ++p) {
    const Part& part = parts_[p];
    if (part.state == PartState::kFailed) return true;
    have += part.queued - (p == first ? std::min(skip, part.queued) : 0);
    if (have >= bytes) return true;
    if (part.state == PartState::kDone) continue;
    // Part of the bytes asked for have not arrived. Say yes anyway when no more can arrive
    // until this input is read, or a job that waits for `bytes` would wait forever: when this
    // part's queue is full, or when it has not started because the window is full and parts
    // of this input before it, downloaded, hold places in it that reading them frees. (Parts
    // start in input order, so when this input's first unread part has not started, the
    // window is held by earlier inputs, which have their bytes or will.)
    if (part.state == PartState::kRunning) return part.queued >= buffer_bytes_;
    return part.state == PartState::kWaiting && held_ >= window_ && p > first;
  }
  return true;  // the end of the input is at hand
}

void ParallelReader::release(Part& part) {
  if (part.state == PartState::kReleased) return;
  part.state = PartState::kReleased;
  part.chunks.clear();
  part.queued = 0;
  --held_;
}

bool ParallelReader::push(Part& part, Block& block) {
  {
    std::unique_lock lock(mu_);
    room_.wait(lock, [&] { return part.queued < buffer_bytes_ || part.dropped || stopping_; });
    if (part.dropped || stopping_) return false;
    part.queued += block->size();
    part.chunks.push_back(std::move(block));
    data_.notify_all();
  }
  block = pool_->make();
  return true;
}

void ParallelReader::download_loop() {
  HttpClient http;
  std::unique_lock lock(mu_);
  for (;;) {
    room_.wait(lock, [&] { return stopping_ || next_part_ == parts_.size() || held_ < window_; });
    if (stopping_ || next_part_ == parts_.size()) return;
    size_t index = next_part_++;
    Part& part = parts_[index];
    if (part.dropped) {
      part.state = PartState::kReleased;
      continue;
    }
    part.state = PartState::kRunning;
    ++held_;
    const Input& in = inputs_[part.input];
    lock.unlock();
    Block block = pool_->make();
    Status got = in.store->read_range(http, in.object, part.offset, part.length,
                                      [&](std::string_view bytes) {
      while (!bytes.empty()) {
        size_t n = std::min(bytes.size(), kBlockBytes - block->size());
        block->append(bytes.data(), n);
        bytes.remove_prefix(n);
        if (block->size() == kBlockBytes && !push(part, block)) return false;
      }
      return true;
    });
    if (got && !block->empty()) got = push(part, block) ? Status(Ok{}) : Status(Error{ObjectStore::kStopped});
    block.reset();
    lock.lock();
    if (got) {
      part.state = PartState::kDone;
    } else {
      part.error = got.error();
      part.state = PartState::kFailed;
    }
    if (part.dropped) {
      release(part);
      room_.notify_all();
    }
    data_.notify_all();
  }
}

}  // namespace logan
