// Deploying workflow definitions without a restart (issue 10): POST /v1/workflows, the
// `workflows:` folder reloaded on SIGHUP, and a version deployed on one node used on another.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "api.h"

namespace rogatory::e2e {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteText(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

// The fixture's version 2 renumbered as `version` (and retitled), a valid new definition.
std::string CaseVersion(int version, const std::string& title = "E2E case (deployed)") {
  std::string text = ReadText(FixtureWorkflowsDir() + "/case.v2.yaml");
  text.replace(text.find("version: 2"), 10, "version: " + std::to_string(version));
  text.replace(text.find("title: E2E case (v2)"), 20, "title: " + title);
  return text;
}

// A copy of the fixture workflows that a test may change.
std::string CopyOfFixtureWorkflows() {
  const std::string dir = MakeTempDir("rogatory-e2e-wf");
  for (const auto& f : std::filesystem::directory_iterator(FixtureWorkflowsDir())) {
    std::filesystem::copy_file(f.path(), dir + "/" + f.path().filename().string());
  }
  return dir;
}

// The versions of `case` that GET /v1/workflows lists, each with its entry.
std::map<int, json> CaseVersions(Api& api) {
  std::map<int, json> out;
  Answer a = api.Get("/v1/workflows", kAdminToken);
  EXPECT_EQ(a.status, 200) << a.text;
  for (const json& w : a.json) {
    if (w["workflow"] == "case") out[w["version"].get<int>()] = w;
  }
  return out;
}

Answer Deploy(Api& api, const std::string& yaml, const std::string& token = kAdminToken) {
  return api.Post("/v1/workflows", token, yaml);  // curl sends it as YAML in docs/api.md
}

TEST(DeployTest, AdminDeploysAVersionThatServesAtOnceAndSurvivesARestart) {
  ServerProcess server(MakeTempDir("rogatory-e2e-deploy"));
  ServerConfig config;
  config.store_url = FreshStoreUrl();
  config.workflows_dir = FixtureWorkflowsDir();
  ASSERT_EQ(server.Start(config), "");
  Api api(server.port());

  EXPECT_EQ(Deploy(api, CaseVersion(3), kClerkToken).status, 403);
  Answer first = Deploy(api, CaseVersion(3));
  ASSERT_EQ(first.status, 201) << first.text;
  EXPECT_EQ(first.json["workflow"], "case");
  EXPECT_EQ(first.json["version"], 3);
  EXPECT_EQ(first.json["source"], "api");
  EXPECT_EQ(first.json["deployed_by"], "ops.admin");
  Answer again = Deploy(api, CaseVersion(3));  // the same text: nothing changes
  EXPECT_EQ(again.status, 200) << again.text;
  EXPECT_EQ(again.json["loaded_at"], first.json["loaded_at"]);
  Answer changed = Deploy(api, CaseVersion(3, "Another text"));  // versions never change
  EXPECT_EQ(changed.status, 409) << changed.text;
  EXPECT_EQ(changed.ErrorCode(), "already_exists");

  // Used at once, and the default for requests that name no version.
  Answer created = api.Post("/v1/requests", kClerkToken,
                            json{{"workflow", "case"}, {"data", {{"title", "deployed"}}}});
  ASSERT_EQ(created.status, 201) << created.text;
  EXPECT_EQ(created.json["version"], 3);

  std::map<int, json> listed = CaseVersions(api);
  ASSERT_EQ(listed.size(), 3u);
  EXPECT_EQ(listed[3]["source"], "api");
  EXPECT_EQ(listed[3]["deployed_by"], "ops.admin");
  EXPECT_EQ(listed[1]["source"], FixtureWorkflowsDir() + "/case.v1.yaml");
  EXPECT_FALSE(listed[1].contains("deployed_by"));
  EXPECT_TRUE(listed[1]["loaded_at"].is_string());

  // The store keeps it: a restart with the same folder still serves version 3.
  ASSERT_EQ(server.Stop(SIGTERM), 0) << server.Log();
  ASSERT_EQ(server.Start(config), "");
  Api after(server.port());
  listed = CaseVersions(after);
  ASSERT_EQ(listed.size(), 3u) << server.Log();
  EXPECT_EQ(listed[3]["source"], "api");
  Answer got = after.Get("/v1/requests/" + created.json["id"].get<std::string>(), kClerkToken);
  EXPECT_EQ(got.status, 200) << got.text;
  EXPECT_EQ(server.Stop(SIGTERM), 0) << server.Log();
}

TEST(DeployTest, InvalidDefinitionIsRefusedWithEveryProblemAndItsLine) {
  ServerProcess server(MakeTempDir("rogatory-e2e-deploy"));
  ServerConfig config;
  config.store_url = FreshStoreUrl();
  config.workflows_dir = FixtureWorkflowsDir();
  ASSERT_EQ(server.Start(config), "");
  Api api(server.port());

  std::string text = CaseVersion(3);
  text.replace(text.find("phase: drafting"), 15, "phase: nowhere");
  Answer a = Deploy(api, text);
  ASSERT_EQ(a.status, 422) << a.text;
  EXPECT_EQ(a.ErrorCode(), "invalid_argument");
  ASSERT_TRUE(a.json["error"]["details"].is_array()) << a.text;
  ASSERT_GE(a.json["error"]["details"].size(), 1u);
  const json& d = a.json["error"]["details"][0];
  EXPECT_GT(d["line"].get<int>(), 1);
  EXPECT_NE(d["message"].get<std::string>().find("unknown phase 'nowhere'"), std::string::npos)
      << a.text;
  EXPECT_EQ(Deploy(api, "workflow: [").status, 422);
  EXPECT_EQ(CaseVersions(api).size(), 2u);  // nothing deployed
  EXPECT_EQ(server.Stop(SIGTERM), 0) << server.Log();
}

TEST(DeployTest, SighupReloadsTheFolderAndABadFileChangesNothing) {
  const std::string folder = CopyOfFixtureWorkflows();
  ServerProcess server(MakeTempDir("rogatory-e2e-deploy"));
  ServerConfig config;
  config.store_url = FreshStoreUrl();
  config.workflows_dir = folder;
  ASSERT_EQ(server.Start(config), "");
  Api api(server.port());

  // A new valid version next to a broken file, and one that changes a loaded version: refused.
  WriteText(folder + "/case.v3.yaml", CaseVersion(3));
  WriteText(folder + "/broken.yaml", "workflow: broken\nversion: [\n");
  ASSERT_EQ(kill(server.pid(), SIGHUP), 0);
  // True once the log holds `text` `times` times.
  auto waited = [&](const std::string& text, int times = 1) {
    for (auto until = steady_clock::now() + milliseconds(5000); steady_clock::now() < until;) {
      const std::string log = server.Log();
      int seen = 0;
      for (size_t at = log.find(text); at != std::string::npos; at = log.find(text, at + 1)) {
        ++seen;
      }
      if (seen >= times) return true;
      std::this_thread::sleep_for(milliseconds(20));
    }
    return false;
  };
  ASSERT_TRUE(waited("nothing changed")) << server.Log();
  EXPECT_NE(server.Log().find("broken.yaml:"), std::string::npos) << server.Log();
  EXPECT_EQ(CaseVersions(api).count(3), 0u);

  std::filesystem::remove(folder + "/broken.yaml");
  std::string v1 = ReadText(folder + "/case.v1.yaml");
  WriteText(folder + "/case.v1.yaml", v1 + "# a different text for a loaded version\n");
  ASSERT_EQ(kill(server.pid(), SIGHUP), 0);
  ASSERT_TRUE(waited("nothing changed", 2)) << server.Log();
  EXPECT_NE(server.Log().find("already loaded with different content"), std::string::npos);
  EXPECT_EQ(CaseVersions(api).count(3), 0u);

  WriteText(folder + "/case.v1.yaml", v1);
  ASSERT_EQ(kill(server.pid(), SIGHUP), 0);
  ASSERT_TRUE(waited("1 new definition(s)")) << server.Log();
  std::map<int, json> listed = CaseVersions(api);
  ASSERT_EQ(listed.count(3), 1u);
  EXPECT_EQ(listed[3]["source"], folder + "/case.v3.yaml");
  Answer created = api.Post("/v1/requests", kClerkToken,
                            json{{"workflow", "case"}, {"version", 3}, {"data", {{"title", "x"}}}});
  EXPECT_EQ(created.status, 201) << created.text;
  EXPECT_EQ(server.Stop(SIGTERM), 0) << server.Log();
}

TEST(DeployTest, TwoNodesOnOnePostgresqlUseAVersionDeployedOnEitherAtOnce) {
  if (StoreKind() != "postgresql") GTEST_SKIP() << "several nodes need PostgreSQL";
  ServerConfig config;
  config.store_url = FreshStoreUrl();
  config.workflows_dir = FixtureWorkflowsDir();
  const std::string dir = MakeTempDir("rogatory-e2e-deploy-nodes");
  ServerProcess a(dir + "/a"), b(dir + "/b");
  ASSERT_EQ(a.Start(config), "");
  ASSERT_EQ(b.Start(config), "");
  Api api_a(a.port()), api_b(b.port());

  // Named by a request on B right after A deployed it: B finds it in the store.
  ASSERT_EQ(Deploy(api_a, CaseVersion(3)).status, 201);
  Answer on_b = api_b.Post("/v1/requests", kClerkToken,
                           json{{"workflow", "case"}, {"version", 3}, {"data", {{"title", "b"}}}});
  ASSERT_EQ(on_b.status, 201) << on_b.text << b.Log();
  EXPECT_EQ(on_b.json["version"], 3);
  EXPECT_EQ(api_a.Fire(on_b.json["id"], "send", kClerkToken).status, 200);

  // Named by nobody: B's poll picks it up within a second, as the default version too.
  const auto deployed = steady_clock::now();
  ASSERT_EQ(Deploy(api_a, CaseVersion(4)).status, 201);
  bool seen = false;
  while (!seen && steady_clock::now() - deployed < milliseconds(1500)) {
    seen = CaseVersions(api_b).count(4) == 1;
    if (!seen) std::this_thread::sleep_for(milliseconds(50));
  }
  ASSERT_TRUE(seen) << b.Log();
  std::map<int, json> listed = CaseVersions(api_b);
  EXPECT_EQ(listed[4]["source"], "api");
  EXPECT_EQ(listed[4]["deployed_by"], "ops.admin");
  Answer newest = api_b.Post("/v1/requests", kClerkToken,
                             json{{"workflow", "case"}, {"data", {{"title", "newest"}}}});
  ASSERT_EQ(newest.status, 201) << newest.text;
  EXPECT_EQ(newest.json["version"], 4);

  // A different text for version 4 is refused on either node; the same text is accepted.
  EXPECT_EQ(Deploy(api_b, CaseVersion(4, "changed")).status, 409);
  EXPECT_EQ(Deploy(api_b, CaseVersion(4)).status, 200);
  // A version first deployed on B, with a text A never saw, is refused nowhere else either.
  ASSERT_EQ(Deploy(api_b, CaseVersion(5)).status, 201);
  EXPECT_EQ(Deploy(api_a, CaseVersion(5, "changed")).status, 409);
  EXPECT_EQ(a.Stop(SIGTERM), 0) << a.Log();
  EXPECT_EQ(b.Stop(SIGTERM), 0) << b.Log();
}

}  // namespace
}  // namespace rogatory::e2e
