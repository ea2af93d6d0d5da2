// Clocks of CONTRACT §7 through the real `rogatory serve`, in seconds: a `while` clock that
// counts from a datetime field starts on entering its states, lapses by the scheduler, stays
// on the request (`lapsed`, `lapsed_at`) and in `overdue=true`, is kept between its states,
// is revived by `extend` and goes when the request closes.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <ctime>
#include <thread>

#include "api.h"

namespace rogatory::e2e {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

constexpr char kClockedWorkflow[] = R"(workflow: clocked
version: 1
title: Clocks e2e workflow
fields:
  surrender_at: {type: datetime}
states:
  requested: {phase: execution, initial: true}
  agreed:    {phase: execution}
  postponed: {phase: execution}
  released:  {phase: closure, terminal: true}
deadlines:
  limit: {duration: PT1S, from_field: surrender_at, while: [agreed, postponed],
          on_expiry: limit_expired, extension: PT1H}
transitions:
  - {event: agree, from: requested, to: agreed, roles: [clerk], require: [surrender_at]}
  - {event: postpone, from: agreed, to: postponed, roles: [clerk]}
  - {event: extend, from: [agreed, postponed], roles: [clerk], extend: [limit]}
  - {event: limit_expired, from: [agreed, postponed], roles: [system]}
  - {event: release, from: "*", to: released, roles: [clerk]}
)";

std::string WriteClocksConfig(const std::string& dir) {
  return WriteClerkConfig(dir, "clocked.yaml", kClockedWorkflow);
}

// `t` as RFC 3339 UTC to the second ("2026-03-02T09:00:05Z").
std::string Utc(std::chrono::system_clock::time_point t) {
  const std::time_t s = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::vector<std::string> OverdueIds(Api& api) {
  Answer a = api.Get("/v1/requests?overdue=true", kClerkToken);
  EXPECT_EQ(a.status, 200) << a.text;
  std::vector<std::string> ids;
  for (const auto& r : a.json["items"]) ids.push_back(r.value("id", ""));
  return ids;
}

TEST(ClocksE2eTest, AFromFieldWhileClockThroughTheServer) {
  const std::string dir = MakeTempDir("rogatory-e2e-clocks");
  ServerProcess server(dir + "/server");
  ASSERT_EQ(server.StartWithConfigFile(WriteClocksConfig(dir), {}), "");
  Api api(server.port());

  Answer def = api.Get("/v1/workflows/clocked", kClerkToken);
  ASSERT_EQ(def.status, 200) << def.text;
  EXPECT_EQ(def.json["deadlines"]["limit"]["from_field"], "surrender_at");
  EXPECT_EQ(def.json["deadlines"]["limit"]["while"], json::array({"agreed", "postponed"}));

  Answer created = api.Post("/v1/requests", kClerkToken, json{{"workflow", "clocked"}});
  ASSERT_EQ(created.status, 201) << created.text;
  const std::string id = created.json.value("id", "");
  EXPECT_TRUE(created.json["deadlines"].empty());
  // Entering `agreed` needs the field it counts from.
  EXPECT_EQ(api.Fire(id, "agree", kClerkToken).status, 422);

  // The clock counts 1 s from the agreed instant, 2 s from now.
  const auto agreed_at = std::chrono::system_clock::now() + std::chrono::seconds(1);
  Answer agreed =
      api.Fire(id, "agree", kClerkToken, {{"data", {{"surrender_at", Utc(agreed_at)}}}});
  ASSERT_EQ(agreed.status, 200) << agreed.text;
  ASSERT_EQ(agreed.json["deadlines"].size(), 1u) << agreed.text;
  const json clock = agreed.json["deadlines"][0];
  EXPECT_EQ(clock["name"], "limit");
  EXPECT_EQ(clock["lapsed"], false);
  EXPECT_EQ(clock["due_at"].get<std::string>().substr(0, 19),
            Utc(agreed_at + std::chrono::seconds(1)).substr(0, 19));
  EXPECT_TRUE(OverdueIds(api).empty());

  // The scheduler lapses it; it stays, marked, and the request is overdue.
  json lapsed;
  for (int i = 0; i < 100; ++i) {
    std::this_thread::sleep_for(milliseconds(100));
    Answer r = api.Get("/v1/requests/" + id, kClerkToken);
    if (!r.json["deadlines"].empty() && r.json["deadlines"][0].value("lapsed", false)) {
      lapsed = r.json;
      break;
    }
  }
  ASSERT_FALSE(lapsed.is_null()) << server.Log();
  EXPECT_EQ(lapsed["state"], "agreed");
  EXPECT_TRUE(lapsed["deadlines"][0].contains("lapsed_at")) << lapsed.dump();
  EXPECT_EQ(lapsed["revision"], 3);
  EXPECT_EQ(OverdueIds(api), std::vector<std::string>{id});
  Answer history = api.Get("/v1/requests/" + id + "/history", kClerkToken);
  EXPECT_EQ(history.json.back()["event"], "limit_expired");
  // Never lapsed twice.
  std::this_thread::sleep_for(milliseconds(1500));
  EXPECT_EQ(api.Get("/v1/requests/" + id, kClerkToken).json["revision"], 3);

  // Between its states it stays lapsed; `extend` makes it run again (an hour from its due time).
  Answer postponed = api.Fire(id, "postpone", kClerkToken);
  ASSERT_EQ(postponed.status, 200) << postponed.text;
  EXPECT_EQ(postponed.json["deadlines"][0]["lapsed"], true);
  Answer extended = api.Fire(id, "extend", kClerkToken);
  ASSERT_EQ(extended.status, 200) << extended.text;
  EXPECT_EQ(extended.json["deadlines"][0]["lapsed"], false);
  EXPECT_FALSE(extended.json["deadlines"][0].contains("lapsed_at"));
  EXPECT_EQ(extended.json["deadlines"][0]["due_at"].get<std::string>().substr(0, 19),
            Utc(agreed_at + std::chrono::seconds(3601)).substr(0, 19));
  EXPECT_TRUE(OverdueIds(api).empty());

  Answer released = api.Fire(id, "release", kClerkToken);
  ASSERT_EQ(released.status, 200) << released.text;
  EXPECT_TRUE(released.json["deadlines"].empty());
  EXPECT_EQ(server.Stop(SIGTERM), 0) << server.Log();
}

}  // namespace
}  // namespace rogatory::e2e
