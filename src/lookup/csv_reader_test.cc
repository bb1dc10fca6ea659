// Tests for RFC 4180 parsing: quoting, line breaks in fields, CRLF, and malformed input.
#include "lookup/csv_reader.h"

#include <gtest/gtest.h>

namespace logan {
namespace {

using Records = std::vector<std::vector<std::string>>;

TEST(CsvReaderTest, ReadsPlainAndQuotedFields) {
  auto r = parse_csv("a,b,c\n1,\"two, with comma\",\"say \"\"hi\"\"\"\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, (Records{{"a", "b", "c"}, {"1", "two, with comma", "say \"hi\""}}));
}

TEST(CsvReaderTest, LineBreaksCrlfEmptyFieldsAndNoFinalNewline) {
  auto r = parse_csv("k,v\r\n\"multi\r\nline\",\r\n,x\r\nlast,1");
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, (Records{{"k", "v"}, {"multi\r\nline", ""}, {"", "x"}, {"last", "1"}}));
  EXPECT_EQ(*parse_csv("a,b,"), (Records{{"a", "b", ""}}));
  EXPECT_EQ(*parse_csv(""), Records{});
  EXPECT_EQ(*parse_csv("\"\"\n"), (Records{{""}}));
}

TEST(CsvReaderTest, HostileTextIsJustData) {
  auto r = parse_csv("k,v\n\"'; DROP TABLE x; --\",\"<script>\"\n");
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)[1][0], "'; DROP TABLE x; --");
}

TEST(CsvReaderTest, RefusesMalformedQuotingWithTheLine) {
  auto open = parse_csv("a\n\"never closed\n");
  ASSERT_FALSE(open);
  EXPECT_EQ(open.error().message, "line 2: a quoted field is never closed");
  auto after = parse_csv("a,b\n\"x\"y,1\n");
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().message, "line 2: text after a closing quote");
  auto inside = parse_csv("a\nx\"y\n");
  ASSERT_FALSE(inside);
  EXPECT_EQ(inside.error().message, "line 2: a quote inside an unquoted field");
}

}  // namespace
}  // namespace logan
