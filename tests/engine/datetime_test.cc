// The datetime field type (CONTRACT §7): RFC 3339 with an offset, checked on create and fire,
// kept normalised to UTC in the request's data and history, and compared as instants by guards.
#include "compiled_workflow.h"
#include "test_engine.h"

namespace rogatory::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kDateTimeWorkflow[] = R"(workflow: test_eio
version: 1
fields:
  issuing_state: {type: string, required: true}
  surrender_at:  {type: datetime}
  hearings:      {type: list, items: datetime}
  agreed_at:     {type: datetime, default: "2026-03-01T12:00:00+02:00"}
states:
  agreed:   {phase: execution, initial: true}
  early:    {phase: closure, terminal: true}
  late:     {phase: closure, terminal: true}
transitions:
  - {event: schedule, from: agreed, roles: [prosecutor]}
  - {event: surrender, from: agreed, to: early, roles: [prosecutor],
     when: {surrender_at: {lt: "2026-03-10T00:00:00+01:00"}}}
  - {event: surrender, from: agreed, to: late, roles: [prosecutor]}
)";

TEST(DateTimeFieldTest, CreateNormalisesToUtcIncludingDefaultsAndListItems) {
  TestEngine env(kDateTimeWorkflow);
  RequestId id = env.Create({{"issuing_state", "DE"},
                             {"surrender_at", "2026-03-02T10:00:00+01:00"},
                             {"hearings", {"2026-03-03T09:30:00-05:00", "2026-03-04T08:00:00Z"}}});
  Result<Request> r = env.engine().Get(id);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->data["surrender_at"], "2026-03-02T09:00:00.000Z");
  EXPECT_EQ(r->data["hearings"],
            (nlohmann::json{"2026-03-03T14:30:00.000Z", "2026-03-04T08:00:00.000Z"}));
  EXPECT_EQ(r->data["agreed_at"], "2026-03-01T10:00:00.000Z");
}

TEST(DateTimeFieldTest, FireNormalisesTheEventsDataAndItsHistory) {
  TestEngine env(kDateTimeWorkflow);
  RequestId id = env.Create();
  Request r = env.MustFire(id, "schedule", Prosecutor(),
                           {{"surrender_at", "2026-03-09T23:30:00.250+01:00"}});
  EXPECT_EQ(r.data["surrender_at"], "2026-03-09T22:30:00.250Z");
  auto history = env.engine().History(id);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->back().data["surrender_at"], "2026-03-09T22:30:00.250Z");
}

TEST(DateTimeFieldTest, AValueWithoutOffsetOrMalformedIsRefusedAndChangesNothing) {
  TestEngine env(kDateTimeWorkflow);
  RequestId id = env.Create();
  for (const char* bad : {"2026-03-02T09:00:00", "2026-03-02", "2026-02-30T09:00:00Z", "soon"}) {
    auto r = env.Fire(id, "schedule", Prosecutor(), {{"surrender_at", bad}});
    EXPECT_THAT(r, StatusIs(StatusCode::kInvalidArgument)) << bad;
    EXPECT_THAT(r.status().message(), HasSubstr("field 'surrender_at' must be a date and time"))
        << bad;
  }
  EXPECT_EQ(env.engine().Get(id)->revision, 1);
}

TEST(DateTimeFieldTest, GuardsCompareInstantsWhateverTheOffset) {
  TestEngine env(kDateTimeWorkflow);
  // 2026-03-09T23:59:59Z is 2026-03-10T00:59:59+01:00: not before the limit.
  RequestId late = env.Create({{"issuing_state", "DE"}, {"surrender_at", "2026-03-09T23:59:59Z"}});
  EXPECT_EQ(env.MustFire(late, "surrender", Prosecutor()).state, "late");
  // 2026-03-10T00:30:00+02:00 is 2026-03-09T22:30:00Z: before it; the event's value decides.
  RequestId early = env.Create();
  EXPECT_EQ(env.MustFire(early, "surrender", Prosecutor(),
                         {{"surrender_at", "2026-03-10T00:30:00+02:00"}})
                .state,
            "early");
}

}  // namespace
}  // namespace rogatory::testing
