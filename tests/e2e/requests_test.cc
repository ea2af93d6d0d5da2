// Requests through the real server: create, read, list with filters and pagination, fire,
// the events one may fire, history; and that a refused call changes nothing.
#include <gtest/gtest.h>

#include <set>

#include "api.h"

namespace rogatory::e2e {
namespace {

using nlohmann::json;

TEST(RequestsTest, CreateReturns201WithTheRequest) {
  Api api;
  Answer a = api.Post("/v1/requests", kClerkToken,
                      json{{"workflow", "case"},
                           {"data", {{"title", "t1"}, {"amount", 3}}},
                           {"references", {{"issuing", "ISS-1"}, {"executing", "EXE-9"}}}});
  ASSERT_EQ(a.status, 201) << a.text;
  const json& r = a.json;
  EXPECT_FALSE(r["id"].get<std::string>().empty());
  EXPECT_EQ(r["workflow"], "case");
  EXPECT_EQ(r["version"], 2);  // newest by default
  EXPECT_EQ(r["state"], "draft");
  EXPECT_EQ(r["phase"], "drafting");
  EXPECT_EQ(r["revision"], 1);
  EXPECT_EQ(r["data"]["amount"], 3);
  EXPECT_EQ(r["data"]["urgent"], false);  // default filled in
  EXPECT_EQ(r["references"]["issuing"], "ISS-1");
  EXPECT_TRUE(r["deadlines"].is_array());
  EXPECT_EQ(r["created_at"].get<std::string>().back(), 'Z');
  EXPECT_EQ(a.Header("Location"), "/v1/requests/" + r["id"].get<std::string>());
  EXPECT_EQ(a.Header("Content-Type"), "application/json");
}

TEST(RequestsTest, CreateAtAnOlderVersion) {
  Api api;
  Answer a = api.Post("/v1/requests", kClerkToken,
                      json{{"workflow", "case"}, {"version", 1}, {"data", {{"title", "v1"}}}});
  ASSERT_EQ(a.status, 201) << a.text;
  EXPECT_EQ(a.json["version"], 1);
}

TEST(RequestsTest, GetReturnsTheStoredRequest) {
  Api api;
  const std::string id = api.CreateCase();
  Answer a = api.Get("/v1/requests/" + id, kJudgeToken);
  ASSERT_EQ(a.status, 200) << a.text;
  EXPECT_EQ(a.json["id"], id);
  for (const char* key : {"id", "workflow", "version", "references", "state", "phase", "data",
                          "revision", "created_at", "updated_at", "deadlines"}) {
    EXPECT_TRUE(a.json.contains(key)) << key;
  }
}

TEST(RequestsTest, FireMovesTheRequestAndArmsItsDeadline) {
  Api api;
  const std::string id = api.CreateCase();
  Answer a = api.Fire(id, "send", kClerkToken, {{"comment", "off it goes"}});
  ASSERT_EQ(a.status, 200) << a.text;
  EXPECT_EQ(a.json["state"], "sent");
  EXPECT_EQ(a.json["phase"], "transmission");
  EXPECT_EQ(a.json["revision"], 2);
  ASSERT_EQ(a.json["deadlines"].size(), 1u);
  EXPECT_EQ(a.json["deadlines"][0]["name"], "answer");
  EXPECT_EQ(a.json["deadlines"][0]["paused"], false);
  EXPECT_TRUE(a.json["deadlines"][0]["due_at"].is_string());

  a = api.Fire(id, "accept", kJudgeToken, {{"expected_revision", 2}});
  ASSERT_EQ(a.status, 200) << a.text;
  EXPECT_EQ(a.json["state"], "review");
  EXPECT_EQ(a.json["revision"], 3);
  EXPECT_TRUE(a.json["deadlines"].empty());
}

TEST(RequestsTest, FireMergesEventData) {
  Api api;
  const std::string id = api.CreateCase();
  ASSERT_EQ(api.Fire(id, "send", kClerkToken).status, 200);
  Answer a = api.Fire(id, "refuse", kJudgeToken, {{"data", {{"ground", "lapsed"}}}});
  ASSERT_EQ(a.status, 200) << a.text;
  EXPECT_EQ(a.json["state"], "refused");
  EXPECT_EQ(a.json["phase"], "closure");
  EXPECT_EQ(a.json["data"]["ground"], "lapsed");
}

TEST(RequestsTest, StayTransitionKeepsTheStateAndCountsARevision) {
  Api api;
  const std::string id = api.CreateCase();
  for (int i = 0; i < 3; ++i) {
    Answer a = api.Fire(id, "note", kClerkToken, {{"data", {{"remark", "r"}}}});
    ASSERT_EQ(a.status, 200) << a.text;
    EXPECT_EQ(a.json["state"], "draft");
    EXPECT_EQ(a.json["revision"], 2 + i);
  }
}

TEST(RequestsTest, AvailableEventsDependOnStateAndRole) {
  Api api;
  const std::string id = api.CreateCase();
  auto events = [&](const char* token) {
    Answer a = api.Get("/v1/requests/" + id + "/events", token);
    EXPECT_EQ(a.status, 200) << a.text;
    std::set<std::string> names;
    for (const auto& e : a.json) names.insert(e["event"].get<std::string>());
    return names;
  };
  EXPECT_EQ(events(kClerkToken), (std::set<std::string>{"send", "note"}));
  EXPECT_EQ(events(kJudgeToken), (std::set<std::string>{"note"}));
  EXPECT_TRUE(events(kAdminToken).empty());  // admin has no role of this workflow
  ASSERT_EQ(api.Fire(id, "send", kClerkToken).status, 200);
  EXPECT_EQ(events(kJudgeToken), (std::set<std::string>{"accept", "refuse", "note"}));

  Answer a = api.Get("/v1/requests/" + id + "/events", kJudgeToken);
  for (const auto& e : a.json) {
    if (e["event"] == "refuse") {
      EXPECT_EQ(e["to"], "refused");
      EXPECT_EQ(e["require"], json::array({"ground"}));
      EXPECT_EQ(e["missing"], json::array({"ground"}));
    }
  }
}

TEST(RequestsTest, HistoryIsOldestFirstAndHashChained) {
  Api api;
  const std::string id = api.CreateCase();
  ASSERT_EQ(api.Fire(id, "send", kClerkToken, {{"comment", "c1"}}).status, 200);
  ASSERT_EQ(api.Fire(id, "accept", kJudgeToken).status, 200);
  Answer a = api.Get("/v1/requests/" + id + "/history", kClerkToken);
  ASSERT_EQ(a.status, 200) << a.text;
  ASSERT_EQ(a.json.size(), 3u);
  const json& h = a.json;
  EXPECT_EQ(h[0]["seq"], 1);
  EXPECT_EQ(h[0]["event"], "create");
  EXPECT_TRUE(h[0]["from"].is_null());
  EXPECT_EQ(h[0]["to"], "draft");
  EXPECT_EQ(h[0]["actor"], "carla.clerk");
  EXPECT_EQ(h[1]["event"], "send");
  EXPECT_EQ(h[1]["from"], "draft");
  EXPECT_EQ(h[1]["to"], "sent");
  EXPECT_EQ(h[1]["comment"], "c1");
  EXPECT_EQ(h[2]["actor"], "jo.judge");
  for (size_t i = 0; i < h.size(); ++i) {
    for (const char* key :
         {"seq", "event", "from", "to", "actor", "at", "data", "comment", "hash"}) {
      EXPECT_TRUE(h[i].contains(key)) << key;
    }
    EXPECT_EQ(h[i]["hash"].get<std::string>().size(), 64u);
    if (i > 0) {
      EXPECT_EQ(h[i]["prev_hash"], h[i - 1]["hash"]);
    }
  }
}

TEST(RequestsTest, ListFiltersAndPaginatesByKeyset) {
  Api api;
  // A fresh marker state: create 5 requests and move them to `review`.
  std::set<std::string> mine;
  for (int i = 0; i < 5; ++i) {
    const std::string id = api.CreateCase();
    ASSERT_EQ(api.Fire(id, "send", kClerkToken).status, 200);
    ASSERT_EQ(api.Fire(id, "accept", kJudgeToken).status, 200);
    mine.insert(id);
  }
  std::set<std::string> seen;
  std::string after;
  std::string previous;
  int pages = 0;
  while (true) {
    std::string path = "/v1/requests?workflow=case&state=review&phase=execution&limit=2";
    if (!after.empty()) path += "&after=" + after;
    Answer a = api.Get(path, kClerkToken);
    ASSERT_EQ(a.status, 200) << a.text;
    ++pages;
    for (const auto& r : a.json["items"]) {
      const std::string id = r["id"];
      EXPECT_GT(id, previous) << "ordered by id";
      previous = id;
      EXPECT_EQ(r["state"], "review");
      seen.insert(id);
    }
    EXPECT_LE(a.json["items"].size(), 2u);
    if (a.json["next"].is_null()) break;
    after = a.json["next"];
    ASSERT_LT(pages, 100);
  }
  for (const auto& id : mine) EXPECT_EQ(seen.count(id), 1u) << id;
  EXPECT_GE(pages, 3);

  Answer none = api.Get("/v1/requests?workflow=nosuch", kClerkToken);
  ASSERT_EQ(none.status, 200);
  EXPECT_TRUE(none.json["items"].empty());
  EXPECT_TRUE(none.json["next"].is_null());
}

TEST(RequestsTest, OverdueFilterLeavesOutRunningDeadlinesNotYetDue) {
  Api api;
  const std::string id = api.CreateCase();
  ASSERT_EQ(api.Fire(id, "send", kClerkToken).status, 200);  // P30D deadline
  Answer a = api.Get("/v1/requests?overdue=true&workflow=case&limit=1000", kClerkToken);
  ASSERT_EQ(a.status, 200) << a.text;
  for (const auto& r : a.json["items"]) EXPECT_NE(r["id"], id);
  a = api.Get("/v1/requests?overdue=false&workflow=case&state=sent&limit=1000", kClerkToken);
  ASSERT_EQ(a.status, 200) << a.text;
}

TEST(RequestsTest, RefusedCallsChangeNothing) {
  Api api;
  const std::string id = api.CreateCase();
  const Answer before = api.Get("/v1/requests/" + id, kClerkToken);
  EXPECT_EQ(api.Fire(id, "accept", kJudgeToken).status, 409);                            // state
  EXPECT_EQ(api.Fire(id, "send", kJudgeToken).status, 403);                              // role
  EXPECT_EQ(api.Fire(id, "send", kClerkToken, {{"expected_revision", 7}}).status, 409);  // stale
  EXPECT_EQ(api.Fire(id, "note", kClerkToken, {{"data", {{"amount", "x"}}}}).status, 422);
  EXPECT_EQ(api.Post("/v1/requests/" + id + "/events", kClerkToken, std::string("{")).status, 400);
  const Answer after = api.Get("/v1/requests/" + id, kClerkToken);
  EXPECT_EQ(before.json, after.json);
  EXPECT_EQ(api.Get("/v1/requests/" + id + "/history", kClerkToken).json.size(), 1u);
}

}  // namespace
}  // namespace rogatory::e2e
