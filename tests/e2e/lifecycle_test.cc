// The server as a process: restart with the data intact, SIGTERM answering in-flight calls,
// config and definition errors refused at startup, environment overrides, and the shipped
// workflows driven as in the README's curl session.
#include <gtest/gtest.h>

#include <atomic>
#include <ctime>
#include <fstream>
#include <thread>

#include "api.h"

namespace rogatory::e2e {
namespace {

using nlohmann::json;

TEST(LifecycleTest, RestartKeepsEveryAcknowledgedStep) {
  ServerProcess server(MakeTempDir("rogatory-e2e-restart"));
  ServerConfig config;
  config.store_url = FreshStoreUrl();
  config.workflows_dir = FixtureWorkflowsDir();
  ASSERT_EQ(server.Start(config), "");
  std::string id;
  json before;
  {
    Api api(server.port());
    id = api.CreateCase();
    ASSERT_EQ(api.Fire(id, "send", kClerkToken).status, 200);
    before = api.Get("/v1/requests/" + id + "/history", kClerkToken).json;
  }
  ASSERT_EQ(server.Stop(SIGTERM), 0) << server.Log();
  ASSERT_EQ(server.Start(config), "");
  Api api(server.port());
  Answer r = api.Get("/v1/requests/" + id, kClerkToken);
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(r.json["state"], "sent");
  EXPECT_EQ(r.json["revision"], 2);
  EXPECT_EQ(r.json["deadlines"].size(), 1u);
  EXPECT_EQ(api.Get("/v1/requests/" + id + "/history", kClerkToken).json, before);
  EXPECT_EQ(api.Fire(id, "accept", kJudgeToken).status, 200);
  EXPECT_EQ(server.Stop(SIGINT), 0) << server.Log();
}

TEST(LifecycleTest, SigtermAnswersInFlightCallsAndLosesNothingAcknowledged) {
  ServerProcess server(MakeTempDir("rogatory-e2e-sigterm"));
  ServerConfig config;
  config.store_url = FreshStoreUrl();
  config.workflows_dir = FixtureWorkflowsDir();
  ASSERT_EQ(server.Start(config), "");
  std::string id;
  {
    Api api(server.port());
    id = api.CreateCase();
  }
  std::atomic<int> acknowledged{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int c = 0; c < 4; ++c) {
    clients.emplace_back([&, port = server.port()] {
      Api api(port);
      while (!stop) {
        Answer a = api.Fire(id, "note", kClerkToken);
        if (a.status == 200) {
          ++acknowledged;
        } else if (a.status == 0) {
          return;  // the server is gone
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_EQ(server.Stop(SIGTERM), 0) << server.Log();
  stop = true;
  for (auto& t : clients) t.join();
  EXPECT_GT(acknowledged.load(), 0);
  EXPECT_NE(server.Log().find("stopped cleanly"), std::string::npos) << server.Log();

  ASSERT_EQ(server.Start(config), "");
  Api api(server.port());
  Answer r = api.Get("/v1/requests/" + id, kClerkToken);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json["revision"], 1 + acknowledged.load());
  server.Stop(SIGTERM);
}

TEST(LifecycleTest, UnknownConfigKeyIsRefusedWithFileAndLine) {
  const std::string dir = MakeTempDir("rogatory-e2e-config");
  const std::string path = dir + "/bad.yaml";
  std::ofstream(path) << "listen: 127.0.0.1:1\nlimits:\n  max_body: 1024\n  max_bodies: 5\n";
  std::string out;
  EXPECT_EQ(RunRogatory({"serve", "--config", path}, dir, &out), 2);
  EXPECT_NE(out.find(path + ":4: unknown key 'limits.max_bodies'"), std::string::npos) << out;
}

TEST(LifecycleTest, InvalidDefinitionsAreRefusedWithFileAndLine) {
  const std::string dir = MakeTempDir("rogatory-e2e-defs");
  std::ofstream(dir + "/broken.yaml") << "workflow: broken\nversion: 1\ntitle: B\n"
                                         "states:\n  a: {phase: drafting, initial: true}\n"
                                         "transitions:\n  - {event: go, from: a, to: nowhere}\n";
  std::string out;
  EXPECT_EQ(RunRogatory({"serve"}, dir, &out,
                        {{"ROGATORY_WORKFLOWS", dir},
                         {"ROGATORY_STORE", "memory:"},
                         {"ROGATORY_LISTEN", "127.0.0.1:" + std::to_string(FreePort())}}),
            1);
  EXPECT_NE(out.find(dir + "/broken.yaml:"), std::string::npos) << out;
}

TEST(LifecycleTest, EnvironmentOverridesTheConfigFile) {
  const std::string dir = MakeTempDir("rogatory-e2e-env");
  std::string out;
  EXPECT_EQ(RunRogatory({"serve"}, dir, &out, {{"ROGATORY_LIMITS_MAX_BODY", "lots"}}), 2);
  EXPECT_NE(out.find("environment ROGATORY_LIMITS_MAX_BODY"), std::string::npos) << out;

  // The file allows 8192-byte bodies and JSON logs; the environment lowers the limit and asks
  // for text logs.
  ServerProcess server(dir + "/server");
  ServerConfig config;
  config.store_url = "memory:";
  config.workflows_dir = FixtureWorkflowsDir();
  ASSERT_EQ(server.Start(config), "");
  const std::string config_path = server.config_path();
  server.Stop(SIGTERM);
  ASSERT_EQ(server.StartWithConfigFile(config_path, {{"ROGATORY_LIMITS_MAX_BODY", "2048"},
                                                     {"ROGATORY_LOG_FORMAT", "text"}}),
            "");
  Api api(server.port());
  Answer a = api.Post("/v1/requests", kClerkToken,
                      json{{"workflow", "case"}, {"data", {{"title", std::string(4000, 'x')}}}});
  EXPECT_EQ(a.status, 413) << a.text;
  server.Stop(SIGTERM);
  EXPECT_NE(server.Log().find(" info http request_id="), std::string::npos) << server.Log();
}

// The README's curl session, with the shipped config (its demo tokens) and the shipped workflows:
// create an EIO and move it from draft to recognition.
TEST(ShippedWorkflowsTest, ReadmeSessionCreatesAnEioAndMovesIt) {
  ServerProcess server(MakeTempDir("rogatory-e2e-shipped"));
  ASSERT_EQ(server.StartWithConfigFile(ROGATORY_E2E_SHIPPED_CONFIG,
                                       {{"ROGATORY_STORE", FreshStoreUrl()},
                                        {"ROGATORY_WORKFLOWS", ShippedWorkflowsDir()}}),
            "")
      << "the shipped config and workflows must start";
  Api api(server.port());
  const std::string ana = "demo-issuing-token";
  const std::string eva = "demo-executing-token";
  Answer workflows = api.Get("/v1/workflows", ana);
  ASSERT_EQ(workflows.status, 200);
  bool has_eio = false;
  for (const auto& w : workflows.json) has_eio = has_eio || w["workflow"] == "eio";
  ASSERT_TRUE(has_eio);

  Answer created = api.Post("/v1/requests", ana,
                            json{{"workflow", "eio"},
                                 {"data", {{"issuing_state", "FR"}, {"executing_state", "DE"}}},
                                 {"references", {{"issuing", "PAR-2026-0042"}}}});
  ASSERT_EQ(created.status, 201) << created.text;
  const std::string id = created.json["id"];
  EXPECT_EQ(created.json["state"], "draft");

  Answer issued = api.Fire(id, "issue", ana,
                           {{"data",
                             {{"issuing_authority_details", "Parquet de Paris"},
                              {"issuing_authority_type", "public_prosecutor"},
                              {"offence_classification", "fraud"},
                              {"measures", {"banking_information"}}}}});
  ASSERT_EQ(issued.status, 200) << issued.text;
  EXPECT_EQ(issued.json["state"], "issued");
  // The shipped config's two authorities (CONTRACT §8): Berlin does not see Paris's draft, as if
  // it did not exist, until the transmission names it the executing party.
  Answer hidden = api.Get("/v1/requests/" + id, eva);
  EXPECT_EQ(hidden.status, 404) << hidden.text;
  Answer unknown = api.Get("/v1/requests/01UNKNOWN", eva);
  EXPECT_EQ(hidden.ErrorCode(), unknown.ErrorCode());
  Answer eva_list = api.Get("/v1/requests?workflow=eio", eva);
  ASSERT_EQ(eva_list.status, 200);
  EXPECT_TRUE(eva_list.json["items"].empty()) << eva_list.text;
  Answer transmitted =
      api.Fire(id, "transmit", ana,
               {{"data", {{"channel", "e_codex"}}}, {"parties", {{"executing", "de.sta_berlin"}}}});
  ASSERT_EQ(transmitted.status, 200) << transmitted.text;
  EXPECT_EQ(transmitted.json["phase"], "transmission");
  EXPECT_EQ(api.Get("/v1/requests/" + id, eva).status, 200);
  EXPECT_EQ(api.Fire(id, "receive", ana).status, 403);  // not the executing side
  // eio version 3: received by the competent executing authority, straight to recognition with
  // the Annex B and 30-day clocks (Art. 12(3)); Annex B is then a record. Received now, as the
  // README says: a receipt dated in the past would start a 30-day clock that is already due, and
  // the server's scheduler could lapse it (a new revision) before the acknowledgement below.
  const std::time_t seconds = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char now_text[32];
  std::strftime(now_text, sizeof now_text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  const std::string now = now_text;
  Answer received = api.Fire(id, "receive", eva,
                             {{"data",
                               {{"receiver", "competent_executing_authority"},
                                {"received_at", now},
                                {"competent_receipt_on", now.substr(0, 10)}}}});
  ASSERT_EQ(received.status, 200) << received.text;
  EXPECT_EQ(received.json["version"], 3);
  EXPECT_EQ(received.json["deadlines"].size(), 2u);
  Answer acknowledged = api.Fire(id, "acknowledge", eva, {{"expected_revision", 4}});
  ASSERT_EQ(acknowledged.status, 200) << acknowledged.text;
  EXPECT_EQ(acknowledged.json["state"], "under_recognition");
  EXPECT_EQ(acknowledged.json["phase"], "execution");
  Answer history = api.Get("/v1/requests/" + id + "/history", ana);
  ASSERT_EQ(history.status, 200);
  EXPECT_EQ(history.json.size(), 5u);
  EXPECT_EQ(server.Stop(SIGTERM), 0) << server.Log();
}

}  // namespace
}  // namespace rogatory::e2e
