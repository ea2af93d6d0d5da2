// The history audit (rogatory/audit.h) on every store, and on a SQLite file tampered with
// behind the store's back.
#include "rogatory/audit.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "rogatory/sql_store.h"
#include "sqlite_exec.h"
#include "store_test_util.h"

namespace rogatory::testing {
namespace {

using ::testing::HasSubstr;

// Creates requests r-1..r-n with `steps` revisions each.
void Populate(Store& store, int n, int steps) {
  for (int i = 1; i <= n; ++i) {
    RequestBuilder b("r-" + std::to_string(i));
    ASSERT_TRUE(store.Apply(b.Create()).ok());
    for (int s = 1; s < steps; ++s) {
      ASSERT_TRUE(store.Apply(b.Step("note", "draft", Phase::kDrafting)).ok());
    }
  }
}

class AuditTest : public ::testing::TestWithParam<StoreKind> {};

TEST_P(AuditTest, IntactHistoriesVerify) {
  TestStore db(GetParam());
  ASSERT_TRUE(db.status().ok()) << db.status().ToString();
  Populate(db.store(), 7, 3);
  Result<AuditReport> report = AuditHistories(db.store());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_FALSE(report->broken.has_value()) << report->broken->message;
  EXPECT_EQ(report->requests, 7);
  EXPECT_EQ(report->entries, 21);
}

TEST_P(AuditTest, EmptyStoreVerifies) {
  TestStore db(GetParam());
  ASSERT_TRUE(db.status().ok()) << db.status().ToString();
  Result<AuditReport> report = AuditHistories(db.store());
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->requests, 0);
  EXPECT_FALSE(report->broken.has_value());
}

INSTANTIATE_TEST_SUITE_P(Stores, AuditTest,
                         ::testing::Values(StoreKind::kMemory, StoreKind::kSqlite,
                                           StoreKind::kPostgres),
                         [](const ::testing::TestParamInfo<StoreKind>& info) {
                           return StoreKindName(info.param);
                         });

// An in-memory SQLite database has one connection: the one pass reads every part of the history
// on it, in the heads' read transaction.
TEST(SqliteInMemoryAuditTest, ChecksInOnePassOnItsOneConnection) {
  Result<std::unique_ptr<Store>> store = OpenStore("sqlite::memory:");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  Populate(**store, 7, 3);
  for (int workers : {1, 2, 5}) {
    Result<AuditReport> report = AuditHistories(**store, AuditOptions{workers});
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_FALSE(report->broken.has_value()) << report->broken->message;
    EXPECT_TRUE(report->one_pass);
    EXPECT_EQ(report->requests, 7);
    EXPECT_EQ(report->entries, 21);
  }
}

class SqliteAuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(db_.status().ok()) << db_.status().ToString();
    Populate(db_.store(), 3, 4);
  }
  void Tamper(const std::string& sql) { SqliteExec(db_.sqlite_path(), sql); }
  TestStore db_{StoreKind::kSqlite};
};

TEST_F(SqliteAuditTest, AnEditedEntryIsTheFirstBrokenLink) {
  Tamper("UPDATE history SET actor = 'mallory' WHERE request_id = 'r-2' AND seq = 3");
  Result<AuditReport> report = AuditHistories(db_.store());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_TRUE(report->broken.has_value());
  EXPECT_EQ(report->broken->request_id, "r-2");
  EXPECT_EQ(report->broken->seq, 3);
  EXPECT_EQ(report->requests, 2);  // the walk stops at the first broken link
}

TEST_F(SqliteAuditTest, ADeletedEntryBreaksTheChain) {
  Tamper("DELETE FROM history WHERE request_id = 'r-3' AND seq = 2");
  Result<AuditReport> report = AuditHistories(db_.store());
  ASSERT_TRUE(report.ok());
  ASSERT_TRUE(report->broken.has_value());
  EXPECT_EQ(report->broken->request_id, "r-3");
  EXPECT_EQ(report->broken->seq, 2);
}

