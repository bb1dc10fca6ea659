// Parallel, bounded downloads of remote objects; see parallel_reader.h.
#include "remote/parallel_reader.h"

#include <algorithm>
#include <cstring>

namespace logan {

// Hands out one input's parts in order, waiting for each to arrive.
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
    reader_.changed_.notify_all();
  }

  Result<size_t> read(char* buffer, size_t capacity) override {
    std::unique_lock lock(reader_.mu_);
    while (next_ < last_) {
      Part& part = reader_.parts_[next_];
      reader_.changed_.wait(lock, [&] {
        return part.state == PartState::kDone || part.state == PartState::kFailed || reader_.stopping_;
      });
      if (part.state == PartState::kFailed) return *part.error;
      if (part.state != PartState::kDone) return Error{"reading was stopped"};
      if (pos_ < part.data.size()) {
        size_t n = std::min(capacity, part.data.size() - pos_);
        std::memcpy(buffer, part.data.data() + pos_, n);
        pos_ += n;
        raw_ += n;
        return n;
      }
      reader_.release(part);
      reader_.changed_.notify_all();
      ++next_;
      pos_ = 0;
    }
    return size_t{0};
  }

  uint64_t raw_bytes_read() const override { return raw_; }

 private:
  ParallelReader& reader_;
  size_t next_;
  size_t last_;
  size_t pos_ = 0;
  uint64_t raw_ = 0;
};

ParallelReader::ParallelReader(std::vector<Input> inputs, ParallelReadOptions options)
    : inputs_(std::move(inputs)), window_(std::max(1u, options.connections) + 2) {
  const uint64_t part_bytes = std::max<uint64_t>(options.part_bytes, 64 * 1024);
  for (size_t i = 0; i < inputs_.size(); ++i) {
    size_t first = parts_.size();
    const uint64_t size = inputs_[i].object.size;
    for (uint64_t off = 0; off < size; off += part_bytes) {
      Part part;
      part.input = i;
      part.offset = off;
      part.length = std::min(part_bytes, size - off);
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
  changed_.notify_all();
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

void ParallelReader::release(Part& part) {
  if (part.state == PartState::kReleased) return;
  part.state = PartState::kReleased;
  std::string().swap(part.data);
  --held_;
}

void ParallelReader::download_loop() {
  HttpClient http;
  std::unique_lock lock(mu_);
  for (;;) {
    changed_.wait(lock, [&] { return stopping_ || next_part_ == parts_.size() || held_ < window_; });
    if (stopping_ || next_part_ == parts_.size()) return;
    size_t index = next_part_++;
    if (parts_[index].dropped) {
      parts_[index].state = PartState::kReleased;
      continue;
    }
    Part& part = parts_[index];
    part.state = PartState::kRunning;
    ++held_;
    const Input& in = inputs_[part.input];
    lock.unlock();
    std::string data;
    data.reserve(part.length);
    Status got = in.store->read_range(http, in.object, part.offset, part.length,
                                      [&](std::string_view bytes) { data.append(bytes); });
    lock.lock();
    if (got) {
      part.data = std::move(data);
      part.state = PartState::kDone;
    } else {
      part.error = got.error();
      part.state = PartState::kFailed;
    }
    if (part.dropped) release(part);
    changed_.notify_all();
  }
}

}  // namespace logan
