// CONTRACT §9 on every store: the statistics the steps keep incrementally agree, figure by
// figure, with the same statistics recomputed from the histories (Engine::RebuildStats), after
// random walks that create, move, extend, lapse, return and reassign requests; and the simple
// figures agree with a count over the requests themselves.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "rogatory/definition_loader.h"
#include "rogatory/engine.h"
#include "store_test_util.h"

namespace rogatory::testing {
namespace {

const std::vector<std::string> kAuthorities = {"fr.pnf", "de.sta", "it.pm"};

Actor Of(const std::string& authority) {
  return Actor{"clerk@" + authority, {"issuing_authority", "executing_authority"}, authority};
}
// Who counts every request: the auditor (an admin without an authority lists, and so counts,
// none; AdminWithoutAuthorityCountsNothing).
Actor Auditor() { return Actor{"audit", {"auditor"}, ""}; }
Actor Admin() { return Actor{"admin", {"admin"}, ""}; }

class StatsStoreTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  void SetUp() override {
    db_ = std::make_unique<TestStore>(GetParam());
    ASSERT_TRUE(db_->status().ok()) << db_->status().ToString();
    EngineOptions o{db_->shared(), clock_};
    o.authorities = {{"fr.pnf", "Parquet national financier", "FR"},
                     {"de.sta", "Staatsanwaltschaft Berlin", "DE"},
                     {"it.pm", "Procura di Milano", "IT"}};
    engine_ = std::make_unique<Engine>(std::move(o));
    LoadReport report = LoadDefinitions({std::string(ROGATORY_FIXTURES_DIR) + "/stats"});
    ASSERT_TRUE(report.ok()) << report.ErrorText();
    for (const WorkflowDefinition& def : report.definitions) {
      ASSERT_TRUE(engine_->LoadDefinition(def).ok());
    }
  }

  // Lapses every clock due now, as the scheduler does.
  void RunScheduler() {
    auto due = db_->store().ClaimDueDeadlines(clock_->Now(), "test", std::chrono::minutes(1), 1000);
    ASSERT_TRUE(due.ok()) << due.status().ToString();
    for (const DueDeadline& d : *due) {
      auto r = engine_->ExpireDeadline(d.request_id, d.name, d.due_at);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
    }
  }

  // `steps` random steps over up to `requests` requests, advancing the clock by up to 20 days
  // now and then.
  void RandomWalk(unsigned seed, int steps, int requests) {
    std::mt19937 rng(seed);
    auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
    std::vector<RequestId> ids;
    for (int i = 0; i < steps; ++i) {
      if (pick(6) == 0) {
        clock_->Advance(std::chrono::hours(static_cast<int>(pick(20 * 24))));
        RunScheduler();
      }
      if (ids.size() < static_cast<size_t>(requests) && (ids.empty() || pick(3) == 0)) {
        CreateCall call;
        call.workflow = "stats_mla";
        if (pick(2) == 0) call.data = {{"requested_state", pick(2) == 0 ? "ES" : "PL"}};
        auto r = engine_->Create(call, Of(kAuthorities[pick(2)]));
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        ids.push_back(r->id);
        continue;
      }
      const RequestId& id = ids[pick(ids.size())];
      auto r = engine_->Get(id);
      ASSERT_TRUE(r.ok());
      std::vector<std::string> parties;
      for (const auto& [side, authority] : r->parties) parties.push_back(authority);
      const Actor actor = Of(parties[pick(parties.size())]);
      auto events = engine_->AvailableEvents(id, actor);
      ASSERT_TRUE(events.ok()) << events.status().ToString();
      if (events->empty()) continue;
      const AvailableEvent& e = (*events)[pick(events->size())];
      EventCall call;
      call.event = e.event;
      if (e.event == "refuse") {
        const char* grounds[] = {"dual_criminality", "ne_bis_in_idem", "sovereignty"};
        call.data = {{"refusal_ground", grounds[pick(3)]}};
      }
      if (e.event == "note") call.data = {{"note", "n" + std::to_string(i)}};
      for (const std::string& side : e.assign) {
        std::string other;
        do {
          other = kAuthorities[pick(kAuthorities.size())];
        } while (other == r->parties.at("issuing"));
        call.parties[side] = other;
      }
      auto fired = engine_->Fire(id, call, actor);
      // A clock extended once cannot be extended again: offered, but refused.
      if (!fired.ok() && fired.status().code() == StatusCode::kFailedPrecondition) continue;
      ASSERT_TRUE(fired.ok()) << e.event << ": " << fired.status().ToString();
    }
  }

  nlohmann::json Stats(const Actor& actor, StatsCall call = {}) {
    auto s = engine_->Stats(call, actor);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? *s : nlohmann::json();
  }

  // Every scope and a few creation-day ranges.
  std::vector<nlohmann::json> AllViews() {
    std::vector<nlohmann::json> out;
    std::vector<Actor> actors = {Admin(), Auditor()};
    for (const std::string& a : kAuthorities) actors.push_back(Of(a));
    const std::vector<std::pair<std::string, std::string>> ranges = {
        {"", ""}, {"2026-03-02", "2026-03-20"}, {"2026-03-21", ""}, {"", "2026-04-30"}};
    for (const Actor& actor : actors) {
      for (const auto& [from, to] : ranges) out.push_back(Stats(actor, {"", from, to}));
    }
    return out;
  }

  std::shared_ptr<ManualClock> clock_ =
      std::make_shared<ManualClock>(ParseRfc3339("2026-03-02T09:00:00Z").value());
  std::unique_ptr<TestStore> db_;
  std::unique_ptr<Engine> engine_;
};

TEST_P(StatsStoreTest, IncrementalFiguresEqualTheRebuildAfterRandomWalks) {
  for (unsigned seed : {1u, 2u, 3u}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    RandomWalk(seed, 150, 30);
    const std::vector<nlohmann::json> incremental = AllViews();
    auto n = engine_->RebuildStats();
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    const std::vector<nlohmann::json> rebuilt = AllViews();
    ASSERT_EQ(incremental.size(), rebuilt.size());
    for (size_t i = 0; i < incremental.size(); ++i) {
      EXPECT_EQ(incremental[i], rebuilt[i]) << "view " << i << "\nincremental:\n"
                                            << incremental[i].dump(1) << "\nrebuilt:\n"
                                            << rebuilt[i].dump(1);
    }
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
