// The token and role matrix: which routes need a token, which need the admin role.
#include <gtest/gtest.h>

#include "api.h"

namespace rogatory::e2e {
namespace {

using nlohmann::json;

// Who may call a route, beyond holding a valid token.
enum class Needs {
  kNoRole,       // any valid token, even one without roles
  kRequestRole,  // a role other than `metrics` (issue 10: roleless tokens read no requests)
  kAdmin,        // the admin role
  kMetrics,      // the metrics or admin role
};

struct RouteCase {
  const char* method;
  std::string path;
  Needs needs;
};

std::vector<RouteCase> AllRoutes(const std::string& id) {
  return {
      {"GET", "/v1/workflows", Needs::kNoRole},
      {"GET", "/v1/workflows/case", Needs::kNoRole},
      {"POST", "/v1/workflows", Needs::kAdmin},
      {"POST", "/v1/requests", Needs::kRequestRole},
      {"GET", "/v1/requests", Needs::kRequestRole},
      {"GET", "/v1/requests/" + id, Needs::kRequestRole},
      {"POST", "/v1/requests/" + id + "/events", Needs::kRequestRole},
      {"GET", "/v1/requests/" + id + "/events", Needs::kRequestRole},
      {"GET", "/v1/requests/" + id + "/history", Needs::kRequestRole},
      {"POST", "/v1/requests/" + id + "/migrate", Needs::kAdmin},
      {"POST", "/v1/subscriptions", Needs::kAdmin},
      {"GET", "/v1/subscriptions", Needs::kAdmin},
      {"GET", "/v1/subscriptions/sub_x", Needs::kAdmin},
      {"DELETE", "/v1/subscriptions/sub_x", Needs::kAdmin},
      {"GET", "/v1/deliveries", Needs::kAdmin},
      {"GET", "/v1/deliveries/1", Needs::kAdmin},
      {"POST", "/v1/deliveries/1/retry", Needs::kAdmin},
      {"GET", "/metrics", Needs::kMetrics},
      {"GET", "/v1/openapi.json", Needs::kNoRole},
      {"GET", "/v1/stats", Needs::kRequestRole},
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

// The whole matrix: a workflow role, admin, metrics only, and no role at all.
TEST(AccessTest, EachRouteNeedsItsRole) {
  Api api;
  const std::string id = api.CreateCase();
  auto allowed = [](Needs needs, const std::string& token) {
    const bool admin = token == kAdminToken, metrics = token == kMetricsToken;
    const bool workflow_role = token == kClerkToken || token == kJudgeToken;
    switch (needs) {
      case Needs::kNoRole:
        return true;
      case Needs::kRequestRole:
        return workflow_role || admin;
      case Needs::kAdmin:
        return admin;
      case Needs::kMetrics:
        return metrics || admin;
    }
    return false;
  };
  for (const RouteCase& r : AllRoutes(id)) {
    for (const std::string token :
         {kClerkToken, kJudgeToken, kAdminToken, kMetricsToken, kNobodyToken}) {
      Answer a = Send(api, r, token);
      EXPECT_NE(a.status, 401) << r.method << " " << r.path << " " << token;
      if (allowed(r.needs, token)) {
        EXPECT_NE(a.status, 403) << r.method << " " << r.path << " " << token << ": " << a.text;
      } else {
        EXPECT_EQ(a.status, 403) << r.method << " " << r.path << " " << token;
        EXPECT_EQ(a.ErrorCode(), "permission_denied") << r.path;
      }
    }
  }
}

// Issue 10: a token without roles (docs suggested one for Prometheus) could create requests
// and read every request. It may now call only the routes that need no role.
TEST(AccessTest, TokenWithoutRolesReadsAndCreatesNoRequests) {
  Api api;
  const std::string id = api.CreateCase();
  for (const char* token : {kNobodyToken, kMetricsToken}) {
    EXPECT_EQ(api.Get("/v1/requests/" + id, token).status, 403) << token;
    EXPECT_EQ(api.Get("/v1/requests", token).status, 403) << token;
    Answer created =
        api.Post("/v1/requests", token, json{{"workflow", "case"}, {"data", {{"title", "x"}}}});
    EXPECT_EQ(created.status, 403) << token;
    EXPECT_NE(created.json["error"]["message"].get<std::string>().find("role"), std::string::npos);
  }
  EXPECT_EQ(api.Get("/metrics", kNobodyToken).status, 403);
  EXPECT_EQ(api.Get("/metrics", kMetricsToken).status, 200);
  EXPECT_EQ(api.Get("/v1/workflows", kNobodyToken).status, 200);
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
  Answer h = api.Get("/v1/requests/" + id + "/history", kAdminToken);
  ASSERT_EQ(h.status, 200);
  EXPECT_EQ(h.json[1]["actor"], "jo.judge");
  EXPECT_EQ(h.json[2]["actor"], "carla.clerk");
  EXPECT_EQ(h.json[3]["actor"], "carla.clerk");
  EXPECT_EQ(h.json[4]["actor"], "jo.judge");
}

}  // namespace
}  // namespace rogatory::e2e
