// Firing events: the transition table, roles, required fields, data, revisions.
#include "test_engine.h"

namespace rogatory::testing {
namespace {

using ::testing::HasSubstr;

TEST(FireTest, MovesToTargetStateAndBumpsRevision) {
  TestEngine env;
  RequestId id = env.Create({{"issuing_state", "DE"}, {"executing_state", "FR"}});
  Request r = env.MustFire(id, "issue", Prosecutor());
  EXPECT_EQ(r.state, "issued");
  EXPECT_EQ(r.revision, 2);
  r = env.MustFire(id, "transmit", Central());
  EXPECT_EQ(r.state, "transmitted");
  EXPECT_EQ(r.phase, Phase::kTransmission);
  EXPECT_EQ(r.revision, 3);
}

TEST(FireTest, RefusesEventNotAllowedInState) {
  TestEngine env;
  RequestId id = env.Create();
  EXPECT_THAT(env.Fire(id, "recognise", Executing()), StatusIs(StatusCode::kFailedPrecondition));
}

TEST(FireTest, RefusesUnknownEvent) {
  TestEngine env;
  EXPECT_THAT(env.Fire(env.Create(), "teleport", Prosecutor()),
              StatusIs(StatusCode::kFailedPrecondition));
}

TEST(FireTest, RefusesActorWithoutRole) {
  TestEngine env;
  RequestId id = env.Create({{"issuing_state", "DE"}, {"executing_state", "FR"}});
  auto r = env.Fire(id, "issue", Executing());
  EXPECT_THAT(r, StatusIs(StatusCode::kPermissionDenied));
  EXPECT_EQ(env.engine().Get(id)->revision, 1);
}

TEST(FireTest, SystemRoleIsNotGrantedToUsers) {
  TestEngine env;
  EXPECT_THAT(env.Fire(env.Transmitted(), "ack_overdue", Central()),
              StatusIs(StatusCode::kPermissionDenied));
}

TEST(FireTest, RefusesMissingRequiredField) {
  TestEngine env;
  RequestId id = env.Create();
  auto r = env.Fire(id, "issue", Prosecutor());
  EXPECT_THAT(r, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(r.status().message(), HasSubstr("executing_state"));
  EXPECT_EQ(env.engine().Get(id)->state, "draft");
}

TEST(FireTest, RequiredFieldMaySetByEventData) {
  TestEngine env;
  RequestId id = env.Create();
  Request r = env.MustFire(id, "issue", Prosecutor(), {{"executing_state", "FR"}});
  EXPECT_EQ(r.state, "issued");
  EXPECT_EQ(r.data["executing_state"], "FR");
}

TEST(FireTest, EventDataIsCheckedAgainstFields) {
  TestEngine env;
  RequestId id = env.Create();
  EXPECT_THAT(env.Fire(id, "issue", Prosecutor(), {{"executing_state", 3}}),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(env.Fire(id, "issue", Prosecutor(), {{"nonsense", "x"}}),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(env.Fire(id, "issue", Prosecutor(), nlohmann::json::array()),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST(FireTest, EventDataMergesAndNullClears) {
  TestEngine env;
  RequestId id = env.Create({{"issuing_state", "DE"}, {"executing_state", "FR"}, {"count", 1}});
  Request r = env.MustFire(id, "issue", Prosecutor(), {{"count", nullptr}, {"urgent", true}});
  EXPECT_FALSE(r.data.contains("count"));
  EXPECT_EQ(r.data["urgent"], true);
  EXPECT_EQ(r.data["issuing_state"], "DE");
}

TEST(FireTest, StaleExpectedRevisionIsAborted) {
  TestEngine env;
  RequestId id = env.Create({{"issuing_state", "DE"}, {"executing_state", "FR"}});
  EventCall call;
  call.event = "issue";
  call.expected_revision = 5;
  EXPECT_THAT(env.engine().Fire(id, call, Prosecutor()), StatusIs(StatusCode::kAborted));
  call.expected_revision = 1;
  EXPECT_TRUE(env.engine().Fire(id, call, Prosecutor()).ok());
}

TEST(FireTest, UnknownRequestIsNotFound) {
  TestEngine env;
  EXPECT_THAT(env.Fire("nope", "issue", Prosecutor()), StatusIs(StatusCode::kNotFound));
}

TEST(FireTest, StarSourceFiresFromEveryNonTerminalState) {
  TestEngine env;
  RequestId a = env.Create();
  EXPECT_EQ(env.MustFire(a, "withdraw", Prosecutor()).state, "withdrawn");
  RequestId b = env.Transmitted();
  EXPECT_EQ(env.MustFire(b, "withdraw", Prosecutor()).phase, Phase::kClosure);
}

TEST(FireTest, NothingLeavesTerminalState) {
  TestEngine env;
  RequestId a = env.Create();
  env.MustFire(a, "withdraw", Prosecutor());
  EXPECT_THAT(env.Fire(a, "withdraw", Prosecutor()), StatusIs(StatusCode::kFailedPrecondition));
}

TEST(FireTest, TransitionWithoutTargetStaysInState) {
  TestEngine env;
  RequestId id = env.Transmitted();
  Request r = env.MustFire(id, "acknowledge", Executing());
  EXPECT_EQ(r.state, "transmitted");
  EXPECT_EQ(r.revision, 4);
}

TEST(FireTest, TransmissionMayReturnToDrafting) {
  TestEngine env;
  RequestId id = env.Transmitted();
  EXPECT_EQ(env.MustFire(id, "correct", Central()).phase, Phase::kDrafting);
}

TEST(FireTest, RequireOnListSourceTransition) {
  TestEngine env;
  RequestId id = env.Transmitted();
  EXPECT_THAT(env.Fire(id, "refuse", Executing()), StatusIs(StatusCode::kInvalidArgument));
  Request r = env.MustFire(id, "refuse", Executing(), {{"refusal_ground", "a"}});
  EXPECT_EQ(r.state, "refused");
  EXPECT_TRUE(r.deadlines.empty() || r.deadlines.size() == 2u);
}

TEST(FireTest, AvailableEventsFollowStateAndRoles) {
  TestEngine env;
  RequestId id = env.Transmitted();
  auto events = env.engine().AvailableEvents(id, Executing());
  ASSERT_TRUE(events.ok());
  std::vector<std::string> names;
  for (const auto& e : *events) names.push_back(e.event);
  EXPECT_THAT(names, ::testing::UnorderedElementsAre("acknowledge", "extend_recognition",
                                                     "recognise", "refuse"));
  for (const auto& e : *events) {
    if (e.event == "refuse") {
      EXPECT_THAT(e.missing, ::testing::ElementsAre("refusal_ground"));
    }
  }
  auto for_prosecutor = env.engine().AvailableEvents(id, Prosecutor());
  ASSERT_EQ(for_prosecutor->size(), 1u);
  EXPECT_EQ((*for_prosecutor)[0].event, "withdraw");
}

}  // namespace
}  // namespace rogatory::testing
