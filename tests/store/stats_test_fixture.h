// The statistics tests' fixture (stats_test.cc, stats_rollup_test.cc): an engine on one store
// with three authorities and the `stats_mla` workflow, a scheduler run, random walks of steps.
#ifndef ROGATORY_TESTS_STORE_STATS_TEST_FIXTURE_H_
#define ROGATORY_TESTS_STORE_STATS_TEST_FIXTURE_H_

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "rogatory/definition_loader.h"
#include "rogatory/engine.h"
#include "store_test_util.h"

namespace rogatory::testing {

inline const std::vector<std::string> kAuthorities = {"fr.pnf", "de.sta", "it.pm"};

inline Actor Of(const std::string& authority) {
  return Actor{"clerk@" + authority, {"issuing_authority", "executing_authority"}, authority};
}
// Who counts every request: the auditor (an admin without an authority lists, and so counts,
// none; AdminWithoutAuthorityCountsNothing).
inline Actor Auditor() { return Actor{"audit", {"auditor"}, ""}; }
inline Actor Admin() { return Actor{"admin", {"admin"}, ""}; }

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
      RandomStep(rng, ids[pick(ids.size())], i);
      if (HasFatalFailure()) return;
    }
  }

  // Every view of the statistics kept step by step equals the same view after rebuilding them
  // from the histories (Engine::RebuildStats).
  void ExpectIncrementalEqualsRebuild() {
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

  // Fires one of the events a party of request `id` may fire now, with what it needs (a refusal
  // ground, a note, a new authority for a side it assigns); `i` numbers notes. Thread-safe
  // (each caller its own `rng`), so concurrent callers make the store batch their steps.
  void RandomStep(std::mt19937& rng, const RequestId& id, int i) {
    auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
    auto r = engine_->Get(id);
    ASSERT_TRUE(r.ok());
    std::vector<std::string> parties;
    for (const auto& [side, authority] : r->parties) parties.push_back(authority);
    const Actor actor = Of(parties[pick(parties.size())]);
    auto events = engine_->AvailableEvents(id, actor);
    ASSERT_TRUE(events.ok()) << events.status().ToString();
    if (events->empty()) return;
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
    if (!fired.ok() && fired.status().code() == StatusCode::kFailedPrecondition) return;
    ASSERT_TRUE(fired.ok()) << e.event << ": " << fired.status().ToString();
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

}  // namespace rogatory::testing

#endif  // ROGATORY_TESTS_STORE_STATS_TEST_FIXTURE_H_
