// What only the durable stores do: open by URL, keep data across reopening, migrate and refuse
// a newer schema, report an unreachable database, keep personal data out of error messages.
#include "rogatory/sql_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "store_test_util.h"

namespace rogatory::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Runs `sql` on a SQLite file directly, behind the store's back.
void SqliteExec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  std::string message = error != nullptr ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << message;
}

// The single integer `sql` returns on a SQLite file, read behind the store's back.
int64_t SqliteCount(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_stmt* st = nullptr;
  int64_t n = -1;
  if (sqlite3_open(path.c_str(), &db) == SQLITE_OK &&
      sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW) {
    n = sqlite3_column_int64(st, 0);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return n;
}

class SqlStoreTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  void SetUp() override {
    db_ = std::make_unique<TestStore>(GetParam(), Options());
    ASSERT_TRUE(db_->status().ok()) << db_->status().ToString();
  }
  virtual SqlStoreOptions Options() { return {}; }
  std::unique_ptr<TestStore> db_;
};

TEST_P(SqlStoreTest, DataSurvivesReopening) {
  RequestBuilder b("r-1");
  b.request().deadlines = {Running("a", b.request().created_at, b.request().created_at)};
  ASSERT_TRUE(db_->store().Apply(b.Create()).ok());
  ASSERT_TRUE(db_->store().Apply(b.Step("issue", "issued", Phase::kDrafting)).ok());
  ASSERT_TRUE(db_->Reopen().ok());  // the schema is there already: opening again is a no-op
  Result<Request> r = db_->store().GetRequest("r-1");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->revision, 2);
  EXPECT_EQ(r->deadlines, b.request().deadlines);
  EXPECT_EQ(*db_->store().CountOverdueDeadlines(b.request().created_at + Duration(1)), 1);
}

TEST_P(SqlStoreTest, GroupCommitCanBeTurnedOff) {
  SqlStoreOptions options;
  options.group_commit = false;
  TestStore plain(GetParam(), options);
  ASSERT_TRUE(plain.status().ok()) << plain.status().ToString();
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      RequestBuilder b("r-" + std::to_string(t));
      if (!plain.store().Apply(b.Create()).ok()) failures.fetch_add(1);
      for (int i = 0; i < 10; ++i) {
        if (!plain.store().Apply(b.Step("note", "draft", Phase::kDrafting)).ok()) {
          failures.fetch_add(1);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(plain.store().GetRequest("r-3")->revision, 11);
}

INSTANTIATE_TEST_SUITE_P(Stores, SqlStoreTest,
                         ::testing::Values(StoreKind::kSqlite, StoreKind::kPostgres),
                         [](const ::testing::TestParamInfo<StoreKind>& info) {
                           return StoreKindName(info.param);
                         });

// Takes a SQLite database of this binary's schema back to version 3: without parties or the
// history's authority (version 5), deadline rows without the lapsed columns (version 4) and the
// running-due index of version 1.
constexpr char kBackToVersion3[] =
    "DROP TABLE stats_requests; DROP TABLE stats_cells; DROP TABLE stats_state; "
    "DROP TABLE request_parties; ALTER TABLE requests DROP COLUMN parties; "
    "ALTER TABLE history DROP COLUMN authority; ALTER TABLE subscriptions DROP COLUMN authority; "
    "DROP INDEX deadlines_lapsed; DROP INDEX deadlines_running_due; "
    "ALTER TABLE deadlines DROP COLUMN lapsed; ALTER TABLE deadlines DROP COLUMN lapsed_at; "
    "CREATE INDEX deadlines_running_due ON deadlines (due_at) WHERE paused = 0; "
    "UPDATE schema_version SET version = 3;";

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(db_.status().ok()) << db_.status().ToString(); }
  TestStore db_{StoreKind::kSqlite};
};

TEST_F(SqliteStoreTest, RefusesADatabaseWithANewerSchema) {
  SqliteExec(db_.sqlite_path(), "UPDATE schema_version SET version = 99");
  Status s = db_.Reopen();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
  EXPECT_THAT(s.message(), HasSubstr("newer"));
}

