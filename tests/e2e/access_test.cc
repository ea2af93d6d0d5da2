// The token and role matrix: which routes need a token, which need the admin role.
#include <gtest/gtest.h>

#include "api.h"

namespace rogatory::e2e {
namespace {

using nlohmann::json;

struct RouteCase {
  const char* method;
  std::string path;
  bool admin;
};

std::vector<RouteCase> AllRoutes(const std::string& id) {
  return {
      {"GET", "/v1/workflows", false},
      {"GET", "/v1/workflows/case", false},
      {"POST", "/v1/workflows", true},
      {"POST", "/v1/requests", false},
      {"GET", "/v1/requests", false},
      {"GET", "/v1/requests/" + id, false},
      {"POST", "/v1/requests/" + id + "/events", false},
      {"GET", "/v1/requests/" + id + "/events", false},
      {"GET", "/v1/requests/" + id + "/history", false},
      {"POST", "/v1/requests/" + id + "/migrate", true},
      {"POST", "/v1/subscriptions", true},
      {"GET", "/v1/subscriptions", true},
      {"GET", "/v1/subscriptions/sub_x", true},
      {"DELETE", "/v1/subscriptions/sub_x", true},
      {"GET", "/v1/deliveries", true},
      {"GET", "/v1/deliveries/1", true},
      {"POST", "/v1/deliveries/1/retry", true},
      {"GET", "/metrics", false},
      {"GET", "/v1/openapi.json", false},
  };
}

Answer Send(Api& api, const RouteCase& r, const std::string& token) {
  const std::string m = r.method;
  if (m == "GET") return api.Get(r.path, token);
  if (m == "DELETE") return api.Delete(r.path, token);
  return api.Post(r.path, token, std::string("{}"));
}

TEST(AccessTest, HealthNeedsNoToken) {
  Api api;
  Answer a = api.Get("/v1/health", "");
  ASSERT_EQ(a.status, 200);
  EXPECT_EQ(a.json, json({{"status", "ok"}}));
}

TEST(AccessTest, EveryOtherRouteNeedsAValidToken) {
  Api api;
  const std::string id = api.CreateCase();
  for (const RouteCase& r : AllRoutes(id)) {
    for (const std::string& token : {std::string(), std::string("wrong")}) {
      Answer a = Send(api, r, token);
      EXPECT_EQ(a.status, 401) << r.method << " " << r.path << " token='" << token << "'";
      EXPECT_FALSE(a.Header("WWW-Authenticate").empty()) << r.path;
    }
  }
}

TEST(AccessTest, AdminRoutesNeedTheAdminRole) {
  Api api;
  const std::string id = api.CreateCase();
  for (const RouteCase& r : AllRoutes(id)) {
    for (const char* token : {kClerkToken, kJudgeToken, kNobodyToken}) {
      Answer a = Send(api, r, token);
      if (r.admin) {
        EXPECT_EQ(a.status, 403) << r.method << " " << r.path;
        EXPECT_EQ(a.ErrorCode(), "permission_denied");
      } else {
        EXPECT_NE(a.status, 401) << r.path;
        EXPECT_NE(a.status, 403) << r.path;
      }
    }
    Answer a = Send(api, r, kAdminToken);
    EXPECT_NE(a.status, 401) << r.path;
    if (r.admin) {
      EXPECT_NE(a.status, 403) << r.path;
    }
  }
}

TEST(AccessTest, RolesDecideWhoMayFireWhat) {
  Api api;
  // send: clerk only; accept: judge only; note: clerk and judge; admin and nobody: nothing.
  const std::string id = api.CreateCase();
  EXPECT_EQ(api.Fire(id, "note", kNobodyToken).status, 403);
  EXPECT_EQ(api.Fire(id, "note", kAdminToken).status, 403);
  EXPECT_EQ(api.Fire(id, "note", kJudgeToken).status, 200);
  EXPECT_EQ(api.Fire(id, "note", kClerkToken).status, 200);
  EXPECT_EQ(api.Fire(id, "send", kJudgeToken).status, 403);
  EXPECT_EQ(api.Fire(id, "send", kClerkToken).status, 200);
  EXPECT_EQ(api.Fire(id, "accept", kClerkToken).status, 403);
  EXPECT_EQ(api.Fire(id, "accept", kJudgeToken).status, 200);
  // The actor of each step is the token's.
  Answer h = api.Get("/v1/requests/" + id + "/history", kNobodyToken);
  ASSERT_EQ(h.status, 200);
  EXPECT_EQ(h.json[1]["actor"], "jo.judge");
  EXPECT_EQ(h.json[2]["actor"], "carla.clerk");
  EXPECT_EQ(h.json[3]["actor"], "carla.clerk");
  EXPECT_EQ(h.json[4]["actor"], "jo.judge");
}

}  // namespace
}  // namespace rogatory::e2e
