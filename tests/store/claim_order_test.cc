// Issue 16, schema 10: on SQLite a claim finds each (subscription, request) pair's oldest
// pending delivery by walking the subscription's pending rows in id order, without an index of
// them by request; PostgreSQL asks that index, rows another node is claiming skipped. Two nodes
// (two stores on one database) with four dispatchers each claim, retry and deliver the events of a
// few requests at once: each request's events must still reach the subscriber one at a time and in
// revision order, each exactly once.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "rogatory/sql_store.h"
#include "store_test_util.h"

namespace rogatory::testing {
namespace {

class ClaimOrderTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  void SetUp() override {
    db_ = std::make_unique<TestStore>(GetParam());
    ASSERT_TRUE(db_->status().ok()) << db_->status().ToString();
  }
  std::unique_ptr<TestStore> db_;
};

Subscription Hook(const std::string& id) {
  Subscription s;
  s.id = id;
  s.url = "https://consumer.example/hooks/" + id;
  s.secret = "whsec_c2VjcmV0";
  s.created_at = RequestBuilder::DefaultTime();
  return s;
}

TEST_P(ClaimOrderTest, TwoNodesDeliverEachRequestsEventsOneAtATimeInRevisionOrder) {
  constexpr int kRequests = 6;
  constexpr int kSteps = 5;
  constexpr int kDispatchersEach = 4;
  ASSERT_TRUE(db_->store().CreateSubscription(Hook("a")).ok());
  ASSERT_TRUE(db_->store().CreateSubscription(Hook("b")).ok());
  // The steps of the requests interleaved, as concurrent work writes them.
  std::vector<RequestBuilder> builders;
  for (int i = 0; i < kRequests; ++i) builders.emplace_back("r-" + std::to_string(i));
  for (int step = 0; step < kSteps; ++step) {
    for (RequestBuilder& b : builders) {
      Mutation m = step == 0 ? b.Create() : b.Step("note", "draft", Phase::kDrafting);
      m.notification = NotificationFor(m, kEventRequestTransitioned);
      ASSERT_TRUE(db_->store().Apply(m).ok());
    }
  }
  Result<std::unique_ptr<Store>> second = OpenStore(db_->url());
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  Store* nodes[2] = {&db_->store(), second->get()};

  std::mutex mu;
  // Per (subscription, request): the revision in flight (0: none) and the last delivered.
  std::map<std::pair<std::string, std::string>, int64_t> in_flight, delivered;
  std::vector<std::string> violations;
  std::atomic<int> done{0}, retried{0};
  const int total = 2 * kRequests * kSteps;
  std::vector<std::thread> dispatchers;
  for (int d = 0; d < 2 * kDispatchersEach; ++d) {
    dispatchers.emplace_back([&, d] {
      Store& store = *nodes[d % 2];
      const std::string owner = "node" + std::to_string(d % 2) + "-d" + std::to_string(d);
      ClaimLimit limit;
      limit.total = 3;
      limit.per_subscription = d % 4 == 0 ? 0 : 2;  // capped and uncapped claims both
      const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
      int attempt = 0;
      while (done.load() < total && std::chrono::steady_clock::now() < give_up) {
        Result<std::vector<Delivery>> got = store.ClaimDeliveries(T(0), owner, kMinute, limit);
        if (!got.ok()) {
          std::lock_guard<std::mutex> lock(mu);
          violations.push_back("claim: " + got.status().ToString());
          return;
        }
        for (const Delivery& delivery : *got) {
          const auto key = std::make_pair(delivery.subscription_id, delivery.request_id);
          {
            std::lock_guard<std::mutex> lock(mu);
            if (in_flight[key] != 0) {
              violations.push_back(delivery.request_id + " revision " +
                                   std::to_string(delivery.revision) + " claimed while " +
                                   std::to_string(in_flight[key]) + " was in flight");
            }
            if (delivery.revision != delivered[key] + 1) {
              violations.push_back(delivery.request_id + " revision " +
                                   std::to_string(delivery.revision) + " claimed after " +
                                   std::to_string(delivered[key]));
            }
            in_flight[key] = delivery.revision;
          }
          // Every third attempt fails and is retried at once (the same instant: due again).
          const bool retry = ++attempt % 3 == 0;
          DeliveryAttempt a{delivery.id,
                            owner,
                            retry ? DeliveryStatus::kPending : DeliveryStatus::kDelivered,
                            retry ? "HTTP 503" : "",
                            T(0),
                            false};
          std::lock_guard<std::mutex> lock(mu);
          // Recorded under the lock: the book and the store agree when another claim looks.
          const Status s = store.RecordDeliveryAttempt(a);
          if (!s.ok()) {
            violations.push_back("record: " + s.ToString());
            continue;
          }
          in_flight[key] = 0;
          if (retry) {
            retried.fetch_add(1);
          } else {
            delivered[key] = delivery.revision;
            done.fetch_add(1);
          }
        }
        if (got->empty()) std::this_thread::yield();
      }
    });
  }
  for (std::thread& t : dispatchers) t.join();
  EXPECT_TRUE(violations.empty()) << violations.size()
                                  << " violations, first: " << violations.front();
  EXPECT_EQ(done.load(), total);
  EXPECT_GT(retried.load(), 0);
  for (const auto& [key, revision] : delivered) {
    EXPECT_EQ(revision, kSteps) << key.first << " " << key.second;
  }
  EXPECT_EQ(delivered.size(), static_cast<size_t>(2 * kRequests));
}

INSTANTIATE_TEST_SUITE_P(Stores, ClaimOrderTest,
                         ::testing::Values(StoreKind::kSqlite, StoreKind::kPostgres),
                         [](const ::testing::TestParamInfo<StoreKind>& info) {
                           return StoreKindName(info.param);
                         });

}  // namespace
}  // namespace rogatory::testing