TEST_F(SqliteStoreTest, MigratesAVersionOneDatabaseKeepingItsData) {
  RequestBuilder b("r-1");
  ASSERT_TRUE(db_.store().Apply(b.Create()).ok());
  Subscription sub;
  sub.id = "s-1";
  sub.url = "https://consumer.example/hooks";
  sub.secret = "whsec_c2VjcmV0";
  sub.authority = "fr.pnf";
  ASSERT_TRUE(db_.store().CreateSubscription(sub).ok());
  // What a version 1 database looks like: all pending rows indexed in id order, not by
  // subscription; definitions without their origin (version 3).
  SqliteExec(
      db_.sqlite_path(),
      std::string(kBackToVersion3) +
          "DROP INDEX outbox_pending_subscription; CREATE INDEX outbox_pending ON outbox (id) "
          "WHERE status = 'pending'; ALTER TABLE definitions DROP COLUMN origin; "
          "INSERT INTO definitions (workflow, version, source, loaded_at) "
          "VALUES ('eio', 1, 'workflow: eio', 1); UPDATE schema_version SET version = 1");
  ASSERT_TRUE(db_.Reopen().ok());
  EXPECT_TRUE(db_.store().GetRequest("r-1").ok());
  auto definitions = db_.store().ListDefinitions();
  ASSERT_TRUE(definitions.ok()) << definitions.status().ToString();
  ASSERT_EQ(definitions->size(), 1u);
  EXPECT_EQ((*definitions)[0].origin, "");  // recorded before origins were
  auto migrated = db_.store().GetSubscription("s-1");
  ASSERT_TRUE(migrated.ok()) << migrated.status().ToString();
  EXPECT_EQ(migrated->authority, "");  // recorded before authorities were: a global admin's
  EXPECT_EQ(SqliteCount(db_.sqlite_path(),
                        "SELECT COUNT(*) FROM sqlite_master WHERE name = "
                        "'outbox_pending_subscription'"),
            1);
  EXPECT_EQ(SqliteCount(db_.sqlite_path(),
                        "SELECT COUNT(*) FROM sqlite_master WHERE name = 'outbox_pending'"),
            0);
  EXPECT_EQ(SqliteCount(db_.sqlite_path(), "SELECT MAX(version) FROM schema_version"),
            kStoreSchemaVersion);
}

TEST_F(SqliteStoreTest, MigratesAVersionThreeDatabaseWithARunningClock) {
  // Version 4 keeps lapsed clocks as deadline rows: a version 3 database's running clock must
  // come through as a running clock that the scheduler claims, lapses and then lists.
  RequestBuilder b("r-1");
  const TimePoint t0 = b.request().created_at;
  b.request().deadlines = {Running("answer", t0, t0 + std::chrono::hours(1))};
  ASSERT_TRUE(db_.store().Apply(b.Create()).ok());
  SqliteExec(db_.sqlite_path(), kBackToVersion3);
  ASSERT_EQ(
      SqliteCount(db_.sqlite_path(),
                  "SELECT COUNT(*) FROM pragma_table_info('deadlines') WHERE name = 'lapsed'"),
      0);
  ASSERT_TRUE(db_.Reopen().ok());
  EXPECT_EQ(SqliteCount(db_.sqlite_path(), "SELECT MAX(version) FROM schema_version"),
            kStoreSchemaVersion);
  EXPECT_EQ(SqliteCount(db_.sqlite_path(),
                        "SELECT COUNT(*) FROM sqlite_master WHERE name = 'deadlines_lapsed'"),
            1);
  Result<Request> r = db_.store().GetRequest("r-1");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->deadlines, b.request().deadlines);
  const TimePoint late = t0 + std::chrono::hours(2);
  EXPECT_EQ(*db_.store().CountOverdueDeadlines(late), 1);
  auto due = db_.store().ClaimDueDeadlines(late, "node", std::chrono::minutes(1), 10);
  ASSERT_TRUE(due.ok()) << due.status().ToString();
  ASSERT_EQ(due->size(), 1u);
  // It lapses: kept as a lapsed row, listed as overdue, never claimed again.
  b.request().deadlines = {Lapsed("answer", t0, t0 + std::chrono::hours(1), late)};
  ASSERT_TRUE(db_.store().Apply(b.Step("answer_overdue", "draft", Phase::kDrafting)).ok());
  EXPECT_EQ(SqliteCount(db_.sqlite_path(), "SELECT lapsed FROM deadlines"), 1);
  EXPECT_EQ(*db_.store().CountOverdueDeadlines(late), 0);
  EXPECT_TRUE(
      db_.store()
          .ClaimDueDeadlines(late + std::chrono::hours(1), "node", std::chrono::minutes(1), 10)
          ->empty());
  RequestQuery q;
  q.overdue_only = true;
  q.now = t0;
  auto page = db_.store().ListRequests(q);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_TRUE(page->items[0].deadlines[0].lapsed);
}

TEST_F(SqliteStoreTest, DamagedRowIsInternalWithoutItsContentInTheMessage) {
  RequestBuilder b("r-1");
  b.request().data = {{"name", "Jane Doe"}};
  ASSERT_TRUE(db_.store().Apply(b.Create()).ok());
  SqliteExec(db_.sqlite_path(), "UPDATE requests SET data = '{\"name\": \"Jane Doe\"' ");
  Status s = db_.store().GetRequest("r-1").status();
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_THAT(s.message(), HasSubstr("r-1"));
  EXPECT_THAT(s.message(), Not(HasSubstr("Jane")));
}

TEST_F(SqliteStoreTest, DatabaseErrorsKeepSqlAndValuesOutOfTheMessage) {
  SqliteExec(db_.sqlite_path(), "DROP TABLE history");
  RequestBuilder b("r-1");
  b.request().data = {{"name", "Jane Doe"}};
  Status s = db_.store().Apply(b.Create());
  EXPECT_EQ(s.code(), StatusCode::kInternal) << s.ToString();
  EXPECT_THAT(s.message(), Not(HasSubstr("Jane")));
  EXPECT_THAT(s.message(), Not(HasSubstr("INSERT")));
  // Nothing of the failed step was written.
  EXPECT_EQ(SqliteCount(db_.sqlite_path(), "SELECT COUNT(*) FROM requests"), 0);
}

