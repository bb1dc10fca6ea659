// Where an exported record goes in an export directory: Hive-style partition directories by
// the record's logged UTC time ("date=2024-03-07/hour=13", "date=unknown" without a time) and
// numbered part files ("part-00000.jsonl.gz").
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>

#include "export/compressor.h"
#include "export/record_text.h"

namespace logan {

enum class PartitionBy { kNone, kDay, kHour };

// The bucket of a record's time: the start of its day or hour (seconds since the epoch, UTC),
// kNoBucket without a time, 0 for every record when not partitioned.
inline constexpr int64_t kNoBucket = INT64_MIN;
int64_t partition_bucket(int64_t time, bool has_time, PartitionBy by);

// The directory of a bucket, relative to the export directory, without a trailing '/':
// "date=2024-03-07/hour=13" (kHour), "date=2024-03-07" (kDay), "date=unknown" for kNoBucket,
// "" for kNone.
std::string partition_dir(int64_t bucket, PartitionBy by);

// "part-00042.jsonl.gz".
std::string part_file_name(unsigned index, RecordFormat format, Compression compression);

}  // namespace logan
