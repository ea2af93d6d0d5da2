#include "router.h"

#include <gtest/gtest.h>

namespace rogatory::http {
namespace {

Router MakeRouter() {
  Router r;
  for (const auto& [method, pattern] :
       std::vector<std::pair<std::string, std::string>>{{"GET", "/v1/requests"},
                                                        {"POST", "/v1/requests"},
                                                        {"GET", "/v1/requests/{id}"},
                                                        {"POST", "/v1/requests/{id}/events"},
                                                        {"GET", "/v1/requests/{id}/events"}}) {
    r.Add({method, pattern, {}, false, nullptr});
  }
  return r;
}

TEST(RouterTest, MatchesLiteralAndPlaceholderSegments) {
  Router r = MakeRouter();
  RouteMatch m = r.Match("POST", "/v1/requests/abc/events");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/v1/requests/{id}/events");
  EXPECT_EQ(m.params, std::vector<std::string>{"abc"});
}

TEST(RouterTest, HeadMatchesGet) {
  Router r = MakeRouter();
  RouteMatch m = r.Match("HEAD", "/v1/requests/abc");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->method, "GET");
}

TEST(RouterTest, KnownPathWithOtherMethodListsAllowed) {
  Router r = MakeRouter();
  RouteMatch m = r.Match("DELETE", "/v1/requests");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_TRUE(m.path_known);
  EXPECT_EQ(m.allowed, "GET, HEAD, POST");
}

TEST(RouterTest, UnknownPathsAreNotKnown) {
  Router r = MakeRouter();
  for (const char* path : {"/v1/requests/", "/v1/requests//events", "/v1", "", "v1/requests",
                           "/v1/requests/a/b/c", "/v2/requests"}) {
    RouteMatch m = r.Match("GET", path);
    EXPECT_EQ(m.route, nullptr) << path;
    EXPECT_FALSE(m.path_known) << path;
  }
}

}  // namespace
}  // namespace rogatory::http
