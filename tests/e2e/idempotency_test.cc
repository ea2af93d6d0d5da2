// Idempotency-Key on both POSTs: a repeated key returns the first answer and fires nothing twice.
#include <gtest/gtest.h>

#include <thread>

#include "api.h"

namespace rogatory::e2e {
namespace {

using nlohmann::json;

std::string UniqueKey(const std::string& name) {
  return name + "-" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
}

TEST(IdempotencyTest, RepeatedCreateReturnsTheFirstRequest) {
  Api api;
  const std::string key = UniqueKey("create");
  const json body{{"workflow", "case"}, {"data", {{"title", "idem"}}}};
  Answer first = api.Post("/v1/requests", kClerkToken, body, {{"Idempotency-Key", key}});
  ASSERT_EQ(first.status, 201) << first.text;
  Answer second = api.Post("/v1/requests", kClerkToken, body, {{"Idempotency-Key", key}});
  ASSERT_EQ(second.status, 201) << second.text;
  EXPECT_EQ(first.json, second.json);
  const std::string id = first.json["id"];
  EXPECT_EQ(api.Get("/v1/requests/" + id + "/history", kClerkToken).json.size(), 1u);
  // Without the key a second request is created.
  Answer third = api.Post("/v1/requests", kClerkToken, body);
  EXPECT_NE(third.json["id"], first.json["id"]);
}

TEST(IdempotencyTest, RepeatedFireFiresOnce) {
  Api api;
  const std::string id = api.CreateCase();
  const std::string key = UniqueKey("fire");
  Answer first = api.Fire(id, "note", kClerkToken, {{"data", {{"remark", "once"}}}},
                          {{"Idempotency-Key", key}});
  ASSERT_EQ(first.status, 200) << first.text;
  for (int i = 0; i < 3; ++i) {
    Answer again = api.Fire(id, "note", kClerkToken, {{"data", {{"remark", "once"}}}},
                            {{"Idempotency-Key", key}});
    ASSERT_EQ(again.status, 200) << again.text;
    EXPECT_EQ(again.json, first.json);
  }
  EXPECT_EQ(first.json["revision"], 2);
  EXPECT_EQ(api.Get("/v1/requests/" + id, kClerkToken).json["revision"], 2);
  EXPECT_EQ(api.Get("/v1/requests/" + id + "/history", kClerkToken).json.size(), 2u);
}

TEST(IdempotencyTest, ReplayHoldsAfterTheRequestMovedOn) {
  Api api;
  const std::string id = api.CreateCase();
  const std::string key = UniqueKey("moved");
  Answer first = api.Fire(id, "send", kClerkToken, {}, {{"Idempotency-Key", key}});
  ASSERT_EQ(first.status, 200);
  ASSERT_EQ(api.Fire(id, "accept", kJudgeToken).status, 200);
  // `send` is no longer allowed, but the key answers what it answered the first time.
  Answer again = api.Fire(id, "send", kClerkToken, {}, {{"Idempotency-Key", key}});
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.json, first.json);
}

TEST(IdempotencyTest, SameKeyForADifferentCallIsRefused) {
  Api api;
  const std::string id = api.CreateCase();
  const std::string key = UniqueKey("reuse");
  ASSERT_EQ(
      api.Fire(id, "note", kClerkToken, {{"data", {{"remark", "a"}}}}, {{"Idempotency-Key", key}})
          .status,
      200);
  Answer other =
      api.Fire(id, "note", kClerkToken, {{"data", {{"remark", "b"}}}}, {{"Idempotency-Key", key}});
  EXPECT_EQ(other.status, 422) << other.text;
  EXPECT_EQ(api.Get("/v1/requests/" + id, kClerkToken).json["revision"], 2);
}

TEST(IdempotencyTest, KeysAreScopedToTheActor) {
  Api api;
  const std::string id = api.CreateCase();
  const std::string key = UniqueKey("scoped");
  ASSERT_EQ(api.Fire(id, "note", kClerkToken, {}, {{"Idempotency-Key", key}}).status, 200);
  Answer judge = api.Fire(id, "note", kJudgeToken, {}, {{"Idempotency-Key", key}});
  ASSERT_EQ(judge.status, 200);
  EXPECT_EQ(judge.json["revision"], 3);
}

TEST(IdempotencyTest, ConcurrentRepeatsCreateOnce) {
  const std::string key = UniqueKey("race");
  const json body{{"workflow", "case"}, {"data", {{"title", "race"}}}};
  std::vector<std::thread> threads;
  std::vector<Answer> answers(6);
  for (size_t i = 0; i < answers.size(); ++i) {
    threads.emplace_back([&, i] {
      Api api;
      answers[i] = api.Post("/v1/requests", kClerkToken, body, {{"Idempotency-Key", key}});
    });
  }
  for (auto& t : threads) t.join();
  for (const Answer& a : answers) {
    ASSERT_EQ(a.status, 201) << a.text;
    EXPECT_EQ(a.json["id"], answers[0].json["id"]);
  }
}

}  // namespace
}  // namespace rogatory::e2e
