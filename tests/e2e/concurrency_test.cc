// Eight clients race one transition: exactly one wins (200), the others get 409.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "api.h"

namespace rogatory::e2e {
namespace {

using nlohmann::json;

// Fires `event` from `clients` threads at once (each with its own connection, released together)
// and returns the statuses.
std::vector<int> Race(const std::string& id, const std::string& event, const json& extra,
                      int clients) {
  std::vector<int> statuses(static_cast<size_t>(clients), 0);
  std::mutex mu;
  std::condition_variable cv;
  int ready = 0;
  bool go = false;
  std::vector<std::thread> threads;
  for (int i = 0; i < clients; ++i) {
    threads.emplace_back([&, i] {
      Api api;
      api.Get("/v1/health", "");  // open the connection before the race
      {
        std::unique_lock lock(mu);
        ++ready;
        cv.notify_all();
        cv.wait(lock, [&] { return go; });
      }
      statuses[static_cast<size_t>(i)] = api.Fire(id, event, kClerkToken, extra).status;
    });
  }
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return ready == clients; });
    go = true;
    cv.notify_all();
  }
  for (auto& t : threads) t.join();
  return statuses;
}

TEST(ConcurrencyTest, EightClientsRaceOneTransitionExactlyOneWins) {
  for (int round = 0; round < 3; ++round) {
    Api api;
    const std::string id = api.CreateCase();
    std::vector<int> statuses = Race(id, "send", json::object(), 8);
    int ok = 0;
    int conflict = 0;
    for (int s : statuses) {
      if (s == 200) ++ok;
      if (s == 409) ++conflict;
    }
    EXPECT_EQ(ok, 1) << "round " << round;
    EXPECT_EQ(conflict, 7) << "round " << round;
    Answer r = api.Get("/v1/requests/" + id, kClerkToken);
    EXPECT_EQ(r.json["revision"], 2);
    EXPECT_EQ(r.json["state"], "sent");
    EXPECT_EQ(api.Get("/v1/requests/" + id + "/history", kClerkToken).json.size(), 2u);
  }
}

TEST(ConcurrencyTest, EightClientsRaceWithExpectedRevisionExactlyOneWins) {
  Api api;
  const std::string id = api.CreateCase();
  std::vector<int> statuses = Race(id, "note", json{{"expected_revision", 1}}, 8);
  int ok = 0;
  int conflict = 0;
  for (int s : statuses) {
    if (s == 200) ++ok;
    if (s == 409) ++conflict;
  }
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(conflict, 7);
  EXPECT_EQ(api.Get("/v1/requests/" + id, kClerkToken).json["revision"], 2);
}

TEST(ConcurrencyTest, StayTransitionsWithoutExpectedRevisionAllApply) {
  Api api;
  const std::string id = api.CreateCase();
  std::vector<int> statuses = Race(id, "note", json::object(), 8);
  for (int s : statuses) EXPECT_EQ(s, 200);
  EXPECT_EQ(api.Get("/v1/requests/" + id, kClerkToken).json["revision"], 9);
}

}  // namespace
}  // namespace rogatory::e2e
