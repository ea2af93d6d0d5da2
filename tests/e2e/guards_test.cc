// Guarded transitions (CONTRACT §7) through the real `rogatory serve`: the first alternative
// whose `when` holds fires, none holding is 409 failed_precondition and changes nothing, the
// offered events follow the guards, the definition serves `when`, and a PT2S clock's lapse
// picks its alternative on the request's data.
#include <gtest/gtest.h>
#include <signal.h>

#include <thread>

#include "api.h"

namespace rogatory::e2e {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

constexpr char kGuardedWorkflow[] = R"(workflow: guarded
version: 1
title: Guarded e2e workflow
fields:
  legal_basis: {type: enum, values: [ece_1957, bilateral], required: true}
  in_custody:  {type: boolean, default: true}
  warrant_ref: {type: string}
  persons:     {type: integer}
states:
  requested: {phase: transmission, initial: true}
  arrested:  {phase: execution}
  released:  {phase: closure, terminal: true}
deadlines:
  hold: {duration: PT2S, on_expiry: hold_lapsed}
transitions:
  - {event: arrest, from: requested, to: arrested, roles: [clerk], when: {legal_basis: ece_1957},
     start: [hold]}
  - {event: arrest, from: requested, to: arrested, roles: [clerk], require: [warrant_ref]}
  - {event: count, from: requested, roles: [clerk], when: {persons: {ge: 1, le: 10}}}
  - {event: hold_lapsed, from: arrested, to: released, roles: [system], when: {in_custody: true}}
  - {event: hold_lapsed, from: arrested, roles: [system]}
  - {event: release, from: [requested, arrested], to: released, roles: [clerk]}
)";

std::string WriteGuardsConfig(const std::string& dir) {
  return WriteClerkConfig(dir, "guarded.yaml", kGuardedWorkflow);
}

std::string Create(Api& api, json data) {
  Answer a = api.Post("/v1/requests", kClerkToken, json{{"workflow", "guarded"}, {"data", data}});
  EXPECT_EQ(a.status, 201) << a.text;
  return a.json.value("id", "");
}

std::vector<std::string> Offered(Api& api, const std::string& id) {
  Answer a = api.Get("/v1/requests/" + id + "/events", kClerkToken);
  EXPECT_EQ(a.status, 200) << a.text;
  std::vector<std::string> out;
  for (const auto& e : a.json) out.push_back(e.value("event", ""));
  return out;
}

TEST(GuardsE2eTest, AGuardedWorkflowThroughTheServer) {
  const std::string dir = MakeTempDir("rogatory-e2e-guards");
  ServerProcess server(dir + "/server");
  ASSERT_EQ(server.StartWithConfigFile(WriteGuardsConfig(dir), {}), "");
  Api api(server.port());

  Answer def = api.Get("/v1/workflows/guarded", kClerkToken);
  ASSERT_EQ(def.status, 200) << def.text;
  EXPECT_EQ(def.json["transitions"][0]["when"], (json{{"legal_basis", "ece_1957"}}));

  // None holds: 409 failed_precondition naming the event, nothing changes.
  const std::string counted = Create(api, {{"legal_basis", "bilateral"}});
  Answer refused = api.Fire(counted, "count", kClerkToken, {{"data", {{"persons", 11}}}});
  EXPECT_EQ(refused.status, 409) << refused.text;
  EXPECT_EQ(refused.ErrorCode(), "failed_precondition");
  EXPECT_NE(refused.text.find("count"), std::string::npos) << refused.text;
  EXPECT_EQ(api.Get("/v1/requests/" + counted, kClerkToken).json["revision"], 1);
  EXPECT_EQ(Offered(api, counted), (std::vector<std::string>{"arrest", "release"}));
  Answer events = api.Get("/v1/requests/" + counted + "/events", kClerkToken);
  EXPECT_EQ(events.json[0]["missing"], json::array({"warrant_ref"})) << events.text;
  EXPECT_EQ(api.Fire(counted, "count", kClerkToken, {{"data", {{"persons", 2}}}}).status, 200);
  EXPECT_EQ(Offered(api, counted), (std::vector<std::string>{"arrest", "count", "release"}));

  // The fallback alternative: no clock, and its own `require`.
  EXPECT_EQ(api.Fire(counted, "arrest", kClerkToken).status, 422);
  Answer bilateral =
      api.Fire(counted, "arrest", kClerkToken, {{"data", {{"warrant_ref", "IQ-7"}}}});
  ASSERT_EQ(bilateral.status, 200) << bilateral.text;
  EXPECT_EQ(bilateral.json["state"], "arrested");
  EXPECT_TRUE(bilateral.json["deadlines"].empty()) << bilateral.text;

  // The first alternative starts the PT2S clock; its lapse picks an alternative on the data.
  const std::string held = Create(api, {{"legal_basis", "ece_1957"}});
  const std::string free = Create(api, {{"legal_basis", "ece_1957"}, {"in_custody", false}});
  for (const auto& id : {held, free}) {
    Answer a = api.Fire(id, "arrest", kClerkToken);
    ASSERT_EQ(a.status, 200) << a.text;
    EXPECT_EQ(a.json["deadlines"].size(), 1u) << a.text;
  }
  bool lapsed = false;
  for (int i = 0; i < 100 && !lapsed; ++i) {
    std::this_thread::sleep_for(milliseconds(100));
    lapsed = api.Get("/v1/requests/" + held, kClerkToken).json["state"] == "released" &&
             api.Get("/v1/requests/" + free, kClerkToken).json["revision"] == 3;
  }
  ASSERT_TRUE(lapsed) << server.Log();
  Answer stayed = api.Get("/v1/requests/" + free, kClerkToken);
  EXPECT_EQ(stayed.json["state"], "arrested");
  Answer history = api.Get("/v1/requests/" + free + "/history", kClerkToken);
  EXPECT_EQ(history.json.back()["event"], "hold_lapsed");
  EXPECT_EQ(server.Stop(SIGTERM), 0) << server.Log();
}

}  // namespace
}  // namespace rogatory::e2e
