// `rogatory serve` killed (SIGKILL) while clients fire events at it: every event it acknowledged
// (answered 200) is in the store when it starts again. On SQLite this covers the background WAL
// checkpointer (adapters/store/src/checkpointer.h): under load it copies the WAL into the
// database file while commits go on, so a kill lands during checkpoints too.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "api.h"

namespace rogatory::e2e {
namespace {

constexpr int kClients = 4;
constexpr int kRequestsPerClient = 4;
constexpr int kRounds = 3;

TEST(KillUnderLoadTest, EveryAcknowledgedEventSurvivesSigkill) {
  const std::string store = FreshStoreUrl();
  std::map<std::string, int64_t> acked;  // request id -> highest revision answered 200
  std::mt19937 rng(std::random_device{}());
  for (int round = 0; round < kRounds; ++round) {
    ServerProcess server(MakeTempDir("rogatory-kill"));
    ServerConfig config;
    config.store_url = store;
    config.workflows_dir = FixtureWorkflowsDir();
    ASSERT_EQ(server.Start(config), "") << "round " << round;
    // Every round's requests are checked in every later round too.
    std::vector<std::vector<std::string>> ids(kClients);
    {
      Api api(server.port());
      for (auto& mine : ids) {
        for (int i = 0; i < kRequestsPerClient; ++i) mine.push_back(api.CreateCase());
      }
    }
    std::mutex mu;
    std::atomic<int64_t> answered{0};
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
      clients.emplace_back([&, c] {
        Api api(server.port());
        for (size_t n = 0;; ++n) {
          const std::string& id = ids[static_cast<size_t>(c)][n % kRequestsPerClient];
          Answer a = api.Fire(id, "note", kClerkToken, {{"data", {{"remark", "load"}}}});
          if (a.status == 0) return;  // the server is gone
          if (a.status != 200) continue;
          ++answered;
          std::lock_guard lock(mu);
          int64_t& best = acked[id];
          best = std::max<int64_t>(best, a.json.value("revision", int64_t{0}));
        }
      });
    }
    // Kill at a random moment once events flow.
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (answered.load() < 50 && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(50, 600)(rng)));
    EXPECT_EQ(server.Stop(SIGKILL), 128 + SIGKILL) << "round " << round;
    for (auto& t : clients) t.join();
    ASSERT_GE(answered.load(), 50) << "round " << round << ": the load never got going";

    ServerProcess again(MakeTempDir("rogatory-kill"));
    ASSERT_EQ(again.Start(config), "") << "round " << round << ": " << again.Log();
    Api api(again.port());
    for (const auto& [id, revision] : acked) {
      Answer r = api.Get("/v1/requests/" + id, kClerkToken);
      ASSERT_EQ(r.status, 200) << "round " << round << ": acknowledged request " << id << " lost";
      EXPECT_GE(r.json.value("revision", int64_t{0}), revision)
          << "round " << round << ": " << id << " lost an acknowledged event";
      Answer h = api.Get("/v1/requests/" + id + "/history", kClerkToken);
      ASSERT_EQ(h.status, 200) << h.text;
    }
    EXPECT_EQ(again.Stop(SIGTERM), 0) << again.Log();
  }
}

}  // namespace
}  // namespace rogatory::e2e
