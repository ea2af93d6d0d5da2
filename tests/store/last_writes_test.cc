// Issue 16: an SQLite writer keeps, per request, the rowid of the history row and the statistics
// record it last committed (LastWrites), so the next step of the request reads neither back.
// What is kept must give way to anything else that wrote the file and to a rolled-back step: the
// class alone, and the writer driven directly on a real file. (last_committed_test.cc steps
// requests through another store on the same file.)
#include "last_writes.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "apply_writer.h"
#include "connection.h"
#include "sql_store_impl.h"
#include "sqlite_exec.h"
#include "sqlite_handle.h"
#include "store_test_util.h"
#include "store_url.h"

namespace rogatory::testing {
namespace {

using store_internal::LastWrites;

// A record whose only mark is `state`.
LastWrites::Entry Known(long long head, const std::string& state) {
  LastWrites::Entry e;
  e.history_head = head;
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
  store_internal::KeptTally tally;
  LastWrites w(8, &tally);
  w.Begin(1);
  Write(w, "a", 10, "transmitted");
  w.Committed(2);
  w.Begin(3);  // someone else committed: the version moved
  EXPECT_EQ(w.HistoryHead("a"), std::nullopt);
  EXPECT_EQ(w.Stats("a"), nullptr);
  EXPECT_EQ(tally.forgets.load(), 1u);
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
    conn_->CountKeptIn(&tally_);
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
  store_internal::KeptTally tally_;  // before the connection, whose writer counts into it
  std::unique_ptr<store_internal::Connection> conn_;
};

// What LastWrites rests on, of SQLite's data version as SqliteDataVersion reads it on our
// connection (the other side a raw sqlite3 connection): it moves at our commit and then stays
// until our next write transaction, unless another connection committed meanwhile; a rollback and
// another connection's passive checkpoint leave it.
TEST_F(ApplyWriterLastWritesTest, SqlitesDataVersionMovesForEveryCommitAndOnlyThen) {
  soci::session& sql = conn_->sql();
  auto version = [&] { return store_internal::SqliteDataVersion(sql); };
  sql << "BEGIN IMMEDIATE";
  sql << "CREATE TABLE ours (x)";
  const uint32_t before_commit = version();
  sql << "COMMIT";
  const uint32_t committed = version();
  EXPECT_NE(committed, before_commit);
  sql << "BEGIN IMMEDIATE";
  EXPECT_EQ(version(), committed);  // nobody else wrote
  sql << "INSERT INTO ours VALUES (1)";
  sql << "ROLLBACK";
  EXPECT_EQ(version(), committed);
  SqliteExec(db_.sqlite_path(), "PRAGMA wal_checkpoint(PASSIVE)");
  sql << "BEGIN IMMEDIATE";
  EXPECT_EQ(version(), committed);  // a checkpoint changes no content
  sql << "ROLLBACK";
  SqliteExec(db_.sqlite_path(), "INSERT INTO ours VALUES (2)");
  EXPECT_EQ(version(), committed);  // not seen before a transaction looks...
  sql << "BEGIN IMMEDIATE";
  EXPECT_NE(version(), committed);  // ...and seen once it holds the write lock
  sql << "ROLLBACK";
}

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
  EXPECT_EQ(tally_.forgets.load(), 0u);
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
  EXPECT_EQ(tally_.forgets.load(), 1u);
  writer().Rollback();
}

// The store's other transactions on the writer's connection: one that writes only the outbox,
// subscriptions or deadline claims leaves what the writer kept valid, unless another connection
// committed before it took the write lock; any other forgets it.
TEST_F(ApplyWriterLastWritesTest, ACommitOfTheStoreThatKeepsOutOfItsRowsKeepsWhatWasKept) {
  using store_internal::KeptRows;
  using store_internal::WriteTransaction;
  RequestBuilder b("lw-3");
  writer().Begin();
  WriteOk(b.Create());
  writer().Commit();
  auto commit = [&](KeptRows kept) {
    WriteTransaction tx(*conn_, kept);
    conn_->sql() << "CREATE TABLE elsewhere (x)";  // a write the version counts
    conn_->sql() << "DROP TABLE elsewhere";
    tx.Commit();
  };
  commit(KeptRows::kUntouched);
  writer().Begin();
  EXPECT_TRUE(writer().last_writes().HistoryHead("lw-3").has_value());
  EXPECT_EQ(tally_.forgets.load(), 0u);
  writer().Rollback();

  // Another connection's commit before it: the carried version would hide it.
  SqliteExec(db_.sqlite_path(), "CREATE TABLE theirs (x); DROP TABLE theirs");
  commit(KeptRows::kUntouched);
  writer().Begin();
  EXPECT_EQ(writer().last_writes().HistoryHead("lw-3"), std::nullopt);
  EXPECT_EQ(tally_.forgets.load(), 1u);
  WriteOk(b.Step("transmit", "transmitted", Phase::kTransmission));
  writer().Commit();

  commit(KeptRows::kMayChange);
  writer().Begin();
  EXPECT_EQ(writer().last_writes().HistoryHead("lw-3"), std::nullopt);
  EXPECT_EQ(tally_.forgets.load(), 2u);
  writer().Rollback();
}

}  // namespace
}  // namespace rogatory::testing
