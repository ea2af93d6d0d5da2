// CONTRACT §9 on every store: the statistics the steps keep incrementally agree, figure by
// figure, with the same statistics recomputed from the histories (Engine::RebuildStats), after
// random walks that create, move, extend, lapse, return and reassign requests; and the simple
// figures agree with a count over the requests themselves.
#include <random>
#include <thread>
#include <vector>

#include "stats_test_fixture.h"

namespace rogatory::testing {
namespace {

TEST_P(StatsStoreTest, IncrementalFiguresEqualTheRebuildAfterRandomWalks) {
  for (unsigned seed : {1u, 2u, 3u}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    RandomWalk(seed, 150, 30);
    ExpectIncrementalEqualsRebuild();
  }
  // The walks reached every kind of figure (else the comparison proves little).
  const nlohmann::json all = Stats(Auditor())["workflows"][0];
  EXPECT_GT(all["lapses"]["recognition"].get<int>(), 0) << all.dump(1);
  EXPECT_GT(all["outcomes"]["refused"].get<int>(), 0) << all.dump(1);
  EXPECT_GT(all["durations"][0]["count"].get<int>(), 0) << all.dump(1);
  EXPECT_GT(all["durations"][1]["count"].get<int>(), 0) << all.dump(1);
  EXPECT_FALSE(all["by_counterpart"].empty()) << all.dump(1);
  int64_t grounds = 0;
  for (const auto& [ground, n] : all["breakdowns"]["refusal_ground"].items()) {
    grounds += n.get<int64_t>();
  }
  EXPECT_EQ(grounds, all["outcomes"]["refused"].get<int64_t>()) << all.dump(1);
}

// The same after steps fired from eight threads at once, so that the durable stores commit them
// in shared batches, whose counters are summed per batch and written in key order
// (StatsWriter::Defer).
TEST_P(StatsStoreTest, IncrementalFiguresEqualTheRebuildAfterConcurrentSteps) {
  constexpr int kThreads = 8;
  constexpr int kRequestsEach = 3;
  constexpr int kStepsEach = 40;
  std::vector<std::vector<RequestId>> owned(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kRequestsEach; ++i) {
      CreateCall call;
      call.workflow = "stats_mla";
      auto r = engine_->Create(call, Of(kAuthorities[(t + i) % 2]));
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      owned[t].push_back(r->id);
    }
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(100 + t);
      for (int i = 0; i < kStepsEach && !HasFatalFailure(); ++i) {
        RandomStep(rng, owned[t][rng() % owned[t].size()], i);
      }
    });
  }
  for (std::thread& th : threads) th.join();
  ASSERT_FALSE(HasFatalFailure());
  ExpectIncrementalEqualsRebuild();
  // The steps reached outcomes (else the comparison proves little).
  const nlohmann::json all = Stats(Auditor())["workflows"][0];
  int64_t closed = 0;
  for (const auto& [outcome, count] : all["outcomes"].items()) closed += count.get<int64_t>();
  EXPECT_GT(closed, 0) << all.dump(1);
}

// The simple figures, checked against the requests themselves (not the same code path).
TEST_P(StatsStoreTest, CountsMatchTheRequestsEachScopeMaySee) {
  RandomWalk(7, 200, 40);
  // (who asks for the statistics, who lists the same requests): each counts what it may list.
  std::vector<std::pair<Actor, Actor>> actors = {{Auditor(), Auditor()}};
  for (const std::string& a : kAuthorities) actors.push_back({Of(a), Of(a)});
  for (const auto& [actor, lister] : actors) {
    SCOPED_TRACE(actor.id);
    std::map<std::string, int64_t> by_state, by_phase;
    int64_t total = 0, closed = 0, overdue = 0;
    const TimePoint now = clock_->Now();
    RequestQuery q;
    q.limit = 1000;
    auto page = engine_->List(q, lister);
    ASSERT_TRUE(page.ok());
    ASSERT_TRUE(page->next.empty());
    for (const Request& r : page->items) {
      ++total;
      by_state[r.state] += 1;
      by_phase[PhaseName(r.phase)] += 1;
      if (r.state == "executed" || r.state == "refused" || r.state == "withdrawn") ++closed;
      if (r.IsOverdue(now)) ++overdue;
    }
    const nlohmann::json w = Stats(actor)["workflows"][0];
    EXPECT_EQ(w["total"].get<int64_t>(), total);
    EXPECT_EQ(w["closed"].get<int64_t>(), closed);
    EXPECT_EQ(w["open"].get<int64_t>(), total - closed);
    EXPECT_EQ(w["overdue"].get<int64_t>(), overdue);
    for (const auto& [state, n] : by_state) EXPECT_EQ(w["by_state"][state].get<int64_t>(), n);
    for (const auto& [phase, n] : by_phase) EXPECT_EQ(w["by_phase"][phase].get<int64_t>(), n);
  }
}

// Regression: an admin without an authority lists no request (CONTRACT §8) yet counted every
// one; the statistics cover exactly what the caller may list.
TEST_P(StatsStoreTest, AdminWithoutAuthorityCountsNothing) {
  RandomWalk(3, 20, 5);
  RequestQuery q;
  auto page = engine_->List(q, Admin());
  EXPECT_TRUE(!page.ok() || page->items.empty());
  EXPECT_EQ(Stats(Admin())["workflows"], nlohmann::json::array());
  EXPECT_FALSE(Stats(Auditor())["workflows"].empty());
}

// A clock past due that the scheduler has not lapsed yet counts as overdue at once.
TEST_P(StatsStoreTest, ARunningClockPastDueIsOverdueBeforeItLapses) {
  CreateCall call;
  call.workflow = "stats_mla";
  auto r = engine_->Create(call, Of("fr.pnf"));
  ASSERT_TRUE(r.ok());
  EventCall transmit;
  transmit.event = "transmit";
  transmit.parties = {{"executing", "de.sta"}};
  ASSERT_TRUE(engine_->Fire(r->id, transmit, Of("fr.pnf")).ok());
  EXPECT_EQ(Stats(Auditor())["workflows"][0]["overdue"], 0);
  clock_->Advance(std::chrono::hours(24 * 31));
  EXPECT_EQ(Stats(Auditor())["workflows"][0]["overdue"], 1);
  EXPECT_EQ(Stats(Of("de.sta"))["workflows"][0]["overdue"], 1);
  EXPECT_EQ(Stats(Of("it.pm"))["workflows"][0]["overdue"], 0);
  RunScheduler();  // lapsed now: still overdue, counted once
  const nlohmann::json w = Stats(Auditor())["workflows"][0];
  EXPECT_EQ(w["overdue"], 1);
  EXPECT_EQ(w["lapses"]["recognition"], 1);
}

TEST_P(StatsStoreTest, BadCallsAreRefused) {
  EXPECT_EQ(engine_->Stats({"", "2026-02-30", ""}, Auditor()).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(engine_->Stats({"", "2026-03-05", "2026-03-01"}, Auditor()).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(engine_->Stats({"nope", "", ""}, Auditor()).status().code(), StatusCode::kNotFound);
  // An actor with neither an authority nor a global role sees no request: no workflow listed.
  auto none = engine_->Stats({}, Actor{"x", {"clerk"}, ""});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE((*none)["workflows"].empty());
}

INSTANTIATE_TEST_SUITE_P(Stores, StatsStoreTest,
                         ::testing::Values(StoreKind::kMemory, StoreKind::kSqlite,
                                           StoreKind::kPostgres),
                         [](const ::testing::TestParamInfo<StoreKind>& info) {
                           return StoreKindName(info.param);
                         });

}  // namespace
}  // namespace rogatory::testing
