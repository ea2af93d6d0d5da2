// Issue 16: an SQLite writer keeps, per request, the rowid of the history row and the statistics
// record it last committed (LastWrites), so the next step of the request reads neither back.
// What is kept must give way to anything else that wrote the file: another store on it (as
// another process would), a damaged record, a rolled-back step. Also the class alone.
#include "last_writes.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "apply_writer.h"
#include "connection.h"
#include "race_workflow.h"
#include "rogatory/audit.h"
#include "rogatory/definition_loader.h"
#include "rogatory/engine.h"
#include "sqlite_exec.h"
#include "store_test_util.h"
#include "store_url.h"

namespace rogatory::testing {
namespace {

using store_internal::LastWrites;

// A record whose only mark is `state`.
LastWrites::Entry Known(long long head, const std::string& state) {
  LastWrites::Entry e;
  e.history_head = head;
  e.stats_known = true;
  e.stats = StatsRecord{};
  e.stats->state = state;
  e.stats_text = state;
  return e;
}

void Write(LastWrites& w, const std::string& id, long long head, const std::string& state) {
  w.Update(id) = Known(head, state);
}

TEST(LastWritesTest, ATransactionsWritesAreSeenAtOnceAndKeptWhenItCommits) {
  LastWrites w(8);
  w.Begin(1);
  Write(w, "a", 10, "transmitted");
  EXPECT_EQ(w.HistoryHead("a"), 10);  // a second step of it in the same batch
  EXPECT_EQ(w.size(), 0u);
  w.Committed(2);
  w.Begin(2);
  EXPECT_EQ(w.HistoryHead("a"), 10);
  ASSERT_NE(w.Stats("a"), nullptr);
  EXPECT_EQ(w.Stats("a")->stats->state, "transmitted");
  EXPECT_EQ(w.size(), 1u);
}

TEST(LastWritesTest, ARollbackDropsWhatTheTransactionWrote) {
  LastWrites w(8);
  w.Begin(1);
  Write(w, "a", 10, "transmitted");
  w.Committed(2);
  w.Begin(2);
  Write(w, "a", 11, "executing");
  w.RolledBack();
  EXPECT_EQ(w.HistoryHead("a"), 10);
  w.Committed(2);  // an empty transaction
  EXPECT_EQ(w.HistoryHead("a"), 10);
}

TEST(LastWritesTest, ARollbackToASavepointDropsWhatCameAfterIt) {
  LastWrites w(8);
  w.Begin(1);
  Write(w, "a", 10, "transmitted");
  const size_t mark = w.Mark();
  Write(w, "b", 11, "draft");
  Write(w, "a", 12, "executing");
  w.RollBackTo(mark);
  EXPECT_EQ(w.HistoryHead("a"), 10);
  EXPECT_EQ(w.HistoryHead("b"), std::nullopt);
  w.Committed(2);
  EXPECT_EQ(w.HistoryHead("a"), 10);
  EXPECT_EQ(w.HistoryHead("b"), std::nullopt);
}

TEST(LastWritesTest, AnotherCommitToTheFileForgetsEverything) {
  LastWrites w(8);
  w.Begin(1);
  Write(w, "a", 10, "transmitted");
  w.Committed(2);
  w.Begin(3);  // someone else committed: the version moved
  EXPECT_EQ(w.HistoryHead("a"), std::nullopt);
  EXPECT_EQ(w.Stats("a"), nullptr);
  EXPECT_EQ(w.resets(), 1u);
  Write(w, "a", 12, "executing");
  w.Committed(4);
  w.Begin(4);
  EXPECT_EQ(w.HistoryHead("a"), 12);
}

TEST(LastWritesTest, AStepThatFilledInOnePartLeavesTheOtherToBeRead) {
  LastWrites w(8);
  w.Begin(1);
  Write(w, "a", 10, "transmitted");
  w.Committed(2);
  w.Begin(2);
  w.Update("a").history_head = 11;
  // Within the transaction the record still comes from the last entry that knew it...
  ASSERT_NE(w.Stats("a"), nullptr);
  EXPECT_EQ(w.Stats("a")->stats->state, "transmitted");
  w.Committed(2);
  // ...and once committed, the step's entry replaces the kept one whole.
  EXPECT_EQ(w.HistoryHead("a"), 11);
  EXPECT_EQ(w.Stats("a"), nullptr);
}

TEST(LastWritesTest, TheOldestAdmittedGoesFirstAndZeroKeepsNone) {
  LastWrites w(2);
  w.Begin(1);
  Write(w, "a", 1, "s");
  Write(w, "b", 2, "s");
  Write(w, "a", 3, "s");  // again: still admitted once
  Write(w, "c", 4, "s");
  w.Committed(2);
  EXPECT_EQ(w.size(), 2u);
  EXPECT_EQ(w.HistoryHead("a"), std::nullopt);
  EXPECT_EQ(w.HistoryHead("b"), 2);
  EXPECT_EQ(w.HistoryHead("c"), 4);

  LastWrites none(0);
  none.Begin(1);
  Write(none, "a", 1, "s");
  EXPECT_EQ(none.HistoryHead("a"), 1);  // within its transaction
  none.Committed(2);
  none.Begin(2);
  EXPECT_EQ(none.HistoryHead("a"), std::nullopt);
  EXPECT_EQ(none.size(), 0u);
}

// The writer of one connection on a real SQLite file, driven directly.
class ApplyWriterLastWritesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(db_.status().ok()) << db_.status().ToString();
    Result<store_internal::StoreUrl> url = store_internal::ParseStoreUrl(db_.url());
    ASSERT_TRUE(url.ok()) << url.status().ToString();
    conn_ = store_internal::OpenConnection(*url, SqlStoreOptions{});
  }

