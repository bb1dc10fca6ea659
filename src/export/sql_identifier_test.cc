// Tests of table name checking: only names get through, quoted.
#include "export/sql_identifier.h"

#include <gtest/gtest.h>

namespace logan {
namespace {

TEST(SqlIdentifier, NamesAreFoldedAndQuoted) {
  EXPECT_EQ(quote_table_name("access_log").value(), "\"access_log\"");
  EXPECT_EQ(quote_table_name("Web.Access2024").value(), "\"web\".\"access2024\"");
  EXPECT_EQ(quote_table_name("_t$1").value(), "\"_t$1\"");
  EXPECT_TRUE(quote_table_name(std::string(63, 'a')).ok());
}

TEST(SqlIdentifier, AnythingElseIsRefused) {
  for (const char* bad : {"", "1abc", "a-b", "a b", "a.b.c", ".a", "a.", "t\"; DROP TABLE x; --",
                          "t'); DROP TABLE x; --", "caf\xC3\xA9", "a;b", "\"quoted\""}) {
    auto r = quote_table_name(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_NE(r.error().message.find("bad table name"), std::string::npos);
    }
  }
  EXPECT_FALSE(quote_table_name(std::string(64, 'a')).ok());
}

TEST(SqlIdentifier, ColumnNamesKeepTheirTextAndDoubleTheirQuotes) {
  EXPECT_EQ(quote_identifier("org.Country").value(), "\"org.Country\"");
  EXPECT_EQ(quote_identifier("a\"); DROP TABLE x; --").value(), "\"a\"\"); DROP TABLE x; --\"");
  EXPECT_TRUE(quote_identifier(std::string(63, 'a')).ok());
  EXPECT_FALSE(quote_identifier("").ok());
  EXPECT_FALSE(quote_identifier(std::string(64, 'a')).ok());
  EXPECT_FALSE(quote_identifier(std::string("a\0b", 3)).ok());
}

}  // namespace
}  // namespace logan
