// StatsRows: one publication of statistics as a database stores it (a batch run, a stream
// window or the all-time total), cut from an AccessStats the way the report shows it: clients
// above the IP threshold, the top endpoints, every status and method. All text is valid UTF-8
// without NUL (what PostgreSQL's text type takes); keys that only differed in invalid bytes are
// added together.
// Thread-safety: plain values; make_stats_rows() is a pure function.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "report/stats_report.h"
#include "stats/access_stats.h"

namespace logan {

// What a publication is. The key of a row is (job, instance, kind, window_start, window_end),
// except for kTotal, which has one row per (job, instance), replaced at each publication.
// kCheckpoint is no statistics but a stream's checkpoint, stored (one per job and instance) in
// the transaction of the publications before it: exactly-once with a database (sink_writer.h).
enum class PublicationKind { kRun, kWindow, kTotal, kCheckpoint };
const char* publication_kind_name(PublicationKind kind);

// The counts of one value of one --group-by dimension (value nullopt: lines no lookup row
// matched).
struct GroupRowCounts {
  std::string by;                    // "lookup.column"
  std::optional<std::string> value;
  GroupCounts counts;
};

struct StatsRows {
  std::string job;
  std::string instance;
  PublicationKind kind = PublicationKind::kRun;
  int64_t window_start_ms = 0;
  int64_t window_end_ms = 0;
  bool final = false;
  int64_t published_ms = 0;

  uint64_t lines_total = 0;
  uint64_t lines_parsed = 0;
  uint64_t lines_invalid = 0;
  uint64_t unique_clients = 0;
  std::optional<int64_t> first_time;  // seconds since the epoch
  std::optional<int64_t> last_time;
  ContentSize content;
  std::array<uint64_t, AccessStats::kStatusClasses> bytes_by_class{};
  std::vector<std::pair<int, uint64_t>> statuses;
  std::vector<KeyCount> ips;
  std::vector<KeyCount> endpoints;
  std::vector<KeyCount> methods;
  std::vector<GroupRowCounts> groups;  // per dimension: the top values, then the unmatched

  // kCheckpoint only: the checkpoint's bytes, the positions it holds (a readable copy, for
  // logan_offsets), and what to call once it is stored (true) or its first attempt failed
  // (false); called once, on the writer's thread.
  struct Offset {
    std::string source;   // the source's checkpoint key ("kafka:logs?group=g")
    uint64_t part = 0;    // a Kafka partition, or a file source's file id
    uint64_t offset = 0;  // the next offset to read (Kafka), the bytes read (files)
  };
  std::shared_ptr<const std::string> checkpoint;
  std::vector<Offset> offsets;
  std::function<void(bool stored)> done;

  // The replacement key, for tests and messages.
  bool same_key(const StatsRows& other) const;
};

// Cuts `stats` into rows; job, instance, kind and the window are left for the caller.
StatsRows make_stats_rows(const AccessStats& stats, const ReportOptions& options);

// `keys` in ascending bytewise key order: rows inserted in the order of the (window_id, key)
// index are appended to it, instead of splitting its pages all over.
std::vector<const KeyCount*> by_key(const std::vector<KeyCount>& keys);

// `ms` since the epoch as "YYYY-MM-DDTHH:MM:SS.sssZ" (fixed width: sorts as text).
std::string sink_timestamp(int64_t ms);

}  // namespace logan