  store_internal::ApplyWriter& writer() { return conn_->writer(); }

  void WriteOk(const Mutation& m) {
    bool dirty = false;
    const Status s = writer().Write(m, {}, &dirty);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  // The request's history head as stored.
  long long StoredHead(const std::string& id) {
    long long head = -1;
    conn_->sql() << "SELECT history_head FROM requests WHERE id = :id", soci::into(head),
        soci::use(id);
    return head;
  }

  TestStore db_{StoreKind::kSqlite};
  std::unique_ptr<store_internal::Connection> conn_;
};

TEST_F(ApplyWriterLastWritesTest, KeepsWhatItCommittedAndDropsWhatItRolledBack) {
  RequestBuilder b("lw-1");
  writer().Begin();
  WriteOk(b.Create());
  writer().Commit();
  const long long created = StoredHead("lw-1");
  EXPECT_EQ(writer().last_writes().HistoryHead("lw-1"), created);

  // Rolled back to its savepoint, then the whole transaction rolled back.
  const Mutation step = b.Step("transmit", "transmitted", Phase::kTransmission);
  writer().Begin();
  writer().Savepoint();
  WriteOk(step);
  EXPECT_NE(writer().last_writes().HistoryHead("lw-1"), created);
  writer().RollbackToSavepoint();
  EXPECT_EQ(writer().last_writes().HistoryHead("lw-1"), created);
  WriteOk(step);
  writer().Rollback();
  EXPECT_EQ(writer().last_writes().HistoryHead("lw-1"), created);

  writer().Begin();
  WriteOk(step);
  writer().Commit();
  EXPECT_EQ(writer().last_writes().HistoryHead("lw-1"), StoredHead("lw-1"));
  EXPECT_NE(StoredHead("lw-1"), created);
  ASSERT_NE(writer().last_writes().Stats("lw-1"), nullptr);
  EXPECT_EQ(writer().last_writes().Stats("lw-1")->stats->state, "transmitted");
  EXPECT_EQ(writer().last_writes().resets(), 0u);
}

TEST_F(ApplyWriterLastWritesTest, ACommitByAnotherConnectionIsSeenAtTheNextBegin) {
  RequestBuilder b("lw-2");
  writer().Begin();
  WriteOk(b.Create());
  writer().Commit();
  // Nothing else wrote: a new transaction keeps what was kept.
  writer().Begin();
  writer().Rollback();
  EXPECT_EQ(writer().last_writes().size(), 1u);
  // A write through another connection, to a table the writer does not keep anything of.
  SqliteExec(db_.sqlite_path(), "UPDATE subscriptions SET active = active");
  SqliteExec(db_.sqlite_path(), "CREATE TABLE elsewhere (x); DROP TABLE elsewhere");
  writer().Begin();
  EXPECT_EQ(writer().last_writes().HistoryHead("lw-2"), std::nullopt);
  EXPECT_EQ(writer().last_writes().resets(), 1u);
  writer().Rollback();
}

// Two stores on one file, as two processes would have.
class TwoWritersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(db_.status().ok()) << db_.status().ToString();
    Result<std::unique_ptr<Store>> other = OpenStore(db_.url());
    ASSERT_TRUE(other.ok()) << other.status().ToString();
    ours_ = RaceEngineOn(db_.shared());
    theirs_ = RaceEngineOn(std::shared_ptr<Store>(std::move(other).value()));
    CreateCall call;
    call.workflow = "race_mla";
    call.data = {{"issuing_state", "AT"}};
    Result<Request> r = ours_->Create(call, Clerk());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    id_ = r->id;
    ASSERT_TRUE(FireAsClerk(*ours_, id_, "transmit").ok());  // ours keeps revision 2
  }

  TestStore db_{StoreKind::kSqlite};
  std::unique_ptr<Engine> ours_, theirs_;
  RequestId id_;
};

TEST_F(TwoWritersTest, AStepAfterTheirsLinksToTheirRowAndCountsFromTheirRecord) {
  ASSERT_TRUE(FireAsClerk(*theirs_, id_, "execute").ok());  // transmitted -> executing
  ASSERT_TRUE(FireAsClerk(*ours_, id_, "close").ok());      // executing -> executed
  // Linked to their row: the audit walks the links.
  Result<AuditReport> report = AuditHistories(db_.store());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_FALSE(report->broken.has_value()) << report->broken->message;
  EXPECT_EQ(report->entries, 4);
  // Counted from their record (in `executing`), not the one ours wrote (in `transmitted`).
  Result<nlohmann::json> incremental = ours_->Stats(StatsCall{}, Clerk());
  ASSERT_TRUE(incremental.ok()) << incremental.status().ToString();
  ASSERT_TRUE(ours_->RebuildStats().ok());
  Result<nlohmann::json> rebuilt = ours_->Stats(StatsCall{}, Clerk());
  ASSERT_TRUE(rebuilt.ok());
  EXPECT_EQ(*incremental, *rebuilt) << incremental->dump(1) << "\n" << rebuilt->dump(1);
}

TEST_F(TwoWritersTest, ARecordDamagedBehindTheStoresBackIsReadAndRefused) {
  SqliteExec(db_.sqlite_path(),
             "UPDATE stats_requests SET record = 'not a record' WHERE request_id = '" + id_ + "'");
  Result<Request> r = FireAsClerk(*ours_, id_, "remind");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
  EXPECT_NE(r.status().message().find("rogatory stats --rebuild"), std::string::npos)
      << r.status().message();
  EXPECT_EQ(db_.store().GetRequest(id_)->revision, 2);
}

}  // namespace
}  // namespace rogatory::testing
