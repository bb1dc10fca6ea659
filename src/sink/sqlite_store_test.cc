#include <sqlite3.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "sink/stats_store.h"

namespace logan {
namespace {

namespace fs = std::filesystem;

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = fs::temp_directory_path() / ("logan-sink-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db");
    remove();
  }
  void TearDown() override { remove(); }
  void remove() {
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path_.string() + suffix);
  }
  std::string url() const { return "sqlite:" + path_.string(); }

  // The first column of the first row of `sql`, as text ("" when none).
  std::string query(const std::string& sql) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    std::string out;
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != nullptr) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
  }

  static StatsRows rows(PublicationKind kind, int64_t start_ms, uint64_t lines) {
    AccessStats stats;
    LogRecord r;
    r.client = "10.0.0.1";
    r.endpoint = "/a";
    r.has_endpoint = true;
    r.method = "GET";
    r.status = 200;
    r.size = 100;
    for (uint64_t i = 0; i < lines; ++i) stats.add_parsed(r);
    ReportOptions options;
    options.ip_threshold = 0;
    StatsRows out = make_stats_rows(stats, options);
    out.job = "job";
    out.instance = "host-1";
    out.kind = kind;
    out.window_start_ms = start_ms;
    out.window_end_ms = start_ms + 60000;
    out.published_ms = start_ms + 60000;
    return out;
  }

  fs::path path_;
};

TEST_F(SqliteStoreTest, CreatesTheSchemaAndStoresAPublication) {
  auto store = open_stats_store(url());
  ASSERT_TRUE(store) << store.error().message;
  ASSERT_TRUE((*store)->write({rows(PublicationKind::kRun, 0, 3)}));
  EXPECT_EQ(query("SELECT version FROM logan_schema"), std::to_string(kStatsSchemaVersion));
  EXPECT_EQ(query("SELECT lines_total FROM logan_windows"), "3");
  EXPECT_EQ(query("SELECT window_end FROM logan_windows"), "1970-01-01T00:01:00.000Z");
  EXPECT_EQ(query("SELECT sum FROM logan_content_size"), "300");
  EXPECT_EQ(query("SELECT count FROM logan_status_counts WHERE status = 200"), "3");
  EXPECT_EQ(query("SELECT count FROM logan_ip_counts WHERE ip = '10.0.0.1'"), "3");
  EXPECT_EQ(query("SELECT count FROM logan_endpoint_counts WHERE endpoint = '/a'"), "3");
  EXPECT_EQ(query("SELECT count FROM logan_method_counts WHERE method = 'GET'"), "3");
  EXPECT_EQ(query("SELECT bytes_2xx FROM logan_windows"), "300");
}

TEST_F(SqliteStoreTest, ManyKeysAreStoredInFullAndPartialStatementsAlike) {
  auto store = open_stats_store(url());
  ASSERT_TRUE(store);
  for (size_t n : {0, 1, 127, 128, 129, 300}) {
    StatsRows r = rows(PublicationKind::kWindow, static_cast<int64_t>(n) * 60000, 1);
    r.ips.clear();
    uint64_t sum = 0;
    for (size_t i = 0; i < n; ++i) {
      r.ips.push_back({"10.1." + std::to_string(i / 256) + "." + std::to_string(i % 256), i + 1});
      sum += i + 1;
    }
    ASSERT_TRUE((*store)->write({r})) << n;
    const std::string where = " FROM logan_ip_counts c JOIN logan_windows w ON w.id = c.window_id "
                              "WHERE w.window_start = '" + sink_timestamp(r.window_start_ms) + "'";
    EXPECT_EQ(query("SELECT count(*)" + where), std::to_string(n));
    EXPECT_EQ(query("SELECT coalesce(sum(count), 0)" + where), std::to_string(sum));
    if (n > 0) {
      EXPECT_EQ(query("SELECT count" + where + " AND ip = '" + r.ips.back().key + "'"), std::to_string(n));
    }
  }
}

TEST_F(SqliteStoreTest, APublicationWrittenAgainReplacesTheOldOne) {
  auto store = open_stats_store(url());
  ASSERT_TRUE(store);
  ASSERT_TRUE((*store)->write({rows(PublicationKind::kWindow, 0, 3), rows(PublicationKind::kWindow, 60000, 4)}));
  ASSERT_TRUE((*store)->write({rows(PublicationKind::kWindow, 0, 5)}));
  EXPECT_EQ(query("SELECT count(*) FROM logan_windows"), "2");
  EXPECT_EQ(query("SELECT group_concat(lines_total) FROM (SELECT lines_total FROM logan_windows ORDER BY window_start)"), "5,4");
  EXPECT_EQ(query("SELECT count(*) FROM logan_status_counts"), "2");  // the old window's rows went too
  // The total has one row per job and instance, whatever its window.
  ASSERT_TRUE((*store)->write({rows(PublicationKind::kTotal, 0, 7)}));
  ASSERT_TRUE((*store)->write({rows(PublicationKind::kTotal, 60000, 9)}));
  EXPECT_EQ(query("SELECT count(*) || ':' || max(lines_total) FROM logan_windows WHERE kind = 'total'"), "1:9");
}

