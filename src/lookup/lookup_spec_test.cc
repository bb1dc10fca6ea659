// Tests for --lookup and --group-by values: each source, each option, and the errors.
#include "lookup/lookup_spec.h"

#include <gtest/gtest.h>

namespace logan {
namespace {

TEST(LookupSpecTest, ParsesEachSource) {
  auto csv = parse_lookup_spec("plan=csv:/data/users.csv?key=user_id");
  ASSERT_TRUE(csv) << csv.error().message;
  EXPECT_EQ(csv->name, "plan");
  EXPECT_EQ(csv->scheme, LookupScheme::kCsv);
  EXPECT_EQ(csv->location, "/data/users.csv");
  EXPECT_EQ(csv->key, "user_id");
  EXPECT_FALSE(csv->kind);
  EXPECT_FALSE(csv->field);

  auto lite = parse_lookup_spec("cust=sqlite:db.sqlite?table=customers&key=ip&kind=ip&field=client");
  ASSERT_TRUE(lite) << lite.error().message;
  EXPECT_EQ(lite->scheme, LookupScheme::kSqlite);
  EXPECT_EQ(lite->table, "customers");
  EXPECT_EQ(*lite->kind, LookupKind::kIp);
  EXPECT_EQ(*lite->field, LookupField::kClient);

  auto pg = parse_lookup_spec(
      "org=postgresql://u:secret@db.example:5433/ref?table=net%20works&key=cidr&sslmode=require&kind=cidr");
  ASSERT_TRUE(pg) << pg.error().message;
  EXPECT_EQ(pg->scheme, LookupScheme::kPostgres);
  EXPECT_EQ(pg->location, "postgresql://u:secret@db.example:5433/ref?sslmode=require");
  EXPECT_EQ(pg->shown, "postgresql://u:***@db.example:5433/ref");
  EXPECT_EQ(pg->table, "net works");
  EXPECT_EQ(*pg->kind, LookupKind::kCidr);
}

TEST(LookupSpecTest, FieldsAndDefaults) {
  EXPECT_EQ(default_field(LookupKind::kCidr), LookupField::kClient);
  EXPECT_EQ(default_field(LookupKind::kIp), LookupField::kClient);
  EXPECT_EQ(default_field(LookupKind::kText), LookupField::kUser);
  auto vhost = parse_lookup_spec("site=csv:s.csv?key=host&field=vhost");
  ASSERT_TRUE(vhost);
  LogRecord r;
  r.vhost = "www.example";
  r.endpoint = "/x";
  EXPECT_EQ(record_field(r, *vhost->field), "www.example");
  EXPECT_EQ(record_field(r, LookupField::kEndpoint), "");  // has_endpoint is false
}

TEST(LookupSpecTest, RefusesBadSpecsSayingWhy) {
  struct Case {
    const char* text;
    const char* why;
  } cases[] = {
      {"csv:/x.csv?key=k", "expected NAME=SOURCE"},
      {"a b=csv:/x.csv?key=k", "expected NAME=SOURCE"},
      {"n=mysql://h/db?table=t&key=k", "SOURCE must start with"},
      {"n=csv:/x.csv", "key=COLUMN is required"},
      {"n=sqlite:/x.db?key=k", "table=NAME is required"},
      {"n=csv:/x.csv?key=k&table=t", "table= is for databases"},
      {"n=csv:/x.csv?key=k&kind=range", "kind must be ip, cidr or text"},
      {"n=csv:/x.csv?key=k&field=cookie", "field must be"},
      {"n=csv:/x.csv?key=k&colour=red", "unknown option 'colour'"},
      {"n=csv:/x.csv?key=%zz", "bad percent-encoding"},
      {"n=csv:?key=k", "no file or database named"},
  };
  for (const auto& c : cases) {
    auto spec = parse_lookup_spec(c.text);
    ASSERT_FALSE(spec) << c.text;
    EXPECT_NE(spec.error().message.find(c.why), std::string::npos) << spec.error().message;
    EXPECT_EQ(spec.error().message.rfind(std::string("bad --lookup '") + c.text + "': ", 0), 0u);
  }
}

TEST(LookupSpecTest, GroupBy) {
  auto g = parse_group_by("org.name");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->lookup, "org");
  EXPECT_EQ(g->column, "name");
  EXPECT_EQ(g->name(), "org.name");
  EXPECT_EQ(parse_group_by("org.a.b")->column, "a.b");
  for (const char* bad : {"org", "org.", ".name", "o g.name"}) EXPECT_FALSE(parse_group_by(bad)) << bad;
}

}  // namespace
}  // namespace logan
