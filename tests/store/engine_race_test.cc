// The engine's races on every store, forced to happen (InterleavingStore) or raced by real
// threads: a lapse whose transition fails while the request moves on, a clock restarted under a
// lapse, and concurrent repeats of one idempotent event.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "interleaving_store.h"
#include "race_workflow.h"
#include "rogatory/definition_loader.h"
#include "rogatory/engine.h"
#include "store_test_util.h"

namespace rogatory::testing {
namespace {

class EngineRaceTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  void SetUp() override {
    db_ = std::make_unique<TestStore>(GetParam());
    ASSERT_TRUE(db_->status().ok()) << db_->status().ToString();
    store_ = std::make_shared<InterleavingStore>(db_->shared());
    engine_ = std::make_unique<Engine>(EngineOptions{store_, clock_});
    LoadReport report = ParseDefinition(kRaceWorkflow, "race.yaml");
    ASSERT_TRUE(report.ok()) << report.ErrorText();
    Status s = engine_->LoadDefinition(report.definitions.front());
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  Result<Request> Fire(const RequestId& id, const std::string& event, const std::string& key = "",
                       std::optional<int64_t> expected = std::nullopt) {
    EventCall call;
    call.event = event;
    call.idempotency_key = key;
    call.expected_revision = expected;
    return engine_->Fire(id, call, Clerk());
  }

  // A request in `transmitted` with its `answer` clock running.
  Request Transmitted() {
    CreateCall call;
    call.workflow = "race_mla";
    call.data = {{"issuing_state", "AT"}};
    Result<Request> r = engine_->Create(call, Clerk());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    Result<Request> t = Fire(r->id, "transmit");
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return *t;
  }

