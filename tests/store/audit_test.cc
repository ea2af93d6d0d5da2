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
    for (int i = 0; i < 8; ++i) {
      builders.emplace_back("w-" + std::to_string(i));
      ASSERT_TRUE(db_.store().Apply(builders.back().Create()).ok());
    }
    for (int n = 0; !stop.load(); ++n) {
      RequestBuilder& b = builders[static_cast<size_t>(n) % builders.size()];
      ASSERT_TRUE(db_.store().Apply(b.Step("note", "draft", Phase::kDrafting)).ok());
      steps.fetch_add(1);
    }
  });
  int audits = 0;
  int64_t last_entries = 0;
  // At least 20 audits, and until the writer has committed steps in between.
  while (audits < 20 || steps.load() < 200) {
    Result<AuditReport> report = AuditHistories(db_.store());
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_FALSE(report->broken.has_value()) << report->broken->message;
    EXPECT_TRUE(report->one_pass);
    EXPECT_GE(report->entries, last_entries);
    last_entries = report->entries;
    ++audits;
  }
  stop.store(true);
  writer.join();
  EXPECT_GT(last_entries, 12);  // the audits saw the writer's steps
}

}  // namespace
}  // namespace rogatory::testing
