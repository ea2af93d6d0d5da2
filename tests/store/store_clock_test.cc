// Clocks of CONTRACT §7 through the engine on the memory, SQLite and PostgreSQL stores: a
// lapsed clock stays on the request and in the overdue list, is never claimed again and is
// revived by an extension; `from_field` and `while` clocks follow the data and the states,
// also after a restart (they are plain deadline rows).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine_on_store_test.h"
#include "rogatory/definition_loader.h"
#include "rogatory/engine.h"
#include "store_test_util.h"

namespace rogatory::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

Actor Executing() { return Actor{"eve.executing", {"executing_authority"}}; }
Actor Issuing() { return Actor{"ian.issuing", {"issuing_authority"}}; }

class StoreClockTest : public EngineOnStoreTest {
 protected:
  std::vector<WorkflowDefinition> Definitions() override {
    return Load({std::string(ROGATORY_FIXTURES_DIR) + "/clocks/surrender.yaml"});
  }

  RequestId MustCreate(nlohmann::json data = nlohmann::json::object()) {
    CreateCall call;
    call.workflow = "surrender";
    call.data = std::move(data);
    Result<Request> r = engine_->Create(call, Executing());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->id : RequestId();
  }

  Request MustFire(const RequestId& id, const std::string& event, const Actor& actor = Executing(),
                   nlohmann::json data = nlohmann::json::object()) {
    EventCall call;
    call.event = event;
    call.data = std::move(data);
    Result<Request> r = engine_->Fire(id, call, actor);
    EXPECT_TRUE(r.ok()) << event << ": " << r.status().ToString();
    return r.ok() ? *r : Request{};
  }

  std::vector<RequestId> Overdue() {
    RequestQuery q;
    q.overdue_only = true;
    Result<RequestPage> page = engine_->List(q);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    std::vector<RequestId> ids;
    if (page.ok()) {
      for (const auto& r : page->items) ids.push_back(r.id);
    }
    return ids;
  }

  DeadlineState Clock(const RequestId& id, const std::string& name) {
    Result<Request> r = engine_->Get(id);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    const DeadlineState* d = r.ok() ? r->FindDeadline(name) : nullptr;
    EXPECT_NE(d, nullptr) << name;
    return d != nullptr ? *d : DeadlineState{};
  }
};

TEST_P(StoreClockTest, ALapsedClockStaysOverdueAcrossARestartUntilExtendedOrStopped) {
  RequestId late = MustCreate();
  RequestId on_time = MustCreate();
  MustFire(late, "ask");
  MustFire(on_time, "ask");
  MustFire(on_time, "answer", Issuing());
  clock_->Advance(std::chrono::hours(24 * 6));
  ASSERT_EQ(Lapse(), 1);
  Restart();
  DeadlineState answer = Clock(late, "answer");
  EXPECT_TRUE(answer.lapsed);
  EXPECT_EQ(answer.lapsed_at, At("2026-03-08T09:00:00Z"));
  EXPECT_THAT(Overdue(), ElementsAre(late));
  EXPECT_EQ(*db_->shared()->CountOverdueDeadlines(clock_->Now()), 0);
  EXPECT_EQ(Lapse(), 0);  // never claimed again
  MustFire(late, "extend_answer");
  EXPECT_FALSE(Clock(late, "answer").lapsed);
  EXPECT_EQ(Clock(late, "answer").due_at, At("2026-03-12T09:00:00Z"));
  EXPECT_THAT(Overdue(), IsEmpty());
  clock_->Advance(std::chrono::hours(24 * 5));
  ASSERT_EQ(Lapse(), 1);
  EXPECT_THAT(Overdue(), ElementsAre(late));
  MustFire(late, "answer", Issuing());
  EXPECT_THAT(Overdue(), IsEmpty());
}

TEST_P(StoreClockTest, WhileAndFromFieldClocksFollowStatesAndDataAcrossARestart) {
  RequestId id = MustCreate();
  MustFire(id, "agree", Executing(), {{"surrender_on", "2026-03-05"}});
  EXPECT_EQ(Clock(id, "surrender_10d").due_at, At("2026-03-15T00:00:00Z"));
  Restart();
  MustFire(id, "postpone");  // between listed states: the same clock
  EXPECT_EQ(Clock(id, "surrender_10d").due_at, At("2026-03-15T00:00:00Z"));
  MustFire(id, "reschedule", Executing(), {{"surrender_on", "2026-03-09"}});
  EXPECT_EQ(Clock(id, "surrender_10d").due_at, At("2026-03-19T00:00:00Z"));
  Restart();
  clock_->Set(At("2026-03-18T23:59:59Z"));
  EXPECT_EQ(Lapse(), 0);
  clock_->Set(At("2026-03-19T00:00:00Z"));
  ASSERT_EQ(Lapse(), 1);  // in custody: released, which closes the request and its clocks
  Result<Request> r = engine_->Get(id);
  EXPECT_EQ(r->state, "released");
  EXPECT_TRUE(r->deadlines.empty());
}

TEST_P(StoreClockTest, LeavingTheWhileStatesRemovesALapsedClock) {
  RequestId id = MustCreate({{"in_custody", false}});
  MustFire(id, "agree", Executing(), {{"surrender_on", "2026-03-01"}});
  clock_->Set(At("2026-03-11T00:00:00Z"));
  ASSERT_EQ(Lapse(), 1);  // not in custody: the lapse stays in `agreed`
  EXPECT_TRUE(Clock(id, "surrender_10d").lapsed);
  EXPECT_THAT(Overdue(), ElementsAre(id));
  Request suspended = MustFire(id, "suspend");
  EXPECT_TRUE(suspended.deadlines.empty());
  EXPECT_THAT(Overdue(), IsEmpty());
}

INSTANTIATE_TEST_SUITE_P(Stores, StoreClockTest,
                         ::testing::Values(StoreKind::kMemory, StoreKind::kSqlite,
                                           StoreKind::kPostgres),
                         [](const ::testing::TestParamInfo<StoreKind>& info) {
                           return StoreKindName(info.param);
                         });

}  // namespace
}  // namespace rogatory::testing
