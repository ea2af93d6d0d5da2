// Workflow definitions over the API, and migrating a request to another version (admin).
#include <gtest/gtest.h>

#include "api.h"

namespace rogatory::e2e {
namespace {

using nlohmann::json;

TEST(WorkflowsTest, ListNamesEveryLoadedVersionWithItsSource) {
  Api api;
  Answer a = api.Get("/v1/workflows", kNobodyToken);
  ASSERT_EQ(a.status, 200) << a.text;
  ASSERT_TRUE(a.json.is_array());
  ASSERT_EQ(a.json.size(), 2u) << a.text;
  const std::pair<int, const char*> expected[] = {{1, "E2E case"}, {2, "E2E case (v2)"}};
  for (size_t i = 0; i < 2; ++i) {
    const json& w = a.json[i];
    EXPECT_EQ(w["workflow"], "case");
    EXPECT_EQ(w["version"], expected[i].first);
    EXPECT_EQ(w["title"], expected[i].second);
    EXPECT_EQ(w["source"],
              FixtureWorkflowsDir() + "/case.v" + std::to_string(expected[i].first) + ".yaml");
    EXPECT_EQ(w["loaded_at"].get<std::string>().back(), 'Z');
  }
}

TEST(WorkflowsTest, GetReturnsTheDefinition) {
  Api api;
  Answer newest = api.Get("/v1/workflows/case", kClerkToken);
  ASSERT_EQ(newest.status, 200) << newest.text;
  EXPECT_EQ(newest.json["version"], 2);
  Answer v1 = api.Get("/v1/workflows/case?version=1", kClerkToken);
  ASSERT_EQ(v1.status, 200) << v1.text;
  EXPECT_EQ(v1.json["version"], 1);
  EXPECT_NE(v1.json.dump().find("accepted"), std::string::npos);
  EXPECT_EQ(newest.json.dump().find("\"accepted\""), std::string::npos);
}

TEST(MigrateTest, AdminMovesARequestToAnotherVersionWithAStateMap) {
  Api api;
  Answer created = api.Post("/v1/requests", kClerkToken,
                            json{{"workflow", "case"}, {"version", 1}, {"data", {{"title", "m"}}}});
  ASSERT_EQ(created.status, 201);
  const std::string id = created.json["id"];
  ASSERT_EQ(api.Fire(id, "send", kClerkToken).status, 200);
  ASSERT_EQ(api.Fire(id, "accept", kJudgeToken).status, 200);

  const json body{
      {"target_version", 2}, {"state_map", {{"accepted", "review"}}}, {"comment", "v2 rollout"}};
  EXPECT_EQ(api.Post("/v1/requests/" + id + "/migrate", kJudgeToken, body).status, 403);
  Answer unmapped =
      api.Post("/v1/requests/" + id + "/migrate", kAdminToken, json{{"target_version", 2}});
  EXPECT_EQ(unmapped.status, 422) << unmapped.text;  // `accepted` does not exist in v2
  EXPECT_EQ(
      api.Post("/v1/requests/" + id + "/migrate", kAdminToken, json{{"target_version", 9}}).status,
      404);
  EXPECT_EQ(api.Post("/v1/requests/" + id + "/migrate", kAdminToken, json{{"target", 2}}).status,
            422);

  Answer migrated = api.Post("/v1/requests/" + id + "/migrate", kAdminToken, body);
  ASSERT_EQ(migrated.status, 200) << migrated.text;
  EXPECT_EQ(migrated.json["version"], 2);
  EXPECT_EQ(migrated.json["state"], "review");
  EXPECT_EQ(migrated.json["revision"], 4);
  Answer h = api.Get("/v1/requests/" + id + "/history", kClerkToken);
  EXPECT_EQ(h.json.back()["event"], "migrate");
  EXPECT_EQ(h.json.back()["actor"], "ops.admin");
  EXPECT_EQ(h.json.back()["comment"], "v2 rollout");
  EXPECT_EQ(api.Post("/v1/requests/" + id + "/migrate", kAdminToken, body).status, 409);
  EXPECT_EQ(api.Fire(id, "close", kJudgeToken).status, 200);  // the v2 machine drives it now
}

}  // namespace
}  // namespace rogatory::e2e
