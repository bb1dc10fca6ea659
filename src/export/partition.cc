// Partition directories and part file names; see partition.h.
#include "export/partition.h"

#include <cstdio>

#include "parse/timestamp.h"

namespace logan {

int64_t partition_bucket(int64_t time, bool has_time, PartitionBy by) {
  if (by == PartitionBy::kNone) return 0;
  if (!has_time) return kNoBucket;
  const int64_t span = by == PartitionBy::kDay ? 86400 : 3600;
  return time >= 0 ? time / span * span : (time - span + 1) / span * span;
}

std::string partition_dir(int64_t bucket, PartitionBy by) {
  if (by == PartitionBy::kNone) return "";
  if (bucket == kNoBucket) return "date=unknown";
  std::string iso = format_utc_iso8601(bucket);  // "2024-03-07T13:00:00Z"
  std::string dir = "date=" + iso.substr(0, iso.find('T'));
  if (by == PartitionBy::kHour) dir += "/hour=" + iso.substr(iso.find('T') + 1, 2);
  return dir;
}

std::string part_file_name(unsigned index, RecordFormat format, Compression compression) {
  char number[16];
  std::snprintf(number, sizeof number, "%05u", index);
  std::string name = std::string("part-") + number + "." + record_format_extension(format);
  const char* ext = compression_extension(compression);
  if (*ext) name += std::string(".") + ext;
  return name;
}

}  // namespace logan
