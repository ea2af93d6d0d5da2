// Several versions side by side, immutable versions, and audited migration.
#include "test_engine.h"

namespace rogatory::testing {
namespace {

std::string Version2() {
  std::string yaml = kTestWorkflow;
  yaml.replace(yaml.find("version: 1"), 10, "version: 2");
  yaml.replace(yaml.find("  withdrawn:   {phase: closure, terminal: true}\n"),
               std::string("  withdrawn:   {phase: closure, terminal: true}\n").size(),
               "  cancelled:   {phase: closure, terminal: true}\n");
  yaml.replace(yaml.find("to: withdrawn"), 13, "to: cancelled");
  return yaml;
}

TEST(VersioningTest, NewRequestsUseNewestAndOldOnesKeepTheirs) {
  TestEngine env;
  RequestId old_one = env.Create();
  ASSERT_TRUE(env.engine().LoadDefinition(MustParse(Version2())).ok());
  RequestId new_one = env.Create();
  EXPECT_EQ(env.engine().Get(old_one)->version, 1);
  EXPECT_EQ(env.engine().Get(new_one)->version, 2);
  EXPECT_EQ(env.MustFire(old_one, "withdraw", Prosecutor()).state, "withdrawn");
  EXPECT_EQ(env.MustFire(new_one, "withdraw", Prosecutor()).state, "cancelled");
  auto list = env.engine().ListWorkflows();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].version, 1);
  EXPECT_EQ(list[1].version, 2);
}

TEST(VersioningTest, ExplicitVersionOnCreate) {
  TestEngine env;
  ASSERT_TRUE(env.engine().LoadDefinition(MustParse(Version2())).ok());
  CreateCall call;
  call.workflow = "test_eio";
  call.version = 1;
  call.data = {{"issuing_state", "DE"}};
  EXPECT_EQ(env.engine().Create(call, Prosecutor())->version, 1);
}

TEST(VersioningTest, ChangedContentUnderSameVersionIsRefused) {
  TestEngine env;
  std::string changed = kTestWorkflow;
  changed.replace(changed.find("title: Test EIO"), 15, "title: Changed");
  EXPECT_EQ(env.engine().LoadDefinition(MustParse(changed)).code(), StatusCode::kAlreadyExists);
  EXPECT_TRUE(env.engine().LoadDefinition(MustParse(kTestWorkflow)).ok());  // identical: no-op
}

TEST(VersioningTest, InvalidDefinitionIsRefusedWithItsErrors) {
  TestEngine env;
  WorkflowDefinition def = MustParse(kTestWorkflow);
  def.version = 3;
  def.transitions[0].to = "nowhere";
  Status s = env.engine().LoadDefinition(def);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), ::testing::HasSubstr("nowhere"));
  EXPECT_EQ(env.engine().ListWorkflows().size(), 1u);
}

TEST(VersioningTest, MigrationMapsStateAndIsAudited) {
  TestEngine env;
  ASSERT_TRUE(env.engine().LoadDefinition(MustParse(Version2())).ok());
  CreateCall call;
  call.workflow = "test_eio";
  call.version = 1;
  call.data = {{"issuing_state", "DE"}, {"executing_state", "FR"}};
  RequestId id = env.engine().Create(call, Prosecutor())->id;
  env.MustFire(id, "issue", Prosecutor());
  MigrationCall m;
  m.target_version = 2;
  m.comment = "move to v2";
  auto r = env.engine().Migrate(id, m, Actor{"admin", {"admin"}, ""});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->version, 2);
  EXPECT_EQ(r->state, "issued");
  auto h = *env.engine().History(id);
  EXPECT_EQ(h.back().event, "migrate");
  EXPECT_EQ(h.back().data["from_version"], 1);
  EXPECT_TRUE(env.engine().VerifyHistory(id).ok());
}

