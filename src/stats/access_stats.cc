// Merging and serialization of AccessStats; see access_stats.h and docs/partial-format.md.
#include "stats/access_stats.h"

#include <algorithm>
#include <tuple>

#include "stats/serial.h"


namespace logan {
namespace {

constexpr std::string_view kMagic = "LOGANST\x01";  // 8 bytes; the last names the framing
// Version 2 appends the grouped statistics; a state without groups is still written as
// version 1, so that older readers take it. Both are read.
constexpr uint64_t kVersion = 2;

bool sample_before(const InvalidSample& a, const InvalidSample& b) {
  return std::tie(a.input, a.line, a.source, a.text) < std::tie(b.input, b.line, b.source, b.text);
}

}  // namespace

void AccessStats::offer_invalid_sample(uint32_t input, uint64_t line, std::string_view source,
                                       std::string_view text) {
  InvalidSample sample{input, line, {}, {}};
  if (samples_.size() == kMaxSamples && !sample_before(sample, samples_.back())) return;
  sample.source = std::string(source);
  sample.text = std::string(text.substr(0, kSampleTextLimit));
  auto at = std::upper_bound(samples_.begin(), samples_.end(), sample, sample_before);
  samples_.insert(at, std::move(sample));
  if (samples_.size() > kMaxSamples) samples_.pop_back();
}

void AccessStats::store_client_tags(const LogRecord* records, size_t n, const ClientTags& tags) {
  if (tags.epoch != client_tag_epoch_) {
    clients_.clear_tags();
    client_tag_epoch_ = tags.epoch;
  }
  for (size_t i = 0; i < n; ++i) {
    if (tags.store[i] && !records[i].client.empty()) clients_.set_tag(records[i].client, tags.hash[i], tags.tag[i]);
  }
}

void AccessStats::add_parsed_grouped(const LogRecord* records, size_t n, const RecordGrouper* grouper) {
  if (grouper == nullptr) {
    add_parsed_batch(records, n);
    return;
  }
  for (size_t start = 0; start < n; start += ClientTags::kMax) {
    const size_t m = std::min(ClientTags::kMax, n - start);
    ClientTags tags;
    add_parsed_batch(records + start, m, tags);
    grouper->add(records + start, m, groups_, tags);
    store_client_tags(records + start, m, tags);
  }
}

void AccessStats::merge(const AccessStats& other) {
  total_ += other.total_;
  parsed_ += other.parsed_;
  invalid_ += other.invalid_;
  if (!other.samples_.empty()) {
    std::vector<InvalidSample> merged;
    merged.reserve(samples_.size() + other.samples_.size());
    std::merge(samples_.begin(), samples_.end(), other.samples_.begin(), other.samples_.end(),
               std::back_inserter(merged), sample_before);
    if (merged.size() > kMaxSamples) merged.resize(kMaxSamples);
    samples_ = std::move(merged);
  }
  if (other.content_.count > 0) {
    if (content_.count == 0 || other.content_.min < content_.min) content_.min = other.content_.min;
    content_.max = std::max(content_.max, other.content_.max);
    content_.count += other.content_.count;
    content_.sum += other.content_.sum;
  }
  for (size_t i = 0; i < status_counts_.size(); ++i) status_counts_[i] += other.status_counts_[i];
  for (size_t i = 0; i < bytes_by_class_.size(); ++i) bytes_by_class_[i] += other.bytes_by_class_[i];
  clients_.merge(other.clients_);
  endpoints_.merge(other.endpoints_);
  methods_.merge(other.methods_);
  if (other.has_time_range()) {
    if (!has_time_range() || other.first_time_ < first_time_) first_time_ = other.first_time_;
    if (!has_time_range() || other.last_time_ > last_time_) last_time_ = other.last_time_;
  }
  groups_.merge(other.groups_);
}

void AccessStats::subtract(const AccessStats& part) {
  total_ -= part.total_;
  parsed_ -= part.parsed_;
  invalid_ -= part.invalid_;
  content_.count -= part.content_.count;
  content_.sum -= part.content_.sum;
  for (size_t i = 0; i < status_counts_.size(); ++i) status_counts_[i] -= part.status_counts_[i];
  for (size_t i = 0; i < bytes_by_class_.size(); ++i) bytes_by_class_[i] -= part.bytes_by_class_[i];
  clients_.subtract(part.clients_);
  endpoints_.subtract(part.endpoints_);
  methods_.subtract(part.methods_);
  groups_.subtract(part.groups_);
}

void AccessStats::set_extremes_from(const std::vector<const AccessStats*>& parts) {
  samples_.clear();
  content_.min = content_.max = 0;
  first_time_ = last_time_ = LogRecord::kNoTime;
  bool have_size = false;
  for (const AccessStats* p : parts) {
    if (p->content_.count > 0) {
      if (!have_size || p->content_.min < content_.min) content_.min = p->content_.min;
      if (!have_size || p->content_.max > content_.max) content_.max = p->content_.max;
      have_size = true;
    }
    if (p->has_time_range()) {
      if (!has_time_range() || p->first_time_ < first_time_) first_time_ = p->first_time_;
      if (!has_time_range() || p->last_time_ > last_time_) last_time_ = p->last_time_;
    }
    if (!p->samples_.empty()) {
      std::vector<InvalidSample> merged;
      std::merge(samples_.begin(), samples_.end(), p->samples_.begin(), p->samples_.end(),
                 std::back_inserter(merged), sample_before);
      if (merged.size() > kMaxSamples) merged.resize(kMaxSamples);
      samples_ = std::move(merged);
    }
  }
}

void AccessStats::remap_samples(const std::function<void(InvalidSample&)>& map) {
  for (auto& s : samples_) map(s);
  std::sort(samples_.begin(), samples_.end(), sample_before);
}

std::vector<std::pair<int, uint64_t>> AccessStats::response_codes() const {
  std::vector<std::pair<int, uint64_t>> codes;
  for (size_t code = 0; code < status_counts_.size(); ++code) {
    if (status_counts_[code]) codes.emplace_back(static_cast<int>(code), status_counts_[code]);
  }
  return codes;
}

bool AccessStats::operator==(const AccessStats& o) const {
  return total_ == o.total_ && parsed_ == o.parsed_ && invalid_ == o.invalid_ &&
         samples_ == o.samples_ && content_ == o.content_ && status_counts_ == o.status_counts_ &&
         bytes_by_class_ == o.bytes_by_class_ && clients_ == o.clients_ &&
         endpoints_ == o.endpoints_ && methods_ == o.methods_ && first_time_ == o.first_time_ &&
         last_time_ == o.last_time_ && groups_ == o.groups_;
}

void AccessStats::serialize(std::string& out, bool canonical) const {
  const size_t start = out.size();
  out.append(kMagic);
  BinaryWriter w(out);
  w.u64(groups_.empty() ? 1 : kVersion);
  w.u64(total_);
  w.u64(parsed_);
  w.u64(invalid_);
  w.u64(samples_.size());
  for (const auto& s : samples_) {
    w.u64(s.input);
    w.u64(s.line);
    w.bytes(s.source);
    w.bytes(s.text);
  }
  w.u64(content_.count);
  w.u64(content_.sum);
  w.u64(content_.min);
  w.u64(content_.max);
  auto codes = response_codes();
  w.u64(codes.size());
  for (const auto& [code, count] : codes) {
    w.u64(static_cast<uint64_t>(code));
    w.u64(count);
  }
  for (uint64_t b : bytes_by_class_) w.u64(b);
  clients_.serialize(w, canonical);
  endpoints_.serialize(w, canonical);
  methods_.serialize(w, canonical);
  w.i64(first_time_);
  w.i64(last_time_);
  if (!groups_.empty()) groups_.serialize(w, canonical);
  append_checksum(out, start);
}

Result<AccessStats> AccessStats::deserialize(std::string_view data) {
  AccessStats s;
  Status merged = s.merge_serialized(data);
  if (!merged) return merged.error();
  return s;
}

Status AccessStats::merge_serialized(std::string_view data) {
  auto body = open_frame(data, kMagic, "logan statistics state");
  if (!body) return body.error();
  BinaryReader r(*body);
  uint64_t version = r.u64();
  if (version != kVersion && version != 1) {
    return Error{"unsupported logan statistics version " + std::to_string(version) +
                 " (this logan reads versions 1 to " + std::to_string(kVersion) + ")"};
  }
  // Everything but the key tables is decoded into a small state and merged at the end; the
  // key tables, which can hold millions of keys, are merged into ours as they are read.
  AccessStats s;
  s.total_ = r.u64();
  s.parsed_ = r.u64();
  s.invalid_ = r.u64();
  uint64_t samples = r.count();
  for (uint64_t i = 0; i < samples && !r.failed(); ++i) {
    InvalidSample sample;
    sample.input = static_cast<uint32_t>(r.u64());
    sample.line = r.u64();
    sample.source = std::string(r.bytes());
    sample.text = std::string(r.bytes());
    s.samples_.push_back(std::move(sample));
  }
  s.content_.count = r.u64();
  s.content_.sum = r.u64();
  s.content_.min = r.u64();
  s.content_.max = r.u64();
  uint64_t codes = r.count();
  for (uint64_t i = 0; i < codes && !r.failed(); ++i) {
    uint64_t code = r.u64();
    uint64_t count = r.u64();
    if (code >= s.status_counts_.size()) return Error{"corrupt logan statistics state (status code)"};
    s.status_counts_[code] = count;
  }
  for (auto& b : s.bytes_by_class_) b = r.u64();
  if (!clients_.merge_serialized(r) || !endpoints_.merge_serialized(r) ||
      !methods_.merge_serialized(r)) {
    return Error{"corrupt logan statistics state (truncated key counts)"};
  }
  s.first_time_ = r.i64();
  s.last_time_ = r.i64();
  if (version >= 2 && !s.groups_.merge_serialized(r)) {
    return Error{"corrupt logan statistics state (truncated groups)"};
  }
  if (r.failed() || !r.at_end() || s.parsed_ + s.invalid_ != s.total_ ||
      s.samples_.size() > kMaxSamples ||
      !std::is_sorted(s.samples_.begin(), s.samples_.end(), sample_before)) {
    return Error{"corrupt logan statistics state (inconsistent fields)"};
  }
  merge(s);
  return Ok{};
}

}  // namespace logan