TEST(OpenStoreTest, OpensEveryUrlForm) {
  EXPECT_TRUE(OpenStore("memory:").ok());
  Result<std::unique_ptr<Store>> in_memory = OpenStore("sqlite::memory:");
  ASSERT_TRUE(in_memory.ok()) << in_memory.status().ToString();
  RequestBuilder b("r-1");
  ASSERT_TRUE((*in_memory)->Apply(b.Create()).ok());
  EXPECT_TRUE((*in_memory)->GetRequest("r-1").ok());

  // sqlite://relative is relative to the working directory.
  const auto dir =
      std::filesystem::temp_directory_path() / ("rogatory-url-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir);
  EXPECT_TRUE(OpenStore("sqlite://relative.db").ok());
  std::filesystem::current_path(cwd);
  EXPECT_TRUE(std::filesystem::exists(dir / "relative.db"));
  EXPECT_TRUE(OpenStore("sqlite://" + (dir / "absolute.db").string()).ok());
  EXPECT_TRUE(std::filesystem::exists(dir / "absolute.db"));
  std::filesystem::remove_all(dir);
}

TEST(OpenStoreTest, OpensPostgresqlByUri) {
  std::string why;
  const std::string keywords = PgClusterUrl(&why);
  ASSERT_FALSE(keywords.empty()) << why;
  // host=127.0.0.1 port=N user=postgres dbname=postgres -> postgresql://postgres@127.0.0.1:N/...
  const std::string port =
      keywords.substr(keywords.find("port=") + 5,
                      keywords.find(' ', keywords.find("port=")) - keywords.find("port=") - 5);
  Result<std::unique_ptr<Store>> s =
      OpenStore("postgresql://postgres@127.0.0.1:" + port + "/postgres?connect_timeout=5");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ((*s)->GetRequest("no-such-request").status().code(), StatusCode::kNotFound);
}

TEST(OpenStoreTest, UnreachablePostgresqlIsUnavailable) {
  Result<std::unique_ptr<Store>> s =
      OpenStore("postgresql://nobody:secret@127.0.0.1:1/none?connect_timeout=2");
  EXPECT_EQ(s.status().code(), StatusCode::kUnavailable) << s.status().ToString();
  EXPECT_THAT(s.status().message(), Not(HasSubstr("secret")));
}

TEST(OpenStoreTest, UnknownSchemeIsInvalidArgument) {
  EXPECT_EQ(OpenStore("mysql://x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenStore("").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenStore("sqlite://").status().code(), StatusCode::kInvalidArgument);
}

TEST(OpenStoreTest, UnopenableSqliteFileIsUnavailable) {
  Result<std::unique_ptr<Store>> s = OpenStore("sqlite:///nonexistent-dir/sub/x.db");
  EXPECT_EQ(s.status().code(), StatusCode::kUnavailable) << s.status().ToString();
}

TEST(RedactStoreUrlTest, HidesPasswords) {
  EXPECT_EQ(RedactStoreUrl("postgresql://ana:s3cret@db.example:5432/rogatory"),
            "postgresql://ana:***@db.example:5432/rogatory");
  EXPECT_EQ(RedactStoreUrl("postgresql://host=db user=ana password=s3cret dbname=r"),
            "postgresql://host=db user=ana password=*** dbname=r");
  EXPECT_EQ(RedactStoreUrl("postgresql://host=db password='a b' dbname=r"),
            "postgresql://host=db password=*** dbname=r");
  EXPECT_EQ(RedactStoreUrl("sqlite:///var/lib/rogatory/rogatory.db"),
            "sqlite:///var/lib/rogatory/rogatory.db");
  EXPECT_EQ(RedactStoreUrl("postgresql://host=db password = s3cret password=again"),
            "postgresql://host=db password = *** password=***");
  EXPECT_EQ(RedactStoreUrl("postgresql://ana@db/rogatory"), "postgresql://ana@db/rogatory");
  EXPECT_EQ(RedactStoreUrl("postgresql://db:5432/rogatory"), "postgresql://db:5432/rogatory");
  EXPECT_EQ(RedactStoreUrl("postgresql://host=db password="), "postgresql://host=db password=");
}

TEST(OpenStoreTest, KeywordFormIsRecognisedWithSpaces) {
  // "  host = x" is libpq's keyword form; a URI is not, and "=x" names no keyword.
  Result<std::unique_ptr<Store>> s =
      OpenStore("postgresql://  host = 127.0.0.1 port=1 connect_timeout=1");
  EXPECT_EQ(s.status().code(), StatusCode::kUnavailable) << s.status().ToString();
}

}  // namespace
}  // namespace rogatory::testing