  std::shared_ptr<ManualClock> clock_ =
      std::make_shared<ManualClock>(ParseRfc3339("2026-03-02T09:00:00Z").value());
  std::unique_ptr<TestStore> db_;
  std::shared_ptr<InterleavingStore> store_;
  std::unique_ptr<Engine> engine_;
};

TEST_P(EngineRaceTest, LapseFallbackNeverWritesAStaleStateOverAConcurrentMove) {
  Request r = Transmitted();
  const TimePoint due = r.deadlines.at(0).due_at;
  clock_->Advance(std::chrono::hours(2));
  // The lapse's transition fails (no `reason`); before its record-only step lands, another
  // caller executes the request (the clock keeps running: `execute` does not stop it).
  store_->InterleaveOnce([&] { ASSERT_TRUE(Fire(r.id, "execute").ok()); });
  Result<std::optional<Request>> lapsed = engine_->ExpireDeadline(r.id, "answer", due);
  ASSERT_TRUE(lapsed.ok()) << lapsed.status().ToString();
  ASSERT_TRUE(lapsed->has_value());
  EXPECT_EQ((*lapsed)->state, "executing");
  Result<Request> now = engine_->Get(r.id);
  EXPECT_EQ(now->state, "executing");
  EXPECT_EQ(now->phase, Phase::kExecution);
  ASSERT_EQ(now->deadlines.size(), 1u);  // kept, lapsed (CONTRACT §7)
  EXPECT_TRUE(now->deadlines[0].lapsed);
  Result<std::vector<HistoryEntry>> h = engine_->History(r.id);
  ASSERT_EQ(h->size(), 4u);
  EXPECT_EQ(h->at(2).event, "execute");
  EXPECT_EQ(h->at(3).event, "answer_overdue");
  EXPECT_EQ(h->at(3).from_state, "executing");
  EXPECT_EQ(h->at(3).to_state, "executing");
  EXPECT_TRUE(engine_->VerifyHistory(r.id).ok());
}

TEST_P(EngineRaceTest, LapseFallbackKeepsAClockRestartedMeanwhile) {
  Request r = Transmitted();
  const TimePoint due = r.deadlines.at(0).due_at;
  clock_->Advance(std::chrono::hours(2));
  // Meanwhile a reminder restarts the clock: it is due an hour from now, not lapsed.
  store_->InterleaveOnce([&] { ASSERT_TRUE(Fire(r.id, "remind").ok()); });
  Result<std::optional<Request>> lapsed = engine_->ExpireDeadline(r.id, "answer", due);
  ASSERT_TRUE(lapsed.ok()) << lapsed.status().ToString();
  EXPECT_FALSE(lapsed->has_value());
  Result<Request> now = engine_->Get(r.id);
  EXPECT_EQ(now->state, "transmitted");
  EXPECT_EQ(now->revision, 3);  // create, transmit, remind: no lapse recorded
  ASSERT_EQ(now->deadlines.size(), 1u);
  EXPECT_EQ(now->deadlines[0].due_at, clock_->Now() + std::chrono::hours(1));
}

TEST_P(EngineRaceTest, RepeatOfAnIdempotentEventDuringTheFirstReturnsItsAnswer) {
  Request r = Transmitted();
  // The repeat commits while the first call is about to write: the first loses on the
  // revision and must answer with the stored result, as any later repeat does.
  Result<Request> repeat = AbortedError("not run");
  store_->InterleaveOnce([&] { repeat = Fire(r.id, "execute", "exec-1"); });
  Result<Request> first = Fire(r.id, "execute", "exec-1");
  ASSERT_TRUE(repeat.ok()) << repeat.status().ToString();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->revision, repeat->revision);
  EXPECT_EQ(first->head_hash, repeat->head_hash);
  EXPECT_EQ(engine_->Get(r.id)->revision, 3);
}

TEST_P(EngineRaceTest, RepeatThatFindsTheRequestAlreadyMovedReturnsTheFirstAnswer) {
  // The repeat passed its replay check; the first commits before the repeat reads the request,
  // so the repeat finds it moved on (stale revision, or `execute` no longer allowed) and must
  // still answer as the first did.
  for (std::optional<int64_t> expected : {std::optional<int64_t>(2), std::optional<int64_t>()}) {
    Request r = Transmitted();
    const std::string key = expected ? "exec-rev" : "exec-any";
    Result<Request> first = AbortedError("not run");
    store_->InterleaveOnce([&] { first = Fire(r.id, "execute", key, expected); }, 1);
    Result<Request> repeat = Fire(r.id, "execute", key, expected);
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    ASSERT_TRUE(repeat.ok()) << repeat.status().ToString();
    EXPECT_EQ(first->revision, repeat->revision);
    EXPECT_EQ(engine_->Get(r.id)->revision, 3);
  }
}

TEST_P(EngineRaceTest, ConcurrentRepeatsOfAnIdempotentEventAllGetTheOneAnswer) {
  for (int round = 0; round < 5; ++round) {
    Request r = Transmitted();
    constexpr int kThreads = 6;
    std::vector<Result<Request>> answers(kThreads, AbortedError("not run"));
    std::vector<std::thread> threads;
    std::atomic<bool> go{false};
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        while (!go.load()) std::this_thread::yield();
        answers[static_cast<size_t>(i)] = Fire(r.id, "execute", "k-" + std::to_string(round));
      });
    }
    go = true;
    for (auto& t : threads) t.join();
    for (const auto& a : answers) {
      ASSERT_TRUE(a.ok()) << a.status().ToString();
      EXPECT_EQ(a->revision, 3);
      EXPECT_EQ(a->state, "executing");
    }
    EXPECT_EQ(engine_->Get(r.id)->revision, 3);
    EXPECT_TRUE(engine_->VerifyHistory(r.id).ok());
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, EngineRaceTest,
                         ::testing::Values(StoreKind::kMemory, StoreKind::kSqlite,
                                           StoreKind::kPostgres),
                         [](const ::testing::TestParamInfo<StoreKind>& info) {
                           return StoreKindName(info.param);
                         });

}  // namespace
}  // namespace rogatory::testing
