// Guarded transitions (CONTRACT §7) through the engine on the memory, SQLite and PostgreSQL
// stores: the first alternative whose `when` holds fires, the event's data may decide, none
// holding is refused and changes nothing, the offered events follow the guards, and a lapse
// picks its alternative the same way, also after a restart.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine_on_store_test.h"
#include "rogatory/definition_loader.h"
#include "rogatory/engine.h"
#include "store_test_util.h"

namespace rogatory::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

Actor Authority() { return Actor{"rita.requested", {"requested_authority"}, ""}; }

class StoreGuardTest : public EngineOnStoreTest {
 protected:
  std::vector<WorkflowDefinition> Definitions() override {
    return Load({std::string(ROGATORY_FIXTURES_DIR) + "/guards/provisional_arrest.yaml"});
  }

  Request MustCreate(nlohmann::json data) {
    CreateCall call;
    call.workflow = "provisional_arrest";
    call.data = std::move(data);
    Result<Request> r = engine_->Create(call, Authority());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : Request{};
  }

  Result<Request> Fire(const RequestId& id, const std::string& event,
                       nlohmann::json data = nlohmann::json::object()) {
    EventCall call;
    call.event = event;
    call.data = std::move(data);
    return engine_->Fire(id, call, Authority());
  }
};

TEST_P(StoreGuardTest, TheFirstAlternativeWhoseWhenHoldsFires) {
  Request ece = MustCreate({{"country", "FR"}, {"legal_basis", "ece_1957"}});
  Result<Request> r = Fire(ece.id, "arrest");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->state, "provisional_arrest");
  ASSERT_EQ(r->deadlines.size(), 1u);
  EXPECT_EQ(r->deadlines[0].name, "provisional_18d");

  // The second alternative: no clock, and it requires a warrant reference.
  Request bilateral = MustCreate({{"country", "IQ"}, {"legal_basis", "bilateral"}});
  r = Fire(bilateral.id, "arrest");
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("requires field 'warrant_ref'"));
  r = Fire(bilateral.id, "arrest", {{"warrant_ref", "IQ-7"}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->state, "provisional_arrest");
  EXPECT_THAT(r->deadlines, IsEmpty());
}

TEST_P(StoreGuardTest, TheEventsDataMayBringTheDecidingValue) {
  Request req = MustCreate({{"country", "FR"}, {"legal_basis", "reciprocity"}});
  Result<Request> r = Fire(req.id, "arrest", {{"legal_basis", "ece_1957"}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->data["legal_basis"], "ece_1957");
  EXPECT_EQ(r->deadlines.size(), 1u);
}

TEST_P(StoreGuardTest, NoAlternativeHoldingIsRefusedAndChangesNothing) {
  Request req = MustCreate({{"country", "FR"}, {"legal_basis", "ece_1957"}});
  Result<Request> r = Fire(req.id, "count_persons", {{"persons", 11}});
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(), HasSubstr("event 'count_persons'"));
  Result<Request> now = engine_->Get(req.id);
  ASSERT_TRUE(now.ok());
  EXPECT_EQ(now->revision, 1);
  EXPECT_FALSE(now->data.contains("persons"));
  r = Fire(req.id, "count_persons", {{"persons", 2}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->state, "requested");
  EXPECT_EQ(r->revision, 2);
}

TEST_P(StoreGuardTest, OfferedEventsFollowTheGuardsAndTheirAlternativesRequirements) {
  Request req = MustCreate({{"country", "IQ"}, {"legal_basis", "bilateral"}});
  auto events = engine_->AvailableEvents(req.id, Authority());
  ASSERT_TRUE(events.ok());
  std::vector<std::string> names;
  for (const auto& e : *events) {
    names.push_back(e.event);
    if (e.event == "arrest") {
      EXPECT_THAT(e.missing, ElementsAre("warrant_ref"));
    }
  }
  // count_persons is not offered: persons is unset, so its only alternative does not hold.
  EXPECT_THAT(names, ElementsAre("arrest", "release"));

  Request ece = MustCreate({{"country", "FR"}, {"legal_basis", "ece_1957"}, {"persons", 3}});
  events = engine_->AvailableEvents(ece.id, Authority());
  ASSERT_TRUE(events.ok());
  names.clear();
  for (const auto& e : *events) {
    names.push_back(e.event);
    if (e.event == "arrest") {
      EXPECT_THAT(e.missing, IsEmpty());
    }
  }
  EXPECT_THAT(names, ElementsAre("arrest", "count_persons", "release"));
}

TEST_P(StoreGuardTest, ALapsePicksItsAlternativeOnTheRequestsDataAcrossARestart) {
  Request held = MustCreate({{"country", "FR"}, {"legal_basis", "ece_1957"}});
  ASSERT_TRUE(Fire(held.id, "arrest").ok());
  Request free = MustCreate({{"country", "FR"}, {"legal_basis", "ece_1957"}});
  ASSERT_TRUE(Fire(free.id, "arrest", {{"in_custody", false}}).ok());
  Restart();
  clock_->Advance(std::chrono::hours(24 * 18));
  EXPECT_EQ(Lapse(), 2);
  Result<Request> r = engine_->Get(held.id);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->state, "released");
  r = engine_->Get(free.id);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->state, "provisional_arrest");  // the unguarded alternative stays
  auto history = engine_->History(free.id);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->back().event, "provisional_lapsed");
  EXPECT_EQ(history->back().actor, "system");
  EXPECT_TRUE(engine_->VerifyHistory(free.id).ok());
}

TEST_P(StoreGuardTest, ADatetimeIsStoredInUtcAndComparedAsAnInstantAfterARestart) {
  Request req = MustCreate({{"country", "FR"},
                            {"legal_basis", "ece_1957"},
                            {"arrested_at", "2026-03-02T10:00:00+01:00"}});
  EXPECT_EQ(req.data["arrested_at"], "2026-03-02T09:00:00.000Z");
  Result<Request> r = Fire(req.id, "arrest", {{"arrested_at", "2026-03-02T06:30:00-05:00"}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  Restart();
  r = engine_->Get(req.id);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->data["arrested_at"], "2026-03-02T11:30:00.000Z");
  auto history = engine_->History(req.id);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->back().data["arrested_at"], "2026-03-02T11:30:00.000Z");
  EXPECT_TRUE(engine_->VerifyHistory(req.id).ok());
  EXPECT_EQ(Fire(req.id, "surrender", {{"arrested_at", "2026-03-02T11:30:00"}}).status().code(),
            StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Stores, StoreGuardTest,
                         ::testing::Values(StoreKind::kMemory, StoreKind::kSqlite,
                                           StoreKind::kPostgres),
                         [](const ::testing::TestParamInfo<StoreKind>& info) {
                           return StoreKindName(info.param);
                         });

}  // namespace
}  // namespace rogatory::testing