TEST_F(SqliteStoreTest, AnOlderSchemaIsMigratedAndKeepsItsRows) {
  {
    auto v1 = open_stats_store(url(), 1);
    ASSERT_TRUE(v1) << v1.error().message;
    ASSERT_TRUE((*v1)->write({rows(PublicationKind::kRun, 0, 3)}));
  }
  EXPECT_EQ(query("SELECT version FROM logan_schema"), "1");
  auto store = open_stats_store(url());
  ASSERT_TRUE(store) << store.error().message;
  EXPECT_EQ(query("SELECT version FROM logan_schema"), std::to_string(kStatsSchemaVersion));
  EXPECT_EQ(query("SELECT lines_total || ',' || unique_clients FROM logan_windows"), "3,0");
  // Version 6 rebuilt the keyed counts tables without rowids, keeping their rows.
  EXPECT_EQ(query("SELECT ip || ':' || count FROM logan_ip_counts"), "10.0.0.1:3");
  EXPECT_EQ(query("SELECT status || ':' || count FROM logan_status_counts"), "200:3");
  EXPECT_EQ(query("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                  "('logan_status_counts', 'logan_ip_counts', 'logan_endpoint_counts', "
                  "'logan_method_counts') AND sql LIKE '%WITHOUT ROWID'"),
            "4");
  ASSERT_TRUE((*store)->write({rows(PublicationKind::kRun, 60000, 2)}));
  EXPECT_EQ(query("SELECT count(*) FROM logan_method_counts"), "1");
  EXPECT_EQ(query("SELECT count(*) FROM logan_ip_counts"), "2");
  // Deleting a window still deletes its counts (the foreign key's ON DELETE CASCADE).
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db, "PRAGMA foreign_keys = ON; DELETE FROM logan_windows WHERE lines_total = 3",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  EXPECT_EQ(query("SELECT group_concat(count) FROM logan_ip_counts"), "2");
}

TEST_F(SqliteStoreTest, GroupsAreStoredWithTheirStatusCountsAndHostileValuesAsData) {
  StatsRows r = rows(PublicationKind::kRun, 0, 1);
  const std::string hostile = "x'); DROP TABLE logan_windows; --";
  GroupCounts counts;
  counts.lines = 3;
  counts.bytes = 30;
  counts.statuses = {{200, 2}, {404, 1}};
  r.groups.push_back({"org.name", hostile, counts});
  r.groups.push_back({"org.name", std::nullopt, GroupCounts{1, 5, {{500, 1}}}});
  auto store = open_stats_store(url());
  ASSERT_TRUE(store) << store.error().message;
  ASSERT_TRUE((*store)->write({r}));
  ASSERT_TRUE((*store)->write({r}));  // replaced, not added
  EXPECT_EQ(query("SELECT count(*) FROM logan_windows"), "1");
  EXPECT_EQ(query("SELECT lines || ',' || bytes FROM logan_group_counts WHERE value = '" +
                  std::string("x''); DROP TABLE logan_windows; --") + "'"),
            "3,30");
  EXPECT_EQ(query("SELECT lines FROM logan_group_counts WHERE value IS NULL"), "1");
  EXPECT_EQ(query("SELECT group_concat(status || ':' || count) FROM (SELECT * FROM "
                  "logan_group_status_counts WHERE value IS NOT NULL ORDER BY status)"),
            "200:2,404:1");
  EXPECT_EQ(query("SELECT count(*) FROM logan_group_status_counts"), "3");
}

StatsRows checkpoint_rows(const std::string& bytes, std::vector<StatsRows::Offset> offsets) {
  StatsRows r;
  r.job = "j";
  r.instance = "i";
  r.kind = PublicationKind::kCheckpoint;
  r.published_ms = 1000;
  r.checkpoint = std::make_shared<const std::string>(bytes);
  r.offsets = std::move(offsets);
  return r;
}

TEST_F(SqliteStoreTest, ACheckpointIsStoredWithTheStatisticsAndReadBack) {
  auto store = open_stats_store(url());
  ASSERT_TRUE(store) << store.error().message;
  auto none = (*store)->load_checkpoint("j", "i");
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  const std::string bytes("ck\0\xff\x01 binary", 13);
  ASSERT_TRUE((*store)->write({rows(PublicationKind::kWindow, 0, 3),
                               checkpoint_rows("older", {{"kafka:logs?group=g", 0, 5}}),
                               checkpoint_rows(bytes, {{"kafka:logs?group=g", 0, 7}, {"kafka:logs?group=g", 1, 2}})}));
  auto back = (*store)->load_checkpoint("j", "i");
  ASSERT_TRUE(back);
  ASSERT_TRUE(*back);
  EXPECT_EQ(**back, bytes);  // the newest of the transaction, byte for byte
  EXPECT_EQ(query("SELECT group_concat(part || ':' || next_offset) FROM logan_offsets"), "0:7,1:2");
  EXPECT_EQ(query("SELECT count(*) FROM logan_windows"), "1");  // the checkpoint is no window
  ASSERT_TRUE((*store)->write({checkpoint_rows("newer", {{"kafka:logs?group=g", 1, 9}})}));
  EXPECT_EQ(**(*store)->load_checkpoint("j", "i"), "newer");
  EXPECT_EQ(query("SELECT group_concat(part || ':' || next_offset) FROM logan_offsets"), "1:9");
  EXPECT_FALSE(*(*store)->load_checkpoint("j", "other instance"));
}

TEST_F(SqliteStoreTest, TheOtherInstancesOffsetsAreTheFurthestEachStored) {
  auto store = open_stats_store(url());
  ASSERT_TRUE(store) << store.error().message;
  const std::string source = "kafka:logs?group=g";
  auto mine = checkpoint_rows("i's", {{source, 0, 50}, {source, 1, 60}});
  auto a = checkpoint_rows("a's", {{source, 0, 10}, {source, 2, 30}, {"kafka:other?group=g", 3, 99}});
  a.instance = "a";
  auto b = checkpoint_rows("b's", {{source, 0, 20}});
  b.instance = "b";
  auto other_job = checkpoint_rows("x's", {{source, 0, 1000}});
  other_job.job = "x";
  other_job.instance = "a";
  for (const auto& rows : {mine, a, b, other_job}) ASSERT_TRUE((*store)->write({rows}));
  auto got = (*store)->offsets_elsewhere("j", "i", source);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(*got, (std::map<uint64_t, uint64_t>{{0, 20}, {2, 30}}));
  auto none = (*store)->offsets_elsewhere("j", "i", "kafka:nothing?group=g");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST_F(SqliteStoreTest, ACheckpointNeedsSchemaVersion3) {
  auto v2 = open_stats_store(url(), 2);
  ASSERT_TRUE(v2);
  Status s = (*v2)->write({checkpoint_rows("x", {})});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("version 3"), std::string::npos) << s.error().message;
}

TEST_F(SqliteStoreTest, ANewerSchemaOrAFileThatIsNoDatabaseIsRefused) {
  { ASSERT_TRUE(open_stats_store(url())); }
  auto older = open_stats_store(url(), 1);
  ASSERT_FALSE(older);
  EXPECT_NE(older.error().message.find("newer"), std::string::npos) << older.error().message;
  remove();
  std::ofstream(path_) << "this is a text file, not a database, and it is long enough to tell\n";
  auto junk = open_stats_store(url());
  ASSERT_FALSE(junk);
  EXPECT_NE(junk.error().message.find(path_.string()), std::string::npos) << junk.error().message;
}

TEST_F(SqliteStoreTest, LogContentIsStoredAsData) {
  auto store = open_stats_store(url());
  ASSERT_TRUE(store);
  StatsRows r = rows(PublicationKind::kRun, 0, 1);
  r.endpoints = {{"/x'); DROP TABLE logan_windows; --", 2}, {"/tab\there \"q\"", 1}};
  ASSERT_TRUE((*store)->write({r}));
  EXPECT_EQ(query("SELECT count FROM logan_endpoint_counts WHERE endpoint = '/x''); DROP TABLE logan_windows; --'"), "2");
  EXPECT_EQ(query("SELECT count(*) FROM logan_windows"), "1");
}

TEST(StatsRowsTest, KeysAreMadeValidUtf8AndEqualOnesAdded) {
  AccessStats stats;
  LogRecord r;
  r.status = 200;
  r.has_endpoint = true;
  r.endpoint = "/a\xff";
  stats.add_parsed(r);
  r.endpoint = "/a\xfe";
  stats.add_parsed(r);
  const std::string with_nul("/n\0ul", 5);  // LogRecord holds views
  r.endpoint = with_nul;
  stats.add_parsed(r);
  StatsRows rows = make_stats_rows(stats, ReportOptions{});
  ASSERT_EQ(rows.endpoints.size(), 2u);
  EXPECT_EQ(rows.endpoints[0].key, "/a\xEF\xBF\xBD");
  EXPECT_EQ(rows.endpoints[0].count, 2u);
  EXPECT_EQ(rows.endpoints[1].key, "/n\xEF\xBF\xBDul");
}

TEST(StoreUrlTest, PasswordsAreHiddenAndUnknownSchemesRefused) {
  EXPECT_EQ(redact_store_url("postgresql://bob:s3cret@db:5432/logs"), "postgresql://bob:***@db:5432/logs");
  EXPECT_EQ(redact_store_url("postgresql:host=db password=s3cret dbname=x"),
            "postgresql:host=db password=*** dbname=x");
  auto bad = open_stats_store("mysql://x");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("unknown sink"), std::string::npos);
}

}  // namespace
}  // namespace logan
