// AccessStats: every statistic logan computes over access-log lines, as one mergeable value.
//
// The contract (see README.md in this folder): update() folds in one line; merge() combines
// two partial states into the state of their union, and is associative and commutative with
// AccessStats{} as its identity; serialize()/deserialize() round-trip a state exactly, in a
// versioned, checksummed form (docs/partial-format.md). Threads, windows, checkpoints and MPI
// ranks all combine partial results through merge().
// Thread-safety: not thread-safe; each thread updates its own and the results are merged.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "parse/log_record.h"
#include "stats/group_stats.h"
#include "stats/key_counts.h"

namespace logan {

// Where an invalid line was, and (a prefix of) what it said.
struct InvalidSample {
  uint32_t input = 0;   // index of the input in the run's expanded input list
  uint64_t line = 0;    // 1-based line number within that input
  std::string source;   // the input's name as given
  std::string text;     // at most kSampleTextLimit bytes of the line
  bool operator==(const InvalidSample&) const = default;
};

struct ContentSize {
  uint64_t count = 0;
  uint64_t sum = 0;
  uint64_t min = 0;  // meaningful only when count > 0
  uint64_t max = 0;
  double avg() const { return count ? static_cast<double>(sum) / static_cast<double>(count) : 0.0; }
  bool operator==(const ContentSize&) const = default;
};

class AccessStats {
 public:
  static constexpr size_t kMaxSamples = 10;
  static constexpr size_t kSampleTextLimit = 512;
  static constexpr int kStatusClasses = 6;  // 1xx..5xx, other

  // Folds in one parsed line.
  void add_parsed(const LogRecord& record) {
    add_parsed_except_keys(record);
    if (!record.client.empty()) clients_.add(record.client);
    if (record.has_endpoint) endpoints_.add(record.endpoint);
    if (!record.method.empty()) methods_.add(record.method);
  }

  // Folds in a batch of parsed lines. Faster than one add_parsed() per line for large tables:
  // the keys of up to kMaxBatch lines at a time are hashed and their table slots prefetched
  // before any is looked up.
  static constexpr size_t kMaxBatch = 64;
  void add_parsed_batch(const LogRecord* records, size_t n) {
    for (size_t start = 0; start < n; start += kMaxBatch) {
      add_parsed_group(records + start, std::min(kMaxBatch, n - start), nullptr);
    }
  }
  // Folds in a batch of parsed lines of any size and, with a grouper (may be null), adds them
  // to its groups() too, the grouper's answers per client kept with the clients (ClientTags).
  void add_parsed_grouped(const LogRecord* records, size_t n, const RecordGrouper* grouper);

  // Folds in one invalid line, and offers it as a sample.
  void add_invalid(uint32_t input, uint64_t line, std::string_view source, std::string_view text) {
    add_invalid_unsampled(1);
    offer_invalid_sample(input, line, source, text);
  }

  // Keeps a sample of an invalid line already counted, while it is among the first
  // kMaxSamples by (input, line).
  void offer_invalid_sample(uint32_t input, uint64_t line, std::string_view source,
                            std::string_view text);

  // Counts `n` invalid lines without sampling them (used when their positions are not known).
  void add_invalid_unsampled(uint64_t n) {
    total_ += n;
    invalid_ += n;
  }

  void merge(const AccessStats& other);

  // Takes out `part`, a state merged into this one earlier (a sliding window dropping its
  // oldest pane): counts, sums and key tables. The extremes (content size min/max, time range)
  // and the samples cannot be taken out; set_extremes_from() recomputes them.
  void subtract(const AccessStats& part);
  // Sets content size min/max, the time range and the samples to those of the merge of `parts`.
  void set_extremes_from(const std::vector<const AccessStats*>& parts);

  // Rewrites the position of every sample (input, line, source), e.g. from a work unit's
  // numbering to its file's; the samples are then put back in order.
  void remap_samples(const std::function<void(InvalidSample&)>& map);

  // Adds `by` to the input index of every sample: used when merging the states of runs over
  // different input lists, so that samples keep the order of the runs.
  void shift_sample_inputs(uint32_t by) {
    for (auto& s : samples_) s.input += by;
  }

  // Appends the framed, versioned, checksummed encoding of this state to `out`. Canonical
  // encodings list keys in order, so equal states give equal bytes (for files); a
  // non-canonical one skips the sort (for states that are merged at once, as in MPI).
  void serialize(std::string& out, bool canonical = true) const;
  // Decodes what serialize() wrote; a foreign, truncated or corrupt input is an error.
  static Result<AccessStats> deserialize(std::string_view data);
  // Merges what serialize() wrote into this state without building it first. On error this
  // state is left part-merged: discard it.
  Status merge_serialized(std::string_view data);