// Schema 12: a link from r-2's second entry into r-1's rows. The walk from r-2's last entry stops
// at a row that is not r-2's (a hole), so r-2's history is read by its request id instead: whole,
// as stored. The chains verify; the audit names the entry the links no longer lead to.
TEST_F(SqliteAuditTest, ALinkIntoAnotherRequestsRowsIsNamed) {
  Tamper(
      "UPDATE history SET prev_rowid = (SELECT rowid FROM history WHERE request_id = 'r-1' AND "
      "seq = 1) WHERE request_id = 'r-2' AND seq = 2");
  auto history = db_.store().GetHistory("r-2");
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  ASSERT_EQ(history->size(), 4u);
  for (size_t i = 0; i < history->size(); ++i) {
    EXPECT_EQ((*history)[i].request_id, "r-2");
    EXPECT_EQ((*history)[i].seq, static_cast<int64_t>(i) + 1);
  }
  EXPECT_TRUE(VerifyHistoryChain(*history).ok());
  Result<AuditReport> report = AuditHistories(db_.store());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_FALSE(report->one_pass);
  ASSERT_TRUE(report->broken.has_value());
  EXPECT_EQ(report->broken->request_id, "r-2");
  EXPECT_EQ(report->broken->seq, 1);
  EXPECT_EQ(report->broken->message,
            "request r-2 history seq 1 is not where its links lead (a link was edited)");
  EXPECT_EQ(report->requests, 3);  // every history verified first
}

// Schema 12: r-2's third entry linked past its second. The second is still stored, but no walk
// reaches it: the history reads whole by its request id, and the audit names the second entry.
TEST_F(SqliteAuditTest, AnEntryLinkedPastIsNamed) {
  Tamper(
      "UPDATE history SET prev_rowid = (SELECT rowid FROM history WHERE request_id = 'r-2' AND "
      "seq = 1) WHERE request_id = 'r-2' AND seq = 3");
  auto history = db_.store().GetHistory("r-2");
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  EXPECT_EQ(history->size(), 4u);
  Result<AuditReport> report = AuditHistories(db_.store());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_FALSE(report->one_pass);
  ASSERT_TRUE(report->broken.has_value());
  EXPECT_EQ(report->broken->request_id, "r-2");
  EXPECT_EQ(report->broken->seq, 2);
}

// Schema 12: a link that loops (r-2's last entry linked to itself) is not followed: a step must
// find the next seq down. The history reads by its request id, and the audit names the entry
// the links no longer lead to.
TEST_F(SqliteAuditTest, ALoopingLinkEndsTheWalk) {
  Tamper("UPDATE history SET prev_rowid = rowid WHERE request_id = 'r-2' AND seq = 4");
  auto history = db_.store().GetHistory("r-2");
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  ASSERT_EQ(history->size(), 4u);
  EXPECT_EQ((*history)[0].seq, 1);
  Result<AuditReport> report = AuditHistories(db_.store());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_TRUE(report->broken.has_value());
  EXPECT_EQ(report->broken->request_id, "r-2");
  EXPECT_EQ(report->broken->seq, 3);
}

// The same loop with a revision edited up to 2^40: a walk bounded only by the revision would run
// for months on every read of r-2; one that must find the next seq down stops at once.
TEST_F(SqliteAuditTest, ALoopingLinkWithAHugeRevisionEndsAtOnce) {
  Tamper("UPDATE history SET prev_rowid = rowid WHERE request_id = 'r-2' AND seq = 4");
  Tamper("UPDATE requests SET revision = 1099511627776 WHERE id = 'r-2'");
  auto history = db_.store().GetHistory("r-2");
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  EXPECT_EQ(history->size(), 4u);
  Result<AuditReport> report = AuditHistories(db_.store());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_TRUE(report->broken.has_value());
  EXPECT_EQ(report->broken->request_id, "r-2");
  EXPECT_THAT(report->broken->message, HasSubstr("revision 1099511627776"));
}

// Schema 12: entry 1 linked to any row before it (another request's, its own last, or none at
// all). Every row is still reached and the chain verifies, but the links are not what the
// steps wrote: the audit names entry 1.
TEST_F(SqliteAuditTest, AFirstEntryLinkedToARowBeforeItIsNamed) {
  for (const std::string target :
       {"(SELECT rowid FROM history WHERE request_id = 'r-1' AND seq = 2)", "rowid", "999999"}) {
    SCOPED_TRACE(target);
    Tamper("UPDATE history SET prev_rowid = " + target + " WHERE request_id = 'r-2' AND seq = 1");
    Result<AuditReport> report = AuditHistories(db_.store());
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_FALSE(report->one_pass);
    ASSERT_TRUE(report->broken.has_value());
    EXPECT_EQ(report->broken->request_id, "r-2");
    EXPECT_EQ(report->broken->seq, 1);
    EXPECT_EQ(report->broken->message,
              "request r-2 history seq 1 links to a row before it (a link was edited)");
    Tamper("UPDATE history SET prev_rowid = 0 WHERE request_id = 'r-2' AND seq = 1");
    report = AuditHistories(db_.store());
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_FALSE(report->broken.has_value()) << report->broken->message;
  }
}

