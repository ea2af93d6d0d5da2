// Whole-day clocks (CONTRACT §7 `counting: days`) through the engine on the memory, SQLite and
// PostgreSQL stores: the due time computed in the engine's time zone is what the store keeps,
// gives back after a restart and claims as due, not a microsecond earlier.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine_on_store_test.h"
#include "rogatory/definition_loader.h"
#include "rogatory/engine.h"
#include "rogatory/time_zone.h"
#include "store_test_util.h"

namespace rogatory::testing {
namespace {

class StoreDaysTest : public EngineOnStoreTest {
 protected:
  StoreDaysTest() : EngineOnStoreTest(At("2026-03-19T10:00:00+01:00")) {}

  // Whole days count in Paris time.
  EngineOptions Options() override {
    Result<TimeZone> paris = TimeZone::Find("Europe/Paris");
    EXPECT_TRUE(paris.ok()) << paris.status().ToString();
    return EngineOptions{db_->shared(), clock_, paris.ok() ? *paris : TimeZone()};
  }
  std::vector<WorkflowDefinition> Definitions() override {
    return Load({std::string(ROGATORY_FIXTURES_DIR) + "/days/workflows/whole_days.yaml"});
  }

  RequestId MustCreate() {
    CreateCall call;
    call.workflow = "whole_days";
    Result<Request> r = engine_->Create(call, clerk_);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->id : RequestId();
  }

  void MustFire(const RequestId& id, const char* event) {
    EventCall call;
    call.event = event;
    Result<Request> r = engine_->Fire(id, call, clerk_);
    ASSERT_TRUE(r.ok()) << event << ": " << r.status().ToString();
  }

  DeadlineState Clock(const RequestId& id, const char* name) {
    Result<Request> r = engine_->Get(id);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    const DeadlineState* d = r.ok() ? r->FindDeadline(name) : nullptr;
    EXPECT_NE(d, nullptr) << name;
    return d == nullptr ? DeadlineState{} : *d;
  }

  // The clocks the store hands out as due at `now`.
  std::vector<DueDeadline> Claim(TimePoint now) {
    auto due = db_->shared()->ClaimDueDeadlines(now, "t", std::chrono::seconds(1), 10);
    EXPECT_TRUE(due.ok()) << due.status().ToString();
    return due.ok() ? *due : std::vector<DueDeadline>{};
  }

  Actor clerk_{"clara.clerk", {"clerk"}, ""};
};

TEST_P(StoreDaysTest, DueTimeOnADaylightSavingDayRoundTripsAndIsClaimedAtLocalMidnight) {
  const RequestId id = MustCreate();
  MustFire(id, "receive");
  const TimePoint due = At("2026-03-29T22:00:00Z");  // 24:00 CEST on 29 March
  EXPECT_EQ(FormatRfc3339(Clock(id, "decide_10d").due_at), FormatRfc3339(due));
  Restart();
  EXPECT_EQ(Clock(id, "decide_10d").due_at, due);
  EXPECT_TRUE(Claim(due - Duration(1)).empty());
  std::vector<DueDeadline> claimed = Claim(due);
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].due_at, due);
  clock_->Set(due);
  auto lapsed = engine_->ExpireDeadline(id, "decide_10d", due);
  ASSERT_TRUE(lapsed.ok()) << lapsed.status().ToString();
  EXPECT_TRUE(lapsed->has_value());
}

TEST_P(StoreDaysTest, ExtendedMonthEndClockRoundTrips) {
  clock_->Set(At("2026-01-31T12:00:00Z"));
  const RequestId id = MustCreate();
  MustFire(id, "start_month");
  MustFire(id, "receive");
  MustFire(id, "extend_decision");
  Restart();
  EXPECT_EQ(FormatRfc3339(Clock(id, "month_1m").due_at), "2026-02-28T23:00:00.000Z");
  // 31 January + 10 days ends with 10 February, + 5 days with 15 February (CET).
  EXPECT_EQ(FormatRfc3339(Clock(id, "decide_10d").due_at), "2026-02-15T23:00:00.000Z");
  EXPECT_TRUE(Clock(id, "decide_10d").extended);
}

INSTANTIATE_TEST_SUITE_P(Stores, StoreDaysTest,
                         ::testing::Values(StoreKind::kMemory, StoreKind::kSqlite,
                                           StoreKind::kPostgres),
                         [](const ::testing::TestParamInfo<StoreKind>& info) {
                           return StoreKindName(info.param);
                         });

}  // namespace
}  // namespace rogatory::testing