TEST(VersioningTest, MigrationToMissingStateMovesNothing) {
  TestEngine env;
  ASSERT_TRUE(env.engine().LoadDefinition(MustParse(Version2())).ok());
  CreateCall call;
  call.workflow = "test_eio";
  call.version = 1;
  call.data = {{"issuing_state", "DE"}};
  RequestId id = env.engine().Create(call, Prosecutor())->id;
  MigrationCall m;
  m.target_version = 2;
  m.state_map = {{"draft", "limbo"}};
  EXPECT_THAT(env.engine().Migrate(id, m, Prosecutor()), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(env.engine().Get(id)->version, 1);
  EXPECT_EQ(env.engine().Get(id)->revision, 1);
}

// A request on version 1 in `state`-reaching steps, with version 2 loaded beside it.
RequestId OnVersionOne(TestEngine& env,
                       std::initializer_list<std::pair<const char*, Actor>> steps) {
  EXPECT_TRUE(env.engine().LoadDefinition(MustParse(Version2())).ok());
  CreateCall call;
  call.workflow = "test_eio";
  call.version = 1;
  call.data = {{"issuing_state", "DE"}, {"executing_state", "FR"}};
  RequestId id = env.engine().Create(call, Prosecutor())->id;
  for (const auto& [event, actor] : steps) env.MustFire(id, event, actor);
  return id;
}

TEST(VersioningTest, MigrationOfAClosedRequestIsRefusedAndReopensNothing) {
  TestEngine env;
  RequestId id = OnVersionOne(env, {{"withdraw", Prosecutor()}});
  MigrationCall m;
  m.target_version = 2;
  m.state_map = {{"withdrawn", "draft"}};
  auto r = env.engine().Migrate(id, m, Actor{"admin", {"admin"}, ""});
  EXPECT_THAT(r, StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(r.status().message(), ::testing::HasSubstr("closed"));
  EXPECT_EQ(env.engine().Get(id)->state, "withdrawn");
  EXPECT_EQ(env.engine().Get(id)->version, 1);
  EXPECT_EQ(env.engine().Get(id)->revision, 2);
}

TEST(VersioningTest, MigrationBackwardsInTheLifecycleIsRefused) {
  TestEngine env;
  RequestId id = OnVersionOne(
      env, {{"issue", Prosecutor()}, {"transmit", Central()}, {"recognise", Executing()}});
  MigrationCall m;
  m.target_version = 2;
  m.state_map = {{"recognised", "draft"}};  // execution -> drafting: no step may do that
  auto r = env.engine().Migrate(id, m, Actor{"admin", {"admin"}, ""});
  EXPECT_THAT(r, StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(r.status().message(), ::testing::HasSubstr("lifecycle"));
  EXPECT_EQ(env.engine().Get(id)->state, "recognised");
  EXPECT_EQ(env.engine().Get(id)->revision, 4);
  // transmission -> drafting is allowed (a correction), as for a step.
  RequestId back = OnVersionOne(env, {{"issue", Prosecutor()}, {"transmit", Central()}});
  m.state_map = {{"transmitted", "draft"}};
  EXPECT_TRUE(env.engine().Migrate(back, m, Actor{"admin", {"admin"}, ""}).ok());
}

TEST(VersioningTest, MigrationIntoATerminalStateStopsEveryClock) {
  TestEngine env;
  RequestId id = OnVersionOne(env, {{"issue", Prosecutor()}, {"transmit", Central()}});
  ASSERT_EQ(env.engine().Get(id)->deadlines.size(), 2u);  // recognition and ack run
  MigrationCall m;
  m.target_version = 2;
  m.state_map = {{"transmitted", "cancelled"}};
  auto r = env.engine().Migrate(id, m, Actor{"admin", {"admin"}, ""});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->state, "cancelled");
  EXPECT_TRUE(r->deadlines.empty());
  // Nothing lapses on the closed request later.
  env.clock().Advance(std::chrono::hours(24 * 100));
  EXPECT_EQ(env.RunScheduler(), 0);
  EXPECT_EQ(env.engine().Get(id)->revision, r->revision);
  EXPECT_TRUE(env.engine().VerifyHistory(id).ok());
}

}  // namespace
}  // namespace rogatory::testing