  uint64_t total_lines() const { return total_; }
  uint64_t parsed_lines() const { return parsed_; }
  uint64_t invalid_lines() const { return invalid_; }
  const std::vector<InvalidSample>& invalid_samples() const { return samples_; }
  const ContentSize& content_size() const { return content_; }
  // (code, count) for every status seen, by code ascending.
  std::vector<std::pair<int, uint64_t>> response_codes() const;
  const KeyCounts& clients() const { return clients_; }
  const KeyCounts& endpoints() const { return endpoints_; }
  const KeyCounts& methods() const { return methods_; }
  // Bytes by status class: index 0..4 for 1xx..5xx, 5 for other / none.
  const std::array<uint64_t, kStatusClasses>& bytes_by_status_class() const { return bytes_by_class_; }
  bool has_time_range() const { return first_time_ != LogRecord::kNoTime; }
  int64_t first_time() const { return first_time_; }
  int64_t last_time() const { return last_time_; }
  // Statistics per looked-up value (--group-by); filled by a RecordGrouper beside add_parsed().
  GroupStats& groups() { return groups_; }
  const GroupStats& groups() const { return groups_; }

  bool operator==(const AccessStats& other) const;

 private:
  static int status_class(int status) {
    return status >= 100 && status <= 599 ? status / 100 - 1 : kStatusClasses - 1;
  }

  uint64_t total_ = 0;
  uint64_t parsed_ = 0;
  uint64_t invalid_ = 0;
  std::vector<InvalidSample> samples_;  // sorted by (input, line), at most kMaxSamples
  ContentSize content_;
  std::array<uint64_t, 1000> status_counts_{};
  std::array<uint64_t, kStatusClasses> bytes_by_class_{};
  // add_parsed_batch() that also reads the clients' tags into `tags` for a RecordGrouper
  // (see ClientTags). REQUIRES: n <= ClientTags::kMax.
  void add_parsed_batch(const LogRecord* records, size_t n, ClientTags& tags) {
    static_assert(ClientTags::kMax <= kMaxBatch);
    tags.epoch = client_tag_epoch_;
    add_parsed_group(records, n, &tags);
  }
  // Keeps the tags the grouper marked for storing, after add_parsed_batch(records, n, tags).
  void store_client_tags(const LogRecord* records, size_t n, const ClientTags& tags);
  // add_parsed_batch() for n <= kMaxBatch lines.
  void add_parsed_group(const LogRecord* records, size_t n, ClientTags* tags) {
    uint64_t client_hash[kMaxBatch];
    uint64_t endpoint_hash[kMaxBatch];
    for (size_t i = 0; i < n; ++i) {
      client_hash[i] = KeyCounts::hash(records[i].client);
      clients_.prefetch_hashed(client_hash[i]);
      if (records[i].has_endpoint) {
        endpoint_hash[i] = KeyCounts::hash(records[i].endpoint);
        endpoints_.prefetch_hashed(endpoint_hash[i]);
      }
    }
    for (size_t i = 0; i < n; ++i) {
      const LogRecord& record = records[i];
      add_parsed_except_keys(record);
      if (tags != nullptr) {
        tags->hash[i] = client_hash[i];
        tags->tag[i] = record.client.empty() ? 0 : clients_.add_hashed_tagged(record.client, client_hash[i]);
      } else if (!record.client.empty()) {
        clients_.add_hashed(record.client, client_hash[i]);
      }
      if (record.has_endpoint) endpoints_.add_hashed(record.endpoint, endpoint_hash[i]);
      if (!record.method.empty()) methods_.add(record.method);
    }
  }

  // Everything add_parsed() counts but the keyed tables.
  void add_parsed_except_keys(const LogRecord& record) {
    ++total_;
    ++parsed_;
    if (record.size >= 0) {
      const uint64_t size = static_cast<uint64_t>(record.size);
      if (content_.count == 0 || size < content_.min) content_.min = size;
      if (size > content_.max) content_.max = size;
      ++content_.count;
      content_.sum += size;
      bytes_by_class_[status_class(record.status)] += size;
    }
    if (record.status >= 0) ++status_counts_[record.status];
    if (record.has_time()) {
      if (first_time_ == LogRecord::kNoTime || record.time < first_time_) first_time_ = record.time;
      if (last_time_ == LogRecord::kNoTime || record.time > last_time_) last_time_ = record.time;
    }
  }

  KeyCounts clients_;
  KeyCounts endpoints_;
  KeyCounts methods_{/*remember_last=*/true};
  int64_t first_time_ = LogRecord::kNoTime;
  int64_t last_time_ = LogRecord::kNoTime;
  GroupStats groups_;
  // What the client table's tags belong to (ClientTags::epoch); not part of the statistics.
  uint64_t client_tag_epoch_ = 0;
};

}  // namespace logan
