// Issue 16: a step writes only the deadline rows it changes. Since schema 8 a deadline row
// copies its request's workflow, state and phase, and a lapsed clock's row sits in six indexes,
// so rewriting unchanged rows at every step cost a quarter of an Apply. These tests read the SQL
// stores' rows behind their back: `rev` (the revision that last wrote a row) is set to a marker
// that only a rewrite changes.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include <memory>
#include <string>

#include "store_test_util.h"

namespace rogatory::testing {
namespace {

class DeadlineRowsTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  void SetUp() override {
    db_ = std::make_unique<TestStore>(GetParam());
    ASSERT_TRUE(db_->status().ok()) << db_->status().ToString();
    b_.request().deadlines = {Lapsed("x", T(0), T(2), T(3)), Running("y", T(0), T(5))};
    Status s = db_->store().Apply(b_.Create("draft", Phase::kDrafting));
    ASSERT_TRUE(s.ok()) << s.ToString();
    // Every row as if an older step had written it.
    Query("UPDATE deadlines SET rev = -1");
  }

  // Runs `sql` on the store's database; the first column of its first row as a number (-1
  // when there is none).
  int64_t Query(const std::string& sql) {
    if (GetParam() == StoreKind::kSqlite) {
      sqlite3* db = nullptr;
      sqlite3_stmt* st = nullptr;
      int64_t n = -1;
      if (sqlite3_open(db_->sqlite_path().c_str(), &db) == SQLITE_OK &&
          sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK) {
        const int rc = sqlite3_step(st);
        EXPECT_TRUE(rc == SQLITE_ROW || rc == SQLITE_DONE) << sqlite3_errmsg(db);
        if (rc == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
      } else {
        ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
      }
      sqlite3_finalize(st);
      sqlite3_close(db);
      return n;
    }
    std::string why;
    const std::string conninfo = PgClusterUrl(&why);
    EXPECT_FALSE(conninfo.empty()) << why;
    PGconn* conn = PQconnectdb(conninfo.c_str());
    int64_t n = -1;
    PGresult* res = PQexec(conn, ("SET search_path TO " + db_->pg_schema() + "; " + sql).c_str());
    const ExecStatusType status = PQresultStatus(res);
    EXPECT_TRUE(status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK)
        << sql << ": " << PQresultErrorMessage(res);
    if (status == PGRES_TUPLES_OK && PQntuples(res) > 0) n = std::stoll(PQgetvalue(res, 0, 0));
    PQclear(res);
    PQfinish(conn);
    return n;
  }

  // Rows of the request not written since SetUp.
  int64_t Untouched() { return Query("SELECT COUNT(*) FROM deadlines WHERE rev = -1"); }

  void Apply(const Mutation& m) {
    Status s = db_->store().Apply(m);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  std::unique_ptr<TestStore> db_;
  RequestBuilder b_{"d-1"};
};

TEST_P(DeadlineRowsTest, AStepThatKeepsTheClocksAndStateWritesNoRowAndKeepsTheClaim) {
  Result<std::vector<DueDeadline>> claimed =
      db_->store().ClaimDueDeadlines(T(10), "node-a", std::chrono::hours(1), 10);
  ASSERT_TRUE(claimed.ok()) << claimed.status().ToString();
  ASSERT_EQ(claimed->size(), 1u);
  Apply(b_.Step("note", "draft", Phase::kDrafting));
  EXPECT_EQ(Untouched(), 2);
  EXPECT_EQ(Query("SELECT COUNT(*) FROM deadlines WHERE name = 'y' AND claimed_by = 'node-a'"), 1);
  claimed = db_->store().ClaimDueDeadlines(T(11), "node-b", std::chrono::hours(1), 10);
  ASSERT_TRUE(claimed.ok()) << claimed.status().ToString();
  EXPECT_TRUE(claimed->empty());
}

TEST_P(DeadlineRowsTest, AStepThatChangesOneClockWritesOnlyItsRow) {
  b_.request().deadlines[1] = Paused("y", T(0), T(5), kMinute);
  Apply(b_.Step("hold", "draft", Phase::kDrafting));
  EXPECT_EQ(Untouched(), 1);
  EXPECT_EQ(Query("SELECT COUNT(*) FROM deadlines WHERE name = 'y' AND paused = 1"), 1);
}

TEST_P(DeadlineRowsTest, StoppingOneOfTwoClocksDeletesExactlyThatRow) {
  b_.request().deadlines = {Lapsed("x", T(0), T(2), T(3))};
  Apply(b_.Step("answer", "draft", Phase::kDrafting));
  EXPECT_EQ(Query("SELECT COUNT(*) FROM deadlines"), 1);
  EXPECT_EQ(Query("SELECT COUNT(*) FROM deadlines WHERE name = 'x' AND rev = -1"), 1);
}

TEST_P(DeadlineRowsTest, AStepToAnotherStateRewritesEveryRow) {
  Apply(b_.Step("start", "executing", Phase::kExecution));
  EXPECT_EQ(Untouched(), 0);
  EXPECT_EQ(Query("SELECT COUNT(*) FROM deadlines WHERE state = 'executing' AND phase = '" +
                  std::string(PhaseName(Phase::kExecution)) + "'"),
            2);
}

// A caller that does not say the clocks before (Mutation::deadlines_before) still gets every
// row right: all are rewritten and the stopped one is deleted.
TEST_P(DeadlineRowsTest, AStepWithoutTheClocksBeforeRewritesEveryRow) {
  b_.request().deadlines = {Running("y", T(0), T(5))};
  Mutation m = b_.Step("answer", "draft", Phase::kDrafting);
  m.deadlines_before.reset();
  Apply(m);
  EXPECT_EQ(Query("SELECT COUNT(*) FROM deadlines"), 1);
  EXPECT_EQ(Query("SELECT COUNT(*) FROM deadlines WHERE name = 'y' AND rev = 2"), 1);
}

// The same for the request's statistics record (stats_requests): a step that leaves it as it was
// does not write it again. `version` is set to a marker that only a rewrite puts back.
TEST_P(DeadlineRowsTest, AStepThatLeavesTheStatisticsRecordDoesNotRewriteIt) {
  ASSERT_EQ(Query("SELECT COUNT(*) FROM stats_requests WHERE request_id = 'd-1'"), 1);
  Query("UPDATE stats_requests SET version = -7");
  Apply(b_.Step("note", "draft", Phase::kDrafting));
  Apply(b_.Step("note", "draft", Phase::kDrafting));
  EXPECT_EQ(Query("SELECT version FROM stats_requests WHERE request_id = 'd-1'"), -7);
  // Another state is another record: written, version and all.
  Apply(b_.Step("start", "executing", Phase::kExecution));
  EXPECT_EQ(Query("SELECT version FROM stats_requests WHERE request_id = 'd-1'"), 1);
  EXPECT_EQ(Query("SELECT COUNT(*) FROM stats_requests WHERE record LIKE '%\"executing\"%'"), 1);
}

INSTANTIATE_TEST_SUITE_P(Stores, DeadlineRowsTest,
                         ::testing::Values(StoreKind::kSqlite, StoreKind::kPostgres),
                         [](const ::testing::TestParamInfo<StoreKind>& info) {
                           return StoreKindName(info.param);
                         });

}  // namespace
}  // namespace rogatory::testing