TEST_F(SqliteAuditTest, ARequestRowThatDisagreesWithItsHistoryIsBroken) {
  // The last entry removed, so the chain itself still verifies but ends before the request.
  Tamper("DELETE FROM history WHERE request_id = 'r-1' AND seq = 4");
  Result<AuditReport> report = AuditHistories(db_.store());
  ASSERT_TRUE(report.ok());
  ASSERT_TRUE(report->broken.has_value());
  EXPECT_EQ(report->broken->request_id, "r-1");
  EXPECT_EQ(report->broken->seq, 4);
  EXPECT_THAT(report->broken->message, HasSubstr("revision 4"));
}

// `rogatory audit verify` may run beside a serving node. The one pass reads the request rows and
// the history in one snapshot, so steps committed meanwhile can never look like a request whose
// history runs past its revision (or the other way round). (The name puts it in the TSan run.)
TEST_F(SqliteAuditTest, ConcurrentStepsNeverLookBrokenToTheOnePass) {
  std::atomic<bool> stop{false};
  std::atomic<int> steps{0};
  std::thread writer([&] {
    std::vector<RequestBuilder> builders;
    for (int i = 0; i < 8; ++i) builders.emplace_back("w-" + std::to_string(i));
    for (RequestBuilder& b : builders) {
      if (!db_.store().Apply(b.Create()).ok()) return;
    }
    for (int n = 0; !stop.load(); ++n) {
      RequestBuilder& b = builders[static_cast<size_t>(n) % builders.size()];
      Status s = db_.store().Apply(b.Step("note", "draft", Phase::kDrafting));
      EXPECT_TRUE(s.ok()) << s.ToString();
      if (!s.ok()) return;
      steps.fetch_add(1);
    }
  });
  int audits = 0;
  int64_t last_entries = 0;
  bool all_ok = true;
  // At least 20 audits, and until the writer has committed steps in between (at most 2,000).
  while (all_ok && audits < 2000 && (audits < 20 || steps.load() < 200)) {
    Result<AuditReport> report = AuditHistories(db_.store());
    all_ok = report.ok() && !report->broken.has_value() && report->one_pass &&
             report->entries >= last_entries;
    EXPECT_TRUE(all_ok) << (report.ok() ? (report->broken ? report->broken->message : "")
                                        : report.status().ToString());
    if (report.ok()) last_entries = report->entries;
    ++audits;
  }
  stop.store(true);
  writer.join();
  EXPECT_GE(steps.load(), 200);
  EXPECT_GT(last_entries, 12);  // the audits saw the writer's steps
}

// A key column stored as another storage class than the store writes compares otherwise in SQL:
// the reads by key (GetHistory, the page walk) do not see the row as the one pass's scan would.
// The one pass gives up on such a store, and the page walk's verdict stands.
TEST_F(SqliteAuditTest, AKeyOfAnotherStorageClassIsJudgedByThePageWalk) {
  // Entry 2 of r-2 under its id as a BLOB: the reads by id no longer find it.
  Tamper(
      "UPDATE history SET request_id = CAST(request_id AS BLOB) "
      "WHERE request_id = 'r-2' AND seq = 2");
  Result<AuditReport> report = AuditHistories(db_.store());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_TRUE(report->broken.has_value());
  EXPECT_EQ(report->broken->request_id, "r-2");
  EXPECT_EQ(report->broken->seq, 2);
  EXPECT_FALSE(report->one_pass);
}

TEST_F(SqliteAuditTest, ASeqStoredAsTextIsJudgedByThePageWalk) {
  // A copy of r-1's last entry with its seq as text, linked in as r-1's last.
  Tamper(
      "INSERT INTO history (request_id, seq, event, from_state, to_state, actor, at, data, "
      "comment, prev_hash, hash, authority, prev_rowid) SELECT request_id, '4x', event, "
      "from_state, to_state, actor, at, data, comment, prev_hash, hash, authority, rowid FROM "
      "history WHERE request_id = 'r-1' AND seq = 4; UPDATE requests SET history_head = "
      "(SELECT MAX(rowid) FROM history) WHERE id = 'r-1'");
  Result<AuditReport> report = AuditHistories(db_.store());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_FALSE(report->one_pass);
  ASSERT_TRUE(report->broken.has_value());
  EXPECT_EQ(report->broken->request_id, "r-1");
}

}  // namespace
}  // namespace rogatory::testing
