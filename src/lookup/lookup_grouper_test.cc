// Tests for LookupGrouper over real CSV files and SQLite databases: exact IP, CIDR and text
// keys, kind inference, unmatched lines, reloads (and a failed reload keeping the old rows),
// the refresher thread, hostile names and values, and the errors of a bad setup.
#include "lookup/lookup_grouper.h"

#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "lookup/lookup_refresher.h"
#include "lookup/lookup_source.h"
#include "stats/access_stats.h"

namespace logan {
namespace {

namespace fs = std::filesystem;

class LookupGrouperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("logan-lookup-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) {
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  void sql(const std::string& db, const std::string& statements) {
    sqlite3* h = nullptr;
    ASSERT_EQ(sqlite3_open(db.c_str(), &h), SQLITE_OK);
    char* err = nullptr;
    EXPECT_EQ(sqlite3_exec(h, statements.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
    sqlite3_free(err);
    sqlite3_close(h);
  }

  static Result<std::unique_ptr<LookupGrouper>> open(const std::vector<std::string>& lookups,
                                                     const std::vector<std::string>& group_by) {
    std::vector<LookupSpec> specs;
    for (const auto& l : lookups) {
      auto s = parse_lookup_spec(l);
      if (!s) return s.error();
      specs.push_back(*s);
    }
    std::vector<GroupBySpec> groups;
    for (const auto& g : group_by) groups.push_back(*parse_group_by(g));
    return LookupGrouper::open(specs, groups);
  }

  // Groups records with these clients and users; returns dimension `by` as "value=lines" pairs
  // (unmatched as "-").
  static std::string grouped(const LookupGrouper& g, const std::string& by,
                             const std::vector<std::pair<std::string, std::string>>& client_user) {
    std::vector<LogRecord> records(client_user.size());
    for (size_t i = 0; i < client_user.size(); ++i) {
      records[i].client = client_user[i].first;
      records[i].user = client_user[i].second;
      records[i].status = 200;
    }
    GroupStats stats;
    g.add(records.data(), records.size(), stats);
    const GroupDimension& d = stats.dimension(by);
    std::string out;
    for (const auto& row : d.top(100)) out += row.value + "=" + std::to_string(row.counts.lines) + " ";
    out += "-=" + std::to_string(d.unmatched().lines);
    return out;
  }

  fs::path dir_;
};

TEST_F(LookupGrouperTest, CidrKeysFromCsvUseTheLongestPrefix) {
  std::string csv = write("nets.csv",
                          "network,org\n10.0.0.0/8,Ten\n10.1.0.0/16,TenOne\n2001:db8::/32,Doc\n"
                          "2001:db8:1::/48,DocOne\n0.0.0.0/0,\n");
  auto g = open({"org=csv:" + csv + "?key=network"}, {"org.org"});
  ASSERT_TRUE(g) << g.error().message;
  EXPECT_EQ((*g)->describe(), std::vector<std::string>{"org: cidr keys, 5 rows"});
  // 192.0.2.1 matches 0.0.0.0/0, whose org is empty: unmatched, like a host name.
  EXPECT_EQ(grouped(**g, "org.org",
                    {{"10.1.2.3", ""}, {"10.2.0.1", ""}, {"::ffff:10.1.0.9", ""}, {"2001:db8:1::5", ""},
                     {"2001:db8:2::5", ""}, {"192.0.2.1", ""}, {"example.com", ""}, {"", ""}}),
            "TenOne=2 Doc=1 DocOne=1 Ten=1 -=3");
}

TEST_F(LookupGrouperTest, ExactIpAndTextKeysFromSqliteWithHostileNames) {
  std::string db = (dir_ / "ref.db").string();
  sql(db,
      "CREATE TABLE \"cust\"\"omers\" (ip TEXT, \"na'me\" TEXT, plan TEXT);"
      "INSERT INTO \"cust\"\"omers\" VALUES ('10.0.0.1', 'x''); DROP TABLE users; --', 'gold'),"
      " ('2001:db8::1', 'six', NULL), (NULL, 'nokey', 'n');"
      "CREATE TABLE users (id TEXT, plan TEXT); INSERT INTO users VALUES ('alice', 'pro'), ('bob', 'free');");
  auto g = open({"c=sqlite:" + db + "?table=cust%22omers&key=ip", "u=sqlite:" + db + "?table=users&key=id"},
                {"c.na'me", "c.plan", "u.plan"});
  ASSERT_TRUE(g) << g.error().message;
  EXPECT_EQ((*g)->describe(), (std::vector<std::string>{"c: ip keys, 2 rows", "u: text keys, 2 rows"}));
  std::vector<std::pair<std::string, std::string>> lines = {
      {"10.0.0.1", "alice"}, {"2001:DB8::1", "bob"}, {"10.0.0.2", "carol"}, {"10.0.0.1", "-"}};
  EXPECT_EQ(grouped(**g, "c.na'me", lines), "x'); DROP TABLE users; --=2 six=1 -=1");
  EXPECT_EQ(grouped(**g, "c.plan", lines), "gold=2 -=2");
  EXPECT_EQ(grouped(**g, "u.plan", lines), "free=1 pro=1 -=2");
  sql(db, "SELECT count(*) FROM users");  // still there
}

TEST_F(LookupGrouperTest, EmptyTablesMatchNothing) {
  std::string users = write("users.csv", "user,plan\n");
  std::string nets = write("nets.csv", "net,org\n");
  auto g = open({"p=csv:" + users + "?key=user", "o=csv:" + nets + "?key=net&kind=cidr"}, {"p.plan", "o.org"});
  ASSERT_TRUE(g) << g.error().message;
  EXPECT_EQ(grouped(**g, "p.plan", {{"10.0.0.1", "alice"}}), "-=1");
  EXPECT_EQ(grouped(**g, "o.org", {{"10.0.0.1", "alice"}, {"::1", ""}}), "-=2");
}

TEST_F(LookupGrouperTest, ReloadSwapsInNewRowsAndKeepsTheOldOnFailure) {
  std::string csv = write("users.csv", "user,plan\nalice,free\n");
  auto g = open({"p=csv:" + csv + "?key=user"}, {"p.plan"});
  ASSERT_TRUE(g) << g.error().message;
  EXPECT_EQ(grouped(**g, "p.plan", {{"", "alice"}}), "free=1 -=0");
  write("users.csv", "user,plan\nalice,pro\nbob,free\n");
  EXPECT_TRUE((*g)->reload().empty());
  EXPECT_EQ(grouped(**g, "p.plan", {{"", "alice"}, {"", "bob"}}), "free=1 pro=1 -=0");
  write("users.csv", "user,plan\n\"alice,pro\n");  // malformed
  auto errors = (*g)->reload();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("a quoted field is never closed; keeping the rows read before"),
            std::string::npos)
      << errors[0].message;
  EXPECT_EQ(grouped(**g, "p.plan", {{"", "alice"}}), "pro=1 -=0");
  fs::remove(csv);
  EXPECT_EQ((*g)->reload().size(), 1u);
  EXPECT_EQ(grouped(**g, "p.plan", {{"", "alice"}}), "pro=1 -=0");
}

// Folds `records` into `stats` 32 at a time as BatchJob's workers do: with ClientTags when
// `tagged`, else with the plain add().
void fold(const LookupGrouper& g, const std::vector<LogRecord>& records, AccessStats& stats, bool tagged) {
  for (size_t start = 0; start < records.size(); start += 32) {
    const size_t n = std::min<size_t>(32, records.size() - start);
    const LogRecord* batch = records.data() + start;
    if (tagged) {
      stats.add_parsed_grouped(batch, n, &g);
    } else {
      stats.add_parsed_batch(batch, n);
      g.add(batch, n, stats.groups());
    }
  }
}

TEST_F(LookupGrouperTest, RememberedClientAnswersGroupAsLookingUpEveryLine) {
  std::string csv = write("nets.csv",
                          "network,org,region\n10.0.0.0/8,Ten,eu\n10.1.0.0/16,TenOne,us\n"
                          "2001:db8::/32,Doc,eu\n");
  std::string users = write("users.csv", "user,plan\nalice,pro\n");
  // Two columns of the client's lookup (only the first is remembered) and a lookup by user.
  auto g = open({"org=csv:" + csv + "?key=network", "u=csv:" + users + "?key=user"},
                {"org.org", "org.region", "u.plan"});
  ASSERT_TRUE(g) << g.error().message;
  const std::vector<std::string> clients = {"10.1.2.3", "10.2.0.1", "2001:db8::5", "192.0.2.1",
                                            "example.com", "", "10.1.9.9", "10.200.0.1"};
  std::vector<LogRecord> records(500);
  for (size_t i = 0; i < records.size(); ++i) {
    records[i].client = clients[(i * 7 + i / 3) % clients.size()];  // repeats, in no fixed order
    records[i].user = i % 5 == 0 ? "alice" : "bob";
    records[i].status = i % 4 == 0 ? 404 : 200;
    records[i].size = static_cast<int64_t>(i);
  }
  AccessStats tagged, plain;
  fold(**g, records, tagged, true);
  fold(**g, records, plain, false);
  EXPECT_TRUE(tagged.groups() == plain.groups());
  EXPECT_TRUE(tagged == plain);
  EXPECT_EQ(tagged.groups().dimension("org.org").unmatched().lines, plain.groups().dimension("org.org").unmatched().lines);

  // A reload renumbers the values: answers remembered from the old snapshot must not be used.
  write("nets.csv", "network,org,region\n10.0.0.0/8,Moved,ap\n10.1.0.0/16,Ten,eu\n");
  ASSERT_TRUE((*g)->reload().empty());
  fold(**g, records, tagged, true);
  fold(**g, records, plain, false);
  EXPECT_TRUE(tagged.groups() == plain.groups());
  const auto top = tagged.groups().dimension("org.org").top(10);
  ASSERT_FALSE(top.empty());
  uint64_t moved = 0;
  for (const auto& row : top) moved += row.value == "Moved" ? row.counts.lines : 0;
  EXPECT_GT(moved, 0u);
}

TEST_F(LookupGrouperTest, TheRefresherReloadsOnItsInterval) {
  std::string csv = write("users.csv", "user,plan\nalice,free\n");
  auto g = open({"p=csv:" + csv + "?key=user"}, {"p.plan"});
  ASSERT_TRUE(g);
  std::vector<std::string> warnings;
  std::mutex mu;
  {
    LookupRefresher refresher(**g, 20, [&](const std::string& w) {
      std::lock_guard lock(mu);
      warnings.push_back(w);
    });
    write("users.csv", "user,plan\nalice,pro\n");
    for (int i = 0; i < 500 && grouped(**g, "p.plan", {{"", "alice"}}) != "pro=1 -=0"; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_EQ(grouped(**g, "p.plan", {{"", "alice"}}), "pro=1 -=0");
  }
  EXPECT_TRUE(warnings.empty());
}

TEST_F(LookupGrouperTest, ConcurrentGroupingDuringReloadsSeesWholeSnapshots) {
  std::string csv = write("users.csv", "user,plan\nalice,a\nbob,a\n");
  auto g = open({"p=csv:" + csv + "?key=user"}, {"p.plan"});
  ASSERT_TRUE(g);
  std::atomic<bool> done{false};
  std::thread reloader([&] {
    for (int i = 0; i < 50; ++i) {
      write("users.csv", i % 2 ? "user,plan\nalice,a\nbob,a\n" : "user,plan\nalice,b\nbob,b\n");
      (void)(*g)->reload();
    }
    done = true;
  });
  while (!done) {
    // Both records of one batch come from the same snapshot: never one "a" and one "b".
    std::string got = grouped(**g, "p.plan", {{"", "alice"}, {"", "bob"}});
    ASSERT_TRUE(got == "a=2 -=0" || got == "b=2 -=0") << got;
  }
  reloader.join();
}

TEST_F(LookupGrouperTest, BadSetupsAreOneLineErrors) {
  std::string csv = write("u.csv", "user,plan\nalice,free\nalice,pro\n");
  std::string nets = write("n.csv", "net,org\n10.1.0.0/8,x\n");
  std::string db = (dir_ / "ref.db").string();
  sql(db, "CREATE TABLE t (k TEXT, v TEXT)");
  struct Case {
    std::vector<std::string> lookups;
    std::vector<std::string> group_by;
    std::string error;
  } cases[] = {
      {{"p=csv:" + csv + "?key=user"}, {"q.plan"}, "--group-by q.plan: no --lookup is called 'q'"},
      {{"p=csv:" + csv + "?key=user"}, {}, "--lookup p is not used by any --group-by p.COLUMN"},
      {{"p=csv:" + csv + "?key=user", "p=csv:" + csv + "?key=user"}, {"p.plan"}, "--lookup p is given twice"},
      {{"p=csv:" + csv + "?key=user"}, {"p.plan"}, "key 'alice' is listed twice"},
      {{"p=csv:" + csv + "?key=nope"}, {"p.plan"}, "no column 'nope' in its header"},
      {{"p=csv:" + csv + "?key=user"}, {"p.colour"}, "no column 'colour' in its header"},
      {{"p=csv:" + (dir_ / "missing.csv").string() + "?key=user"}, {"p.plan"}, "cannot open"},
      {{"o=csv:" + nets + "?key=net&kind=cidr"}, {"o.org"}, "malformed CIDR '10.1.0.0/8'"},
      {{"o=csv:" + nets + "?key=net&kind=ip"}, {"o.org"}, "malformed IP address '10.1.0.0/8'"},
      {{"t=sqlite:" + db + "?table=nope&key=k"}, {"t.v"}, "cannot read table 'nope': no such table: nope"},
      {{"t=sqlite:" + db + "?table=t&key=k"}, {"t.w"}, "cannot read table 't': no such column: w"},
      {{"t=sqlite:" + (dir_ / "none.db").string() + "?table=t&key=k"}, {"t.v"}, "cannot open"},
  };
  for (const auto& c : cases) {
    auto g = open(c.lookups, c.group_by);
    ASSERT_FALSE(g) << c.error;
    EXPECT_NE(g.error().message.find(c.error), std::string::npos) << g.error().message;
    EXPECT_EQ(g.error().message.find('\n'), std::string::npos);
  }
}

TEST(LookupSourceTest, QuotesIdentifiers) {
  EXPECT_EQ(quote_sql_identifier("plain"), "\"plain\"");
  EXPECT_EQ(quote_sql_identifier("a\"; DROP TABLE x; --"), "\"a\"\"; DROP TABLE x; --\"");
  EXPECT_EQ(quote_sql_identifier("ref.networks"), "\"ref\".\"networks\"");
}

TEST_F(LookupGrouperTest, ValuesOfSingleRecordsComeInTheOrderTheColumnsWereGiven) {
  std::string nets = write("nets.csv", "network,org,country\n10.0.0.0/8,Intranet,ZZ\n10.1.0.0/16,Lab,\n");
  std::string users = write("users.csv", "user,plan\nbob,gold\n");
  auto g = open({"net=csv:" + nets + "?key=network", "who=csv:" + users + "?key=user"},
                {"net.country", "who.plan", "net.org", "net.country"});
  ASSERT_TRUE(g) << g.error().message;
  EXPECT_EQ((*g)->column_names(), (std::vector<std::string>{"net.country", "who.plan", "net.org"}));
  auto snapshots = (*g)->snapshots();
  auto values = [&](const char* client, const char* user) {
    LogRecord r;
    r.client = client;
    r.user = user;
    const std::string* out[3];
    (*g)->values(snapshots, r, out);
    std::vector<std::string> shown;
    for (const auto* v : out) shown.push_back(v ? *v : "<null>");
    return shown;
  };
  EXPECT_EQ(values("10.1.2.3", "bob"), (std::vector<std::string>{"<null>", "gold", "Lab"}));
  EXPECT_EQ(values("10.9.2.3", "-"), (std::vector<std::string>{"ZZ", "<null>", "Intranet"}));
  EXPECT_EQ(values("192.0.2.1", "eve"), (std::vector<std::string>{"<null>", "<null>", "<null>"}));
}

}  // namespace
}  // namespace logan
