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

#include "history_links.h"
#include "rogatory/audit.h"
#include "rogatory/history.h"
#include "sqlite_exec.h"
#include "store_test_util.h"

namespace rogatory::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

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

// The single text `sql` returns on a SQLite file, read behind the store's back.
std::string SqliteText(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_stmt* st = nullptr;
  std::string text = "<no row>";
  if (sqlite3_open(path.c_str(), &db) == SQLITE_OK &&
      sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW) {
    text = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return text;
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

// Takes a SQLite database of this binary's schema back to version 7: without the statistics'
// monthly roll-ups (version 9), deadline rows without their request's workflow, state and phase,
// without the lapsed index of each list filter, and with version 6's running-due index (which
// does not cover the filter columns).
const std::string kBackToVersion7 =
    kBackToVersion11 +
    "DROP TABLE stats_months; "
    "DROP INDEX deadlines_lapsed_by_workflow; DROP INDEX deadlines_lapsed_by_state; "
    "DROP INDEX deadlines_lapsed_by_phase; DROP INDEX deadlines_lapsed_by_workflow_state; "
    "DROP INDEX deadlines_lapsed_by_workflow_phase; DROP INDEX deadlines_running_due; "
    "CREATE INDEX deadlines_running_due ON deadlines"
    " (due_at, request_id, name, claimed_until, paused, lapsed) WHERE paused = 0 AND lapsed = 0; "
    "ALTER TABLE deadlines DROP COLUMN workflow; ALTER TABLE deadlines DROP COLUMN state; "
    "ALTER TABLE deadlines DROP COLUMN phase; UPDATE schema_version SET version = 7;";

// Takes a SQLite database of this binary's schema back to version 5: without the statistics
// tables of version 7, the two-filter
// list indexes and with version 4's deadline indexes, which do not cover what they are read for.
const std::string kBackToVersion5 =
    kBackToVersion7 +
    "DROP TABLE stats_requests; DROP TABLE stats_cells; DROP TABLE stats_state; "
    "DROP INDEX requests_by_workflow_state; DROP INDEX requests_by_workflow_phase; "
    "DROP INDEX deadlines_running_due; DROP INDEX deadlines_lapsed; "
    "CREATE INDEX deadlines_running_due ON deadlines (due_at) WHERE paused = 0 AND lapsed = 0; "
    "CREATE INDEX deadlines_lapsed ON deadlines (request_id) WHERE lapsed = 1; "
    "UPDATE schema_version SET version = 5;";

// Takes a SQLite database of this binary's schema back to version 3: without the list indexes
// of version 6, parties or the history's authority (version 5), deadline rows without the
// lapsed columns (version 4) and the running-due index of version 1.
const std::string kBackToVersion3 =
    kBackToVersion7 +
    "DROP TABLE stats_requests; DROP TABLE stats_cells; DROP TABLE stats_state; "
    "DROP INDEX requests_by_workflow_state; DROP INDEX requests_by_workflow_phase; "
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
      kBackToVersion3 +
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

// SQLite's plan for `sql` on a file: the detail column of EXPLAIN QUERY PLAN, one line per step.
std::string SqlitePlan(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_stmt* st = nullptr;
  std::string plan;
  if (sqlite3_open(path.c_str(), &db) == SQLITE_OK &&
      sqlite3_prepare_v2(db, ("EXPLAIN QUERY PLAN " + sql).c_str(), -1, &st, nullptr) ==
          SQLITE_OK) {
    while (sqlite3_step(st) == SQLITE_ROW) {
      plan += reinterpret_cast<const char*>(sqlite3_column_text(st, 3));
      plan += "\n";
    }
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return plan;
}

TEST_F(SqliteStoreTest, MigratesAVersionFiveDatabaseToIndexWalksForEveryListFilter) {
  // At a million requests, `workflow=&state=` walked the state's index over every workflow
  // (229-349 ms p99) and the overdue list read each due clock's table row (0.4-2 s): version 6
  // gives two filters their own index and makes the deadline indexes cover what they are read
  // for. Each plan below is the shape of a query the store runs (adapters/store/src).
  RequestBuilder due("r-1");
  const TimePoint t0 = due.request().created_at;
  due.request().deadlines = {Running("answer", t0, t0 + std::chrono::hours(1))};
  ASSERT_TRUE(db_.store().Apply(due.Create()).ok());
  RequestBuilder lapsed("r-2");
  lapsed.request().deadlines = {Lapsed("answer", t0, t0, t0)};
  ASSERT_TRUE(db_.store().Apply(lapsed.Create()).ok());
  SqliteExec(db_.sqlite_path(), kBackToVersion5);
  const std::string by_workflow_state =
      "SELECT id FROM requests WHERE id > '' AND workflow = 'eio' AND state = 'draft' "
      "ORDER BY id LIMIT 51";
  const std::string by_workflow_phase =
      "SELECT id FROM requests WHERE id > '' AND workflow = 'eio' AND phase = 'drafting' "
      "ORDER BY id LIMIT 51";
  const std::string running_due =
      "SELECT request_id FROM deadlines INDEXED BY deadlines_running_due WHERE paused = 0 AND "
      "lapsed = 0 AND due_at <= 1 AND request_id > ''";
  const std::string lapsed_rows =
      "SELECT request_id FROM deadlines INDEXED BY deadlines_lapsed WHERE lapsed = 1 AND "
      "request_id > ''";
  const std::string claim =
      "SELECT request_id, name, due_at FROM deadlines WHERE paused = 0 AND lapsed = 0 AND "
      "due_at <= 1 AND (claimed_until IS NULL OR claimed_until <= 1) "
      "ORDER BY due_at, request_id, name LIMIT 50";
  // Version 5: a one-filter index and checks row by row; the due rows read through the table.
  EXPECT_THAT(SqlitePlan(db_.sqlite_path(), by_workflow_state),
              Not(HasSubstr("requests_by_workflow_state")));
  EXPECT_THAT(SqlitePlan(db_.sqlite_path(), running_due), Not(HasSubstr("COVERING")));
  ASSERT_TRUE(db_.Reopen().ok());
  EXPECT_EQ(SqliteCount(db_.sqlite_path(), "SELECT MAX(version) FROM schema_version"),
            kStoreSchemaVersion);
  const std::string path = db_.sqlite_path();
  EXPECT_THAT(SqlitePlan(path, by_workflow_state), HasSubstr("requests_by_workflow_state"));
  EXPECT_THAT(SqlitePlan(path, by_workflow_phase), HasSubstr("requests_by_workflow_phase"));
  for (const std::string* sql : {&by_workflow_state, &by_workflow_phase}) {
    EXPECT_THAT(SqlitePlan(path, *sql), Not(HasSubstr("TEMP B-TREE"))) << *sql;  // no sort
  }
  EXPECT_THAT(SqlitePlan(path, running_due), HasSubstr("COVERING INDEX deadlines_running_due"));
  EXPECT_THAT(SqlitePlan(path, lapsed_rows), HasSubstr("COVERING INDEX deadlines_lapsed"));
  EXPECT_THAT(SqlitePlan(path, claim), HasSubstr("COVERING INDEX deadlines_running_due"));
  // The data came through: both are overdue, the running one is claimed.
  RequestQuery q;
  q.overdue_only = true;
  q.now = t0 + std::chrono::hours(2);
  auto page = db_.store().ListRequests(q);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[0].id, "r-1");
  auto claimed = db_.store().ClaimDueDeadlines(q.now, "node", std::chrono::minutes(1), 10);
  ASSERT_TRUE(claimed.ok()) << claimed.status().ToString();
  EXPECT_EQ(claimed->size(), 1u);
}

// At a million requests the overdue list under a filter took 133-252 ms p50 and 0.65-2.4 s p99
// (docs/performance.md): schema 7 had to rule out each of 37,000 lapsed clocks in the filter's
// request index. Version 8 copies each request's workflow, state and phase onto its deadline
// rows, filled by the migration, so that each filter is one walk of a lapsed index in id order
// and the due clocks are checked in the due-time index. The plans are the shapes the overdue
// list runs (adapters/store/src/request_list.cc, ReadOverdueByDeadlines).
TEST_F(SqliteStoreTest, MigratesAVersionSevenDatabaseToOverdueIndexWalksUnderEveryFilter) {
  RequestBuilder lapsed("r-1", "eio");
  const TimePoint t0 = lapsed.request().created_at;
  lapsed.request().deadlines = {Lapsed("answer", t0, t0, t0), Lapsed("reply", t0, t0, t0)};
  ASSERT_TRUE(db_.store().Apply(lapsed.Create()).ok());
  ASSERT_TRUE(db_.store().Apply(lapsed.Step("transmit", "transmitted", Phase::kTransmission)).ok());
  RequestBuilder due("r-2", "eaw");
  due.request().deadlines = {Running("answer", t0, t0 + std::chrono::hours(1))};
  ASSERT_TRUE(db_.store().Apply(due.Create("executing", Phase::kExecution)).ok());
  ASSERT_TRUE(db_.store().Apply(RequestBuilder("r-3", "eio").Create()).ok());
  SqliteExec(db_.sqlite_path(), kBackToVersion7);
  const std::string path = db_.sqlite_path();
  const std::string copies_match =
      "SELECT COUNT(*) FROM deadlines d JOIN requests r ON r.id = d.request_id WHERE "
      "d.workflow = r.workflow AND d.state = r.state AND d.phase = r.phase";
  EXPECT_EQ(SqliteCount(path, copies_match), -1) << "version 7 has no copies";
  ASSERT_TRUE(db_.Reopen().ok());
  EXPECT_EQ(SqliteCount(path, "SELECT MAX(version) FROM schema_version"), kStoreSchemaVersion);
  EXPECT_EQ(SqliteCount(path, copies_match), 3) << "the migration fills every row's copies";
  // Each filter's lapsed clocks: one covering index walk in id order, no sort.
  const std::vector<std::pair<std::string, std::string>> lapsed_walks = {
      {"deadlines_lapsed", ""},
      {"deadlines_lapsed_by_workflow", " AND workflow = 'eio'"},
      {"deadlines_lapsed_by_state", " AND state = 'transmitted'"},
      {"deadlines_lapsed_by_state", " AND state = 'transmitted' AND phase = 'transmission'"},
      {"deadlines_lapsed_by_phase", " AND phase = 'transmission'"},
      {"deadlines_lapsed_by_workflow_state", " AND workflow = 'eio' AND state = 'transmitted'"},
      {"deadlines_lapsed_by_workflow_state",
       " AND workflow = 'eio' AND state = 'transmitted' AND phase = 'transmission'"},
      {"deadlines_lapsed_by_workflow_phase", " AND workflow = 'eio' AND phase = 'transmission'"},
  };
  for (const auto& [index, filters] : lapsed_walks) {
    const std::string sql = "SELECT DISTINCT request_id FROM deadlines INDEXED BY " + index +
                            " WHERE lapsed = 1 AND request_id > ''" + filters +
                            " ORDER BY request_id LIMIT 51";
    const std::string plan = SqlitePlan(path, sql);
    EXPECT_THAT(plan, HasSubstr("COVERING INDEX " + index)) << sql;
    EXPECT_THAT(plan, Not(HasSubstr("TEMP B-TREE"))) << sql;
  }
  // The running clocks due: checked in the due-time index, never in the table.
  EXPECT_THAT(SqlitePlan(path,
                         "SELECT request_id FROM deadlines INDEXED BY deadlines_running_due "
                         "WHERE paused = 0 AND lapsed = 0 AND due_at <= 1 AND request_id > '' "
                         "AND workflow = 'eaw' AND state = 'executing' AND phase = 'execution' "
                         "ORDER BY request_id LIMIT 51"),
              HasSubstr("COVERING INDEX deadlines_running_due"));
  // The data came through: each list finds its request, and only it.
  RequestQuery q;
  q.overdue_only = true;
  q.now = t0 + std::chrono::hours(2);
  auto ids = [&](RequestQuery query) {
    std::vector<std::string> out;
    auto page = db_.store().ListRequests(query);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    if (page.ok()) {
      for (const Request& r : page->items) out.push_back(r.id);
    }
    return out;
  };
  EXPECT_EQ(ids(q), (std::vector<std::string>{"r-1", "r-2"}));
  q.workflow = "eio";
  EXPECT_EQ(ids(q), std::vector<std::string>{"r-1"});
  q.state = "draft";
  EXPECT_TRUE(ids(q).empty()) << "r-1 left draft before the migration";
  q.workflow.clear();
  q.state.clear();
  q.phase = Phase::kExecution;
  EXPECT_EQ(ids(q), std::vector<std::string>{"r-2"});
}

// Takes a SQLite database of this binary's schema back to version 10: the history clustered by
// request (WITHOUT ROWID), as versions 1 to 10 created it.
const std::string kBackToVersion10 =
    kBackToVersion11 +
    "CREATE TABLE history_clustered (request_id TEXT NOT NULL, seq BIGINT NOT NULL,"
    " event TEXT NOT NULL, from_state TEXT NOT NULL, to_state TEXT NOT NULL, actor TEXT NOT NULL,"
    " at BIGINT NOT NULL, data TEXT NOT NULL, comment TEXT NOT NULL, prev_hash TEXT NOT NULL,"
    " hash TEXT NOT NULL, authority TEXT NOT NULL DEFAULT '', PRIMARY KEY (request_id, seq))"
    " WITHOUT ROWID; "
    "INSERT INTO history_clustered SELECT * FROM history; DROP TABLE history; "
    "ALTER TABLE history_clustered RENAME TO history; UPDATE schema_version SET version = 10;";

// Version 11 stored the history in insertion order (a rowid table); version 12 drops its key's
// index and links each request's rows from the request row (history_links.h). The upgrade from 10
// copies every row, the audit still verifies every chain (in one pass), a request's history reads
// back in seq order, and a new step's row goes at the end.
TEST_F(SqliteStoreTest, MigratesAVersionTenDatabaseToTheHistoryInInsertionOrder) {
  std::vector<RequestBuilder> requests;
  for (int i = 1; i <= 3; ++i) {
    requests.emplace_back("r-" + std::to_string(i));
    ASSERT_TRUE(db_.store().Apply(requests.back().Create()).ok());
  }
  for (int step = 0; step < 3; ++step) {
    for (RequestBuilder& b : requests) {
      ASSERT_TRUE(db_.store().Apply(b.Step("note", "draft", Phase::kDrafting)).ok());
    }
  }
  const std::string path = db_.sqlite_path();
  const std::string clustered =
      "SELECT COUNT(*) FROM sqlite_master WHERE name = 'history' AND sql LIKE '%WITHOUT ROWID%'";
  EXPECT_EQ(SqliteCount(path, clustered), 0) << "a new database has a rowid history";
  SqliteExec(path, kBackToVersion10);
  EXPECT_EQ(SqliteCount(path, clustered), 1);
  ASSERT_TRUE(db_.Reopen().ok());
  EXPECT_EQ(SqliteCount(path, "SELECT MAX(version) FROM schema_version"), kStoreSchemaVersion);
  EXPECT_EQ(SqliteCount(path, clustered), 0);
  EXPECT_EQ(SqliteCount(path, "SELECT COUNT(*) FROM history"), 12);
  EXPECT_EQ(SqliteCount(path, "SELECT COUNT(*) FROM pragma_index_list('history')"), 0);

  Result<AuditReport> audit = AuditHistories(db_.store());
  ASSERT_TRUE(audit.ok()) << audit.status().ToString();
  EXPECT_FALSE(audit->broken.has_value()) << audit->broken->message;
  EXPECT_TRUE(audit->one_pass);
  EXPECT_EQ(audit->requests, 3);
  EXPECT_EQ(audit->entries, 12);

  ASSERT_TRUE(db_.store().Apply(requests[1].Step("note", "draft", Phase::kDrafting)).ok());
  auto history = db_.store().GetHistory("r-2");
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  ASSERT_EQ(history->size(), 5u);
  for (size_t i = 0; i < history->size(); ++i) EXPECT_EQ((*history)[i].seq, int64_t(i + 1));
  EXPECT_EQ(SqliteCount(path,
                        "SELECT COUNT(*) FROM history WHERE rowid = (SELECT MAX(rowid) FROM "
                        "history) AND request_id = 'r-2' AND seq = 5"),
            1)
      << "the new entry is the last row";
}

// Version 12: the history has no index; each request row names its last history row and each
// row the one before it. The upgrade from 11 keeps every rowid and sets the links; each new step
// links its row; VACUUM keeps the rowids the links name.
TEST_F(SqliteStoreTest, MigratesAVersionElevenDatabaseToHistoryLinkedFromItsRequests) {
  std::vector<RequestBuilder> requests;
  for (int i = 1; i <= 3; ++i) {
    requests.emplace_back("r-" + std::to_string(i));
    ASSERT_TRUE(db_.store().Apply(requests.back().Create()).ok());
  }
  for (int step = 0; step < 2; ++step) {
    for (RequestBuilder& b : requests) {
      ASSERT_TRUE(db_.store().Apply(b.Step("note", "draft", Phase::kDrafting)).ok());
    }
  }
  const std::string path = db_.sqlite_path();
  const std::string rows_linked =
      "SELECT COUNT(*) FROM history AS h WHERE h.prev_rowid = COALESCE((SELECT p.rowid FROM "
      "history AS p WHERE p.request_id = h.request_id AND p.seq = h.seq - 1), 0)";
  const std::string heads_linked =
      "SELECT COUNT(*) FROM requests AS r WHERE r.history_head = (SELECT h.rowid FROM history "
      "AS h WHERE h.request_id = r.id AND h.seq = r.revision)";
  EXPECT_EQ(SqliteCount(path, rows_linked), 9) << "a new database links its rows";
  EXPECT_EQ(SqliteCount(path, heads_linked), 3);
  EXPECT_EQ(SqliteCount(path, "SELECT history_head FROM requests WHERE id = 'r-2'"), 8);
  SqliteExec(path, kBackToVersion11);
  EXPECT_EQ(SqliteCount(path, "SELECT COUNT(*) FROM pragma_index_list('history')"), 1);
  ASSERT_TRUE(db_.Reopen().ok());
  EXPECT_EQ(SqliteCount(path, "SELECT MAX(version) FROM schema_version"), kStoreSchemaVersion);
  EXPECT_EQ(SqliteCount(path, "SELECT COUNT(*) FROM pragma_index_list('history')"), 0);
  EXPECT_EQ(SqliteCount(path, rows_linked), 9);
  EXPECT_EQ(SqliteCount(path, heads_linked), 3);
  EXPECT_EQ(SqliteCount(path, "SELECT history_head FROM requests WHERE id = 'r-2'"), 8)
      << "the rowids are kept";

  ASSERT_TRUE(db_.store().Apply(requests[1].Step("note", "draft", Phase::kDrafting)).ok());
  EXPECT_EQ(SqliteCount(path, "SELECT history_head FROM requests WHERE id = 'r-2'"), 10);
  EXPECT_EQ(SqliteCount(path, "SELECT prev_rowid FROM history WHERE rowid = 10"), 8);
  // Rowids a refused step took stay unused, and VACUUM keeps the others (they are a column).
  SqliteExec(path, "DELETE FROM history WHERE rowid = 1; VACUUM");
  ASSERT_TRUE(db_.Reopen().ok());
  EXPECT_EQ(SqliteCount(path, "SELECT MIN(rowid) FROM history"), 2);
  auto history = db_.store().GetHistory("r-2");
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  ASSERT_EQ(history->size(), 4u);
  for (size_t i = 0; i < history->size(); ++i) EXPECT_EQ((*history)[i].seq, int64_t(i + 1));
  Result<AuditReport> audit = AuditHistories(db_.store());
  ASSERT_TRUE(audit.ok()) << audit.status().ToString();
  ASSERT_TRUE(audit->broken.has_value()) << "r-1 lost its first entry";
  EXPECT_EQ(audit->broken->request_id, "r-1");
  EXPECT_EQ(audit->entries, 2);  // r-1 stops the walk

  // A request's history is found by the request's key, then one rowid lookup per entry.
  const std::string plan = SqlitePlan(path, store_internal::LinkedHistoryOfRequestSql());
  EXPECT_THAT(plan, HasSubstr("SEARCH requests USING PRIMARY KEY (id=?)")) << plan;
  EXPECT_THAT(plan, HasSubstr("SEARCH h USING INTEGER PRIMARY KEY (rowid=?)")) << plan;
  EXPECT_THAT(plan, Not(HasSubstr("SCAN h"))) << plan;
}

// Regression (session 5): the statistics record's SELECT was left on its row, so a connection
// kept a read snapshot open after its commit; its next write failed at once with "database is
// locked" (SQLITE_BUSY_SNAPSHOT, no busy wait) whenever another node had written meanwhile:
// two nodes on one SQLite file stopped claiming clocks.
TEST_F(SqliteStoreTest, TwoStoresOnOneFileTakeTurnsWritingTheSameRequests) {
  auto other = OpenStore("sqlite://" + db_.sqlite_path());
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  RequestBuilder a("r-1"), b("r-2");
  ASSERT_TRUE(db_.store().Apply(a.Create()).ok());
  ASSERT_TRUE((*other)->Apply(b.Create()).ok());
  for (int i = 0; i < 3; ++i) {
    // Each step of an existing request reads its statistics record first.
    Status mine = db_.store().Apply(a.Step("note", "draft", Phase::kDrafting));
    ASSERT_TRUE(mine.ok()) << mine.ToString();
    Status theirs = (*other)->Apply(b.Step("note", "draft", Phase::kDrafting));
    ASSERT_TRUE(theirs.ok()) << theirs.ToString();
  }
  auto history = (*other)->GetHistory("r-1");
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->size(), 4u);
}

// The request row's JSON columns are rendered directly (not through nlohmann objects): the
// text must stay what nlohmann's dump() wrote, keys sorted, strings escaped, for rows written
// before and for other readers of the database.
TEST_F(SqliteStoreTest, JsonColumnsAreWrittenAsNlohmannDumpsThem) {
  RequestBuilder b("r-1");
  Request& r = b.request();
  DeadlineState running;
  running.name = "reply";
  running.started_at = FromUnixMicros(1'700'000'000'000'000);
  running.due_at = FromUnixMicros(1'700'864'000'000'000);
  running.remaining = Duration(-7);
  running.extended = true;
  DeadlineState lapsed = running;
  lapsed.name = "odd \"name\"\t\u00e9";
  lapsed.paused = true;
  lapsed.lapsed = true;
  lapsed.lapsed_at = FromUnixMicros(-3);
  r.deadlines = {running, lapsed};
  r.parties = {{"executing", "DE-BKA"}, {"issuing", "FR \"PNF\" \u00e9"}};
  ASSERT_TRUE(db_.store().Apply(b.Create()).ok());
  nlohmann::json deadlines = nlohmann::json::array();
  for (const DeadlineState& d : r.deadlines) {
    deadlines.push_back({{"name", d.name},
                         {"started_at", ToUnixMicros(d.started_at)},
                         {"due_at", ToUnixMicros(d.due_at)},
                         {"paused", d.paused},
                         {"remaining", d.remaining.count()},
                         {"extended", d.extended}});
    if (d.lapsed) {
      deadlines.back()["lapsed"] = true;
      deadlines.back()["lapsed_at"] = ToUnixMicros(d.lapsed_at);
    }
  }
  EXPECT_EQ(SqliteText(db_.sqlite_path(), "SELECT deadlines FROM requests"), deadlines.dump());
  EXPECT_EQ(SqliteText(db_.sqlite_path(), "SELECT parties FROM requests"),
            nlohmann::json(r.parties).dump());
  EXPECT_EQ(SqliteText(db_.sqlite_path(), "SELECT refs FROM requests"), "{}");
  // And they read back as they were.
  auto back = db_.store().GetRequest("r-1");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->deadlines.size(), 2u);
  EXPECT_EQ(back->deadlines[1].name, lapsed.name);
  EXPECT_EQ(back->deadlines[1].lapsed_at, lapsed.lapsed_at);
  EXPECT_EQ(back->deadlines[0].remaining, running.remaining);
  EXPECT_EQ(back->parties, r.parties);
}

// A batch of several steps inserts its history and outbox rows in bulk before COMMIT. When that
// insert fails, the step whose row broke it fails alone: the others commit, rows and all.
// The batch is forced by holding SQLite's write lock from outside while the steps queue.
TEST_F(SqliteStoreTest, AFailingRowInABulkInsertFailsOnlyItsOwnStep) {
  Subscription sub;
  sub.id = "s-1";
  sub.url = "https://consumer.example/hook";
  sub.secret = "whsec_c2VjcmV0";
  ASSERT_TRUE(db_.store().CreateSubscription(sub).ok());
  constexpr int kSteps = 6;  // step 0's history row is refused by a trigger
  std::vector<RequestBuilder> builders;
  for (int i = 0; i < kSteps; ++i) {
    builders.emplace_back("r-" + std::to_string(i));
    ASSERT_TRUE(db_.store().Apply(builders.back().Create()).ok());
  }
  SqliteExec(db_.sqlite_path(),
             "CREATE TRIGGER refuse_r0 BEFORE INSERT ON history WHEN NEW.request_id = 'r-0' "
             "BEGIN SELECT RAISE(ABORT, 'refused'); END");
  std::vector<Mutation> steps;
  for (auto& b : builders) {
    steps.push_back(b.Step("note", "draft", Phase::kDrafting));
    steps.back().notification = NotificationFor(steps.back(), kEventRequestTransitioned);
  }
  sqlite3* lock = nullptr;
  ASSERT_EQ(sqlite3_open(db_.sqlite_path().c_str(), &lock), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(lock, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  std::vector<Status> results(kSteps);
  std::vector<std::thread> threads;
  // Step 1 goes first and leads a batch of its own (waiting for the lock); the others, r-0's
  // among them, queue meanwhile and form the next batch.
  for (int i : {1, 0, 2, 3, 4, 5}) {
    threads.emplace_back([&, i] { results[i] = db_.store().Apply(steps[i]); });
    if (i == 1) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // all queue behind the lock
  ASSERT_EQ(sqlite3_exec(lock, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(lock);
  for (auto& t : threads) t.join();
  EXPECT_FALSE(results[0].ok());
  EXPECT_EQ(db_.store().GetRequest("r-0")->revision, 1);
  for (int i = 1; i < kSteps; ++i) {
    EXPECT_TRUE(results[i].ok()) << i << ": " << results[i].ToString();
    auto h = db_.store().GetHistory("r-" + std::to_string(i));
    ASSERT_TRUE(h.ok());
    EXPECT_EQ(h->size(), 2u);
    EXPECT_TRUE(VerifyHistoryChain(*h).ok());
  }
  EXPECT_EQ(SqliteCount(db_.sqlite_path(), "SELECT COUNT(*) FROM outbox WHERE request_id <> 'r-0'"),
            kSteps - 1);
  EXPECT_EQ(SqliteCount(db_.sqlite_path(), "SELECT COUNT(*) FROM outbox WHERE request_id = 'r-0'"),
            0);
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
