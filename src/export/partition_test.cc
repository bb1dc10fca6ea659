// Tests of partition buckets, directory names and part file names.
#include "export/partition.h"

#include <gtest/gtest.h>

namespace logan {
namespace {

TEST(Partition, HourAndDayDirectoriesByUtcTime) {
  const int64_t t = 1709819736;  // 2024-03-07T13:55:36Z
  EXPECT_EQ(partition_dir(partition_bucket(t, true, PartitionBy::kHour), PartitionBy::kHour),
            "date=2024-03-07/hour=13");
  EXPECT_EQ(partition_dir(partition_bucket(t, true, PartitionBy::kDay), PartitionBy::kDay),
            "date=2024-03-07");
  EXPECT_EQ(partition_bucket(t, true, PartitionBy::kHour), 1709816400);
  EXPECT_EQ(partition_dir(partition_bucket(0, true, PartitionBy::kHour), PartitionBy::kHour),
            "date=1970-01-01/hour=00");
  EXPECT_EQ(partition_dir(partition_bucket(-1, true, PartitionBy::kHour), PartitionBy::kHour),
            "date=1969-12-31/hour=23");
}

TEST(Partition, NoTimeGoesToUnknownAndNoneHasNoDirectory) {
  EXPECT_EQ(partition_bucket(0, false, PartitionBy::kHour), kNoBucket);
  EXPECT_EQ(partition_dir(kNoBucket, PartitionBy::kHour), "date=unknown");
  EXPECT_EQ(partition_dir(kNoBucket, PartitionBy::kDay), "date=unknown");
  EXPECT_EQ(partition_bucket(1709819736, true, PartitionBy::kNone), 0);
  EXPECT_EQ(partition_dir(0, PartitionBy::kNone), "");
}

TEST(Partition, PartFileNames) {
  EXPECT_EQ(part_file_name(0, RecordFormat::kJsonLines, Compression::kGzip), "part-00000.jsonl.gz");
  EXPECT_EQ(part_file_name(42, RecordFormat::kCsv, Compression::kZstd), "part-00042.csv.zst");
  EXPECT_EQ(part_file_name(7, RecordFormat::kCsv, Compression::kNone), "part-00007.csv");
  EXPECT_EQ(part_file_name(123456, RecordFormat::kJsonLines, Compression::kNone), "part-123456.jsonl");
}

}  // namespace
}  // namespace logan
