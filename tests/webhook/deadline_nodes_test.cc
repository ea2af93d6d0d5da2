// Deadlines on a durable store shared by two nodes: each lapse fires exactly once, whichever
// node claims it, and a lapse that fell due while no scheduler ran fires at the next start.
#include <gtest/gtest.h>

#include <thread>

#include "rogatory/deadline_scheduler.h"
#include "rogatory/sql_store.h"
#include "webhook_test_env.h"

namespace rogatory::testing {
namespace {

using std::chrono::milliseconds;

int CountLapses(Engine& engine, const RequestId& id) {
  auto history = engine.History(id);
  EXPECT_TRUE(history.ok()) << history.status().ToString();
  int n = 0;
  if (history.ok()) {
    for (const auto& h : *history) n += h.event == "reply_overdue" ? 1 : 0;
  }
  return n;
}

class DeadlineNodesTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  DeadlineNodesTest() : env_(GetParam()) {}
  WebhookEnv env_;
};

TEST_P(DeadlineNodesTest, TwoNodesFireEachLapseOnce) {
  // The second node: its own store connection and engine on the same database.
  auto opened = OpenStore(env_.url());
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Engine second(EngineOptions{std::shared_ptr<Store>(std::move(*opened)), nullptr});
  ASSERT_TRUE(second.LoadDefinition(ParseDefinition(kHookWorkflow, "h.yaml").definitions[0]).ok());

  DeadlineSchedulerOptions a, b;
  a.node_id = "node-a";
  b.node_id = "node-b";
  a.interval = b.interval = milliseconds(20);  // both nodes claim as often as they can
  DeadlineScheduler first(env_.engine(), a);
  DeadlineScheduler other(second, b);
  first.Start();
  other.Start();
  constexpr int kRequests = 40;
  std::vector<RequestId> ids;
  for (int i = 0; i < kRequests; ++i) {
    ids.push_back(env_.Create());
    env_.Fire(ids.back(), "arm");  // PT1S
  }
  const auto until = std::chrono::steady_clock::now() + milliseconds(8000);
  while (first.stats().fired + other.stats().fired < kRequests &&
         std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  std::this_thread::sleep_for(milliseconds(300));  // room for a (wrong) second firing
  first.Stop();
  other.Stop();
  EXPECT_EQ(first.stats().fired + other.stats().fired, static_cast<uint64_t>(kRequests));
  for (const auto& id : ids) EXPECT_EQ(CountLapses(env_.engine(), id), 1) << id;
}

TEST_P(DeadlineNodesTest, LapseDueWhileNoNodeRanFiresAtTheNextStart) {
  RequestId id = env_.Create();
  env_.Fire(id, "arm");
  std::this_thread::sleep_for(milliseconds(1300));  // due while nothing runs
  EXPECT_EQ(CountLapses(env_.engine(), id), 0);
  DeadlineScheduler scheduler(env_.engine());
  const auto start = std::chrono::steady_clock::now();
  scheduler.Start();
  while (scheduler.stats().fired == 0 &&
         std::chrono::steady_clock::now() - start < milliseconds(2000)) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(1000));
  scheduler.Stop();
  EXPECT_EQ(CountLapses(env_.engine(), id), 1);
}

INSTANTIATE_TEST_SUITE_P(Stores, DeadlineNodesTest,
                         ::testing::Values(StoreKind::kSqlite, StoreKind::kPostgres),
                         [](const auto& info) { return StoreKindName(info.param); });

}  // namespace
}  // namespace rogatory::testing
