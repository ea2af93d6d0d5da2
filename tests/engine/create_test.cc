// Creating requests: typed fields, defaults, required fields, references, versions.
#include "test_engine.h"

namespace rogatory::testing {
namespace {

using ::testing::HasSubstr;

Result<Request> CreateWith(TestEngine& env, nlohmann::json data,
                           nlohmann::json refs = nlohmann::json::object()) {
  CreateCall call;
  call.workflow = "test_eio";
  call.data = std::move(data);
  call.references = std::move(refs);
  return env.engine().Create(call, Prosecutor());
}

TEST(CreateTest, StartsInInitialStateAtRevisionOne) {
  TestEngine env;
  auto r = env.engine().Get(env.Create());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->state, "draft");
  EXPECT_EQ(r->phase, Phase::kDrafting);
  EXPECT_EQ(r->revision, 1);
  EXPECT_EQ(r->version, 1);
  EXPECT_EQ(r->created_at, T0());
  EXPECT_EQ(r->references["issuing"], "DE-123/26");
  EXPECT_EQ(r->id.size(), 26u);
}

TEST(CreateTest, AppliesDefaults) {
  TestEngine env;
  auto r = env.engine().Get(env.Create());
  EXPECT_EQ(r->data["urgent"], false);
}

TEST(CreateTest, RefusesMissingRequiredField) {
  TestEngine env;
  auto r = CreateWith(env, {{"executing_state", "FR"}});
  EXPECT_THAT(r, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(r.status().message(), HasSubstr("issuing_state"));
}

TEST(CreateTest, RefusesUnknownField) {
  TestEngine env;
  EXPECT_THAT(CreateWith(env, {{"issuing_state", "DE"}, {"colour", "red"}}),
              StatusIs(StatusCode::kInvalidArgument));
}

struct BadValue {
  const char* field;
  nlohmann::json value;
};

class CreateTypeTest : public ::testing::TestWithParam<BadValue> {};

TEST_P(CreateTypeTest, RefusesWrongType) {
  TestEngine env;
  nlohmann::json data{{"issuing_state", "DE"}};
  data[GetParam().field] = GetParam().value;
  auto r = CreateWith(env, data);
  EXPECT_THAT(r, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(r.status().message(), HasSubstr(GetParam().field));
}

INSTANTIATE_TEST_SUITE_P(
    Fields, CreateTypeTest,
    ::testing::Values(BadValue{"issuing_state", 12}, BadValue{"urgent", "yes"},
                      BadValue{"count", "3"}, BadValue{"count", 2.5},
                      BadValue{"decided_on", "2026-02-30"}, BadValue{"decided_on", "tomorrow"},
                      BadValue{"refusal_ground", "z"}, BadValue{"measures", "search"},
                      BadValue{"measures", nlohmann::json::array({1, {{"x", 1}}})}));

TEST(CreateTest, AcceptsEveryTypeWhenWellFormed) {
  TestEngine env;
  auto r = CreateWith(env, {{"issuing_state", "DE"},
                            {"count", 3},
                            {"decided_on", "2024-02-29"},
                            {"refusal_ground", "b"},
                            {"measures", {"search", "hearing"}}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->data["measures"].size(), 2u);
}

TEST(CreateTest, RefusesNonStringReference) {
  TestEngine env;
  EXPECT_THAT(CreateWith(env, {{"issuing_state", "DE"}}, {{"issuing", 5}}),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST(CreateTest, RefusesUnknownWorkflowAndVersion) {
  TestEngine env;
  CreateCall call;
  call.workflow = "nope";
  EXPECT_THAT(env.engine().Create(call, Prosecutor()), StatusIs(StatusCode::kNotFound));
  call.workflow = "test_eio";
  call.version = 7;
  call.data = {{"issuing_state", "DE"}};
  EXPECT_THAT(env.engine().Create(call, Prosecutor()), StatusIs(StatusCode::kNotFound));
}

TEST(CreateTest, RefusedCreateChangesNothing) {
  TestEngine env;
  (void)CreateWith(env, {{"urgent", true}});
  auto page = env.engine().List(RequestQuery{});
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->items.empty());
}

TEST(CreateTest, IdsSortByCreationTime) {
  TestEngine env;
  RequestId a = env.Create();
  env.clock().Advance(std::chrono::milliseconds(2));
  RequestId b = env.Create();
  EXPECT_LT(a, b);
}

}  // namespace
}  // namespace rogatory::testing
