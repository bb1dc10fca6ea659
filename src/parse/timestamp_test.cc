// Tests for timestamp parsing (CLF and ISO 8601, any zone offset) and UTC formatting.
#include "parse/timestamp.h"

#include <gtest/gtest.h>

namespace logan {
namespace {

TEST(TimestampTest, DaysFromCivil) {
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(2000, 3, 1), 11017);
  EXPECT_EQ(days_from_civil(1969, 12, 31), -1);
}

TEST(TimestampTest, FormatRoundTrip) {
  EXPECT_EQ(format_utc_iso8601(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_utc_iso8601(1078704349), "2004-03-08T00:05:49Z");
  EXPECT_EQ(format_utc_iso8601(951782400), "2000-02-29T00:00:00Z");
  EXPECT_EQ(format_utc_iso8601(-1), "1969-12-31T23:59:59Z");
  for (int64_t t : {0LL, 86399LL, 951782400LL, 1709769600LL, 4102444799LL}) {
    EXPECT_EQ(parse_iso8601(format_utc_iso8601(t)), t);
  }
}

TEST(TimestampTest, Clf) {
  ClfTimeParser p;
  EXPECT_EQ(p.parse("07/Mar/2004:16:05:49 -0800"), 1078704349);
  EXPECT_EQ(p.parse("07/Mar/2004:16:05:50 -0800"), 1078704350);  // cached day
  EXPECT_EQ(p.parse("08/Mar/2004:00:05:49 +0000"), 1078704349);
  EXPECT_EQ(p.parse("29/Feb/2024:23:59:59 +0530"), 1709231399);
  EXPECT_FALSE(p.parse("29/Feb/2023:00:00:00 +0000"));
  EXPECT_FALSE(p.parse("07/Mar/2004:24:00:00 +0000"));
  EXPECT_FALSE(p.parse("07/Mar/2004:16:05:49"));
  EXPECT_FALSE(p.parse("07/Mar/2004:16:05:49 0800 "));
  EXPECT_FALSE(p.parse("07-Mar-2004:16:05:49 +0800"));
  // The same text again comes from the last-text cache; any byte that differs does not.
  EXPECT_EQ(p.parse("29/Feb/2024:23:59:59 +0530"), 1709231399);
  EXPECT_EQ(p.parse("29/Feb/2024:23:59:59 +0530"), 1709231399);
  EXPECT_EQ(p.parse("29/Feb/2024:23:59:59 +0531"), 1709231339);
  EXPECT_EQ(p.parse("29/Feb/2024:23:59:59 -0530"), 1709270999);
  EXPECT_FALSE(p.parse("29/Feb/2024:23:59:59 -0590"));
  EXPECT_EQ(p.parse("29/Feb/2024:23:59:59 -0530"), 1709270999);
}

TEST(TimestampTest, OnlyYearsOneTo9999InUtc) {
  // What the sinks can store; one line outside once wedged the PostgreSQL sink.
  ClfTimeParser p;
  EXPECT_EQ(p.parse("01/Jan/0001:00:00:00 +0000"), kMinLogTime);
  EXPECT_EQ(p.parse("31/Dec/9999:23:59:59 +0000"), kMaxLogTime);
  EXPECT_FALSE(p.parse("01/Jan/0000:00:00:00 +2359"));
  EXPECT_FALSE(p.parse("01/Jan/0001:00:00:00 +0001"));
  EXPECT_FALSE(p.parse("31/Dec/9999:23:59:59 -0001"));
  EXPECT_FALSE(p.parse("31/Dec/9999:23:59:59 -0001"));  // not from the cache either
  EXPECT_EQ(parse_iso8601("0001-01-01T00:00:00Z"), kMinLogTime);
  EXPECT_EQ(parse_iso8601("9999-12-31T23:59:59Z"), kMaxLogTime);
  EXPECT_FALSE(parse_iso8601("0000-12-31T23:59:59Z"));
  EXPECT_FALSE(parse_iso8601("9999-12-31T23:59:59-01:00"));
  EXPECT_EQ(format_utc_iso8601(kMinLogTime), "0001-01-01T00:00:00Z");
  EXPECT_EQ(format_utc_iso8601(kMaxLogTime), "9999-12-31T23:59:59Z");
}

TEST(TimestampTest, Iso8601) {
  EXPECT_EQ(parse_iso8601("2024-03-07T10:00:00+01:00"), 1709802000);
  EXPECT_EQ(parse_iso8601("2024-03-07T09:00:00Z"), 1709802000);
  EXPECT_EQ(parse_iso8601("2024-03-07T09:00:00.123Z"), 1709802000);
  EXPECT_EQ(parse_iso8601("2024-03-07T04:00:00-0500"), 1709802000);
  EXPECT_FALSE(parse_iso8601("2024-13-07T04:00:00Z"));
  EXPECT_FALSE(parse_iso8601("2024-03-07T04:00:00Zjunk"));
}

}  // namespace
}  // namespace logan
