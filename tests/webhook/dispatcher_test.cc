// The dispatcher against real HTTP(S) receivers on loopback: signed sends, retries with the same
// webhook-id, timeouts, 410, 429 + Retry-After, vanished consumers, dead letters and the retry
// route, on the memory, SQLite and PostgreSQL stores.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "loopback_receiver.h"
#include "rogatory/deadline_scheduler.h"
#include "rogatory/forwarding_store.h"
#include "rogatory/webhook_dispatcher.h"
#include "webhook_test_env.h"

namespace rogatory::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class DispatcherTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  DispatcherTest() : env_(GetParam()) {}

  // Waits until no delivery is pending.
  bool WaitSettled(milliseconds limit = milliseconds(5000)) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      if (env_.Deliveries(DeliveryStatus::kPending).empty()) return true;
      std::this_thread::sleep_for(milliseconds(10));
    }
    return false;
  }

  WebhookEnv env_;
  const std::string secret_ = NewSecret();
};

TEST_P(DispatcherTest, SendsSignedEventsInStandardWebhooksFormat) {
  LoopbackReceiver receiver(secret_);
  env_.Subscribe(receiver.url("/hooks/rogatory?tenant=a"), secret_);
  WebhookDispatcher dispatcher(env_.shared(), FastOptions());
  dispatcher.Start();
  RequestId id = env_.Create();
  env_.Fire(id);
  ASSERT_TRUE(receiver.WaitForAcknowledged(2, milliseconds(3000)));
  dispatcher.Stop();

  auto got = receiver.received();
  ASSERT_EQ(got.size(), 2u);
  auto deliveries = env_.Deliveries();
  ASSERT_EQ(deliveries.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(got[i].verify_error, "");
    EXPECT_EQ(got[i].id, "msg_" + deliveries[i].id);
    EXPECT_EQ(got[i].content_type, "application/json");
    EXPECT_EQ(got[i].body, deliveries[i].body);  // signed and sent byte for byte
    EXPECT_EQ(deliveries[i].status, DeliveryStatus::kDelivered);
    EXPECT_EQ(deliveries[i].attempts, 1);
  }
  EXPECT_EQ(got[0].type(), "request.created");
  EXPECT_EQ(got[1].type(), "request.transitioned");
  const auto& data = got[1].json["data"];
  EXPECT_EQ(data["request_id"], id);
  EXPECT_EQ(data["workflow"], "hooks");
  EXPECT_EQ(data["version"], 1);
  EXPECT_EQ(data["event"], "ping");
  EXPECT_EQ(data["from"], "open");
  EXPECT_EQ(data["to"], "open");
  EXPECT_EQ(data["phase"], "drafting");
  EXPECT_EQ(data["revision"], 2);
  EXPECT_EQ(data["actor"], "cleo.clerk");
  EXPECT_TRUE(data.contains("at"));
  EXPECT_TRUE(got[1].json.contains("timestamp"));
  EXPECT_EQ(dispatcher.stats().delivered, 2u);
  EXPECT_EQ(dispatcher.stats().latency_count, 2u);
}

TEST_P(DispatcherTest, RetriesUntilAcknowledgedUnderTheSameWebhookId) {
  LoopbackReceiver receiver(secret_, FailFirst(3, 500));
  env_.Subscribe(receiver.url(), secret_);
  WebhookDispatcher dispatcher(env_.shared(), FastOptions());
  dispatcher.Start();
  env_.Create();
  ASSERT_TRUE(receiver.WaitForAcknowledged(1, milliseconds(5000)));
  dispatcher.Stop();

  auto got = receiver.received();
  ASSERT_EQ(got.size(), 4u);
  for (const auto& r : got) {
    EXPECT_EQ(r.id, got[0].id);  // consumers drop duplicates by webhook-id
    EXPECT_EQ(r.verify_error, "");
  }
  for (size_t i = 1; i < got.size(); ++i) {
    EXPECT_GE(got[i].at - got[i - 1].at, milliseconds(45)) << "retry came before its backoff";
  }
  auto d = env_.Deliveries().at(0);
  EXPECT_EQ(d.status, DeliveryStatus::kDelivered);
  EXPECT_EQ(d.attempts, 4);
  EXPECT_EQ(dispatcher.stats().retried, 3u);
}

TEST_P(DispatcherTest, RetryAfterIsHonouredOn429) {
  LoopbackReceiver receiver(secret_, [](const Received& r) {
    Reply reply;
    if (r.attempt == 1) {
      reply.status = 429;
      reply.headers = {{"Retry-After", "1"}};
    }
    return reply;
  });
  env_.Subscribe(receiver.url(), secret_);
  WebhookDispatcher dispatcher(env_.shared(), FastOptions());  // backoff alone: 50-100 ms
  dispatcher.Start();
  env_.Create();
  ASSERT_TRUE(receiver.WaitForAcknowledged(1, milliseconds(4000)));
  dispatcher.Stop();
  auto got = receiver.received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_GE(got[1].at - got[0].at, milliseconds(950));
}

TEST_P(DispatcherTest, RetryAfterDateIsHonouredOn503) {
  LoopbackReceiver receiver(secret_, [](const Received& r) {
    Reply reply;
    if (r.attempt == 1) {
      reply.status = 503;
      // Two seconds from now as an HTTP-date (whole seconds: at least one full second away).
      const auto at = std::chrono::system_clock::now() + seconds(2);
      const time_t t = std::chrono::system_clock::to_time_t(at);
      char buf[64];
      struct tm tm {};
      gmtime_r(&t, &tm);
      strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT", &tm);
      reply.headers = {{"Retry-After", buf}};
    }
    return reply;
  });
  env_.Subscribe(receiver.url(), secret_);
  WebhookDispatcher dispatcher(env_.shared(), FastOptions());
  dispatcher.Start();
  env_.Create();
  ASSERT_TRUE(receiver.WaitForAcknowledged(1, milliseconds(5000)));
  dispatcher.Stop();
  auto got = receiver.received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_GE(got[1].at - got[0].at, milliseconds(950));
}

TEST_P(DispatcherTest, ConsumerHangingPastTheTimeoutIsRetried) {
  LoopbackReceiver receiver(secret_, [](const Received& r) {
    Reply reply;
    if (r.attempt == 1) reply.delay = milliseconds(2000);  // the timeout is 500 ms
    return reply;
  });
  env_.Subscribe(receiver.url(), secret_);
  WebhookDispatcher dispatcher(env_.shared(), FastOptions());
  dispatcher.Start();
  env_.Create();
  ASSERT_TRUE(receiver.WaitUntil(
      [](const LoopbackReceiver& r) {
        auto got = r.received();
        return std::any_of(got.begin(), got.end(),
                           [](const Received& x) { return x.attempt == 2; });
      },
      milliseconds(5000)));
  ASSERT_TRUE(WaitSettled());
  dispatcher.Stop();
  auto d = env_.Deliveries().at(0);
  EXPECT_EQ(d.status, DeliveryStatus::kDelivered);
  EXPECT_EQ(d.attempts, 2);
  EXPECT_EQ(dispatcher.stats().retried, 1u);
}

TEST_P(DispatcherTest, GoneDeadLettersAndDisablesTheSubscription) {
  LoopbackReceiver receiver(secret_, [](const Received&) { return Reply{410, {}, {}}; });
  LoopbackReceiver other(secret_);
  const std::string gone = env_.Subscribe(receiver.url(), secret_);
  env_.Subscribe(other.url(), secret_);
  WebhookDispatcher dispatcher(env_.shared(), FastOptions());
  dispatcher.Start();
  RequestId id = env_.Create();
  ASSERT_TRUE(receiver.WaitUntil([](const LoopbackReceiver& r) { return !r.received().empty(); },
                                 milliseconds(3000)));
  ASSERT_TRUE(WaitSettled());
  EXPECT_FALSE(env_.store().GetSubscription(gone)->active);
  env_.Fire(id);  // the disabled subscription gets no more events; the other one does
  ASSERT_TRUE(other.WaitForAcknowledged(2, milliseconds(3000)));
  std::this_thread::sleep_for(milliseconds(200));
  dispatcher.Stop();
  EXPECT_EQ(receiver.received().size(), 1u);
  DeliveryQuery q;
  q.subscription_id = gone;
  auto page = env_.store().ListDeliveries(q);
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].status, DeliveryStatus::kDead);
  EXPECT_THAT(page->items[0].last_error, ::testing::HasSubstr("410"));
  EXPECT_EQ(dispatcher.stats().gone, 1u);
}

TEST_P(DispatcherTest, VanishedConsumerIsRetriedThenDeadLettered) {
  int port = 0;
  {
    LoopbackReceiver gone(secret_);
    port = gone.port();
  }  // nobody listens there any more
  env_.Subscribe("http://127.0.0.1:" + std::to_string(port) + "/hook", secret_);
  WebhookDispatcherOptions o = FastOptions();
  o.retry.max_attempts = 3;
  WebhookDispatcher dispatcher(env_.shared(), o);
  dispatcher.Start();
  env_.Create();
  ASSERT_TRUE(WaitSettled());
  dispatcher.Stop();
  auto d = env_.Deliveries().at(0);
  EXPECT_EQ(d.status, DeliveryStatus::kDead);
  EXPECT_EQ(d.attempts, 3);
  EXPECT_THAT(d.last_error, ::testing::HasSubstr("no answer"));
  EXPECT_THAT(d.last_error, ::testing::HasSubstr("gave up after 3 attempts"));
  EXPECT_EQ(dispatcher.stats().dead, 1u);
}

TEST_P(DispatcherTest, RetryRouteRequeuesADeadLetter) {
  LoopbackReceiver receiver(secret_, FailFirst(1, 500));
  env_.Subscribe(receiver.url(), secret_);
  WebhookDispatcherOptions o = FastOptions();
  o.retry.max_attempts = 1;
  WebhookDispatcher dispatcher(env_.shared(), o);
  dispatcher.Start();
  env_.Create();
  ASSERT_TRUE(WaitSettled());
  auto dead = env_.Deliveries(DeliveryStatus::kDead);
  ASSERT_EQ(dead.size(), 1u);
  ASSERT_TRUE(env_.store()
                  .RetryDelivery(dead[0].id, std::chrono::time_point_cast<Duration>(
                                                 std::chrono::system_clock::now()))
                  .ok());
  ASSERT_TRUE(receiver.WaitForAcknowledged(1, milliseconds(3000)));
  ASSERT_TRUE(WaitSettled());
  dispatcher.Stop();
  auto d = *env_.store().GetDelivery(dead[0].id);
  EXPECT_EQ(d.status, DeliveryStatus::kDelivered);
  EXPECT_EQ(d.attempts, 2);
  auto got = receiver.received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].id, got[1].id);
}

TEST_P(DispatcherTest, RedirectsAreNotFollowed) {
  LoopbackReceiver elsewhere(secret_);
  LoopbackReceiver receiver(secret_, [&elsewhere](const Received&) {
    return Reply{307, {{"Location", elsewhere.url()}}, {}};
  });
  env_.Subscribe(receiver.url(), secret_);
  WebhookDispatcherOptions o = FastOptions();
  o.retry.max_attempts = 2;
  WebhookDispatcher dispatcher(env_.shared(), o);
  dispatcher.Start();
  env_.Create();
  ASSERT_TRUE(WaitSettled());
  dispatcher.Stop();
  EXPECT_TRUE(elsewhere.received().empty());
  EXPECT_EQ(receiver.received().size(), 2u);
  auto d = env_.Deliveries().at(0);
  EXPECT_EQ(d.status, DeliveryStatus::kDead);
  EXPECT_THAT(d.last_error, ::testing::HasSubstr("HTTP 307"));
}

TEST_P(DispatcherTest, SlowConsumerDoesNotHoldUpOthers) {
  LoopbackReceiver slow(secret_, [](const Received&) {
    return Reply{200, {}, milliseconds(3000)};
  });
  LoopbackReceiver fast(secret_);
  env_.Subscribe(slow.url(), secret_);
  env_.Subscribe(fast.url(), secret_);
  WebhookDispatcherOptions o = FastOptions();
  o.timeout = milliseconds(2000);
  WebhookDispatcher dispatcher(env_.shared(), o);
  for (int i = 0; i < 12; ++i) env_.Create();  // 12 events for each subscription
  dispatcher.Start();
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(fast.WaitForAcknowledged(12, milliseconds(1500)));
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(1500));
  EXPECT_EQ(slow.acknowledged_count(), 0u);
  slow.Stop();
  dispatcher.Stop();
}

TEST_P(DispatcherTest, CommitWakesTheDispatcherWithoutWaitingForThePoll) {
  LoopbackReceiver receiver(secret_);
  env_.Subscribe(receiver.url(), secret_);
  WebhookDispatcherOptions o = FastOptions();
  o.poll_interval = seconds(30);
  WebhookDispatcher dispatcher(env_.shared(), o);
  Engine engine(EngineOptions{WakeDispatcherOnCommit(env_.shared(), dispatcher), nullptr});
  ASSERT_TRUE(engine.LoadDefinition(ParseDefinition(kHookWorkflow, "h.yaml").definitions[0]).ok());
  dispatcher.Start();
  std::this_thread::sleep_for(milliseconds(100));  // the first, immediate claim is over
  for (int i = 0; i < 5; ++i) {
    const auto start = std::chrono::steady_clock::now();
    CreateCall call;
    call.workflow = "hooks";
    ASSERT_TRUE(engine.Create(call, Clerk()).ok());
    ASSERT_TRUE(receiver.WaitForAcknowledged(static_cast<size_t>(i + 1), milliseconds(5000)));
    // Far below the 30 s poll (loose: the test machines are shared and busy).
    EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(2000));
  }
  dispatcher.Stop();
}

TEST_P(DispatcherTest, DeadlineExpiredWebhookArrivesWithinASecondOfDue) {
  LoopbackReceiver receiver(secret_);
  env_.Subscribe(receiver.url(), secret_, {std::string(kEventDeadlineExpired)});
  WebhookDispatcher dispatcher(env_.shared(), FastOptions());
  DeadlineScheduler scheduler(env_.engine());
  dispatcher.Start();
  scheduler.Start();
  RequestId id = env_.Create();
  env_.Fire(id, "arm");  // reply: PT1S
  const auto due = std::chrono::system_clock::now() + seconds(1);
  ASSERT_TRUE(receiver.WaitForAcknowledged(1, milliseconds(4000)));
  scheduler.Stop();
  dispatcher.Stop();
  auto got = receiver.received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].type(), "deadline.expired");
  EXPECT_EQ(got[0].json["data"]["deadline"], "reply");
  EXPECT_EQ(got[0].json["data"]["event"], "reply_overdue");
  EXPECT_EQ(got[0].json["data"]["actor"], "system");
  EXPECT_LT(got[0].at - due, milliseconds(1000));
  EXPECT_EQ(scheduler.stats().fired, 1u);
}

TEST_P(DispatcherTest, RunOnceSendsWhatIsDue) {
  LoopbackReceiver receiver(secret_);
  env_.Subscribe(receiver.url(), secret_);
  WebhookDispatcher dispatcher(env_.shared(), FastOptions());
  RequestId id = env_.Create();
  EXPECT_EQ(*dispatcher.RunOnce(), 1);
  env_.Fire(id);
  env_.Fire(id);
  EXPECT_EQ(*dispatcher.RunOnce(), 1);  // revision 3 waits for revision 2
  EXPECT_EQ(*dispatcher.RunOnce(), 1);
  EXPECT_EQ(*dispatcher.RunOnce(), 0);
  auto got = receiver.received();
  ASSERT_EQ(got.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(got[i].revision(), static_cast<int64_t>(i + 1));
}

INSTANTIATE_TEST_SUITE_P(Stores, DispatcherTest,
                         ::testing::Values(StoreKind::kMemory, StoreKind::kSqlite,
                                           StoreKind::kPostgres),
                         [](const auto& info) { return StoreKindName(info.param); });

// The voluntary context switches so far of every thread of this process but the caller (/proc).
int64_t OtherThreadsVoluntarySwitches() {
  const std::string self = std::to_string(static_cast<long>(::gettid()));
  int64_t total = 0;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    if (task.path().filename() == self) continue;
    std::ifstream status(task.path() / "status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind("voluntary_ctxt_switches:", 0) == 0) total += std::stoll(line.substr(24));
    }
  }
  return total;
}

// `rogatory serve` wakes the dispatcher after every create and fire. A wake while one is already
// pending used to notify the claim loop all the same, which woke only to wait again: a context
// switch per API call under load. Now wakes 50 us apart cost the loop about two switches per
// claim (at most one claim a millisecond), not one per wake; a commit still goes out at once.
TEST(DispatcherWakeTest, WakesWhileOneIsPendingDoNotWakeTheClaimLoopEachTime) {
  WebhookEnv env(StoreKind::kMemory);
  WebhookDispatcherOptions o = FastOptions();
  o.poll_interval = seconds(30);
  WebhookDispatcher dispatcher(env.shared(), o);
  dispatcher.Start();
  std::this_thread::sleep_for(milliseconds(100));  // the first, immediate claim is over
  constexpr int kWakes = 2000;
  const int64_t before = OtherThreadsVoluntarySwitches();
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kWakes; ++i) {
    dispatcher.Wake();
    // Spin (no sleep of this thread) so the claim loop may run between two wakes.
    const auto next = std::chrono::steady_clock::now() + std::chrono::microseconds(50);
    while (std::chrono::steady_clock::now() < next) {
    }
  }
  const auto burst_ms =
      std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start).count();
  const int64_t switches = OtherThreadsVoluntarySwitches() - before;
  EXPECT_LT(switches, kWakes / 2) << kWakes << " wakes in " << burst_ms << " ms";

  // A commit after the burst still reaches its consumer without waiting for the 30 s poll.
  const std::string secret = NewSecret();
  LoopbackReceiver receiver(secret);
  env.Subscribe(receiver.url(), secret);
  Engine engine(EngineOptions{WakeDispatcherOnCommit(env.shared(), dispatcher), nullptr});
  ASSERT_TRUE(engine.LoadDefinition(ParseDefinition(kHookWorkflow, "h.yaml").definitions[0]).ok());
  CreateCall call;
  call.workflow = "hooks";
  ASSERT_TRUE(engine.Create(call, Clerk()).ok());
  EXPECT_TRUE(receiver.WaitForAcknowledged(1, milliseconds(5000)));
  dispatcher.Stop();
}

// Wake() tests its flag without the dispatcher's lock first (API threads no longer queue on
// that lock behind the claim loop). Commits from many threads at once, with the poll 30 s away,
// must all go out on wakes alone: a wake lost between the loop clearing its flag and claiming
// would leave its event for the poll, past this test's limit.
TEST(DispatcherWakeTest, ConcurrentCommitsAllGoOutWithoutWaitingForThePoll) {
  WebhookEnv env(StoreKind::kMemory);
  const std::string secret = NewSecret();
  LoopbackReceiver receiver(secret);
  env.Subscribe(receiver.url(), secret);
  WebhookDispatcherOptions o = FastOptions();
  o.poll_interval = seconds(30);
  WebhookDispatcher dispatcher(env.shared(), o);
  dispatcher.Start();
  std::this_thread::sleep_for(milliseconds(100));  // the first, immediate claim is over
  Engine engine(EngineOptions{WakeDispatcherOnCommit(env.shared(), dispatcher), nullptr});
  ASSERT_TRUE(engine.LoadDefinition(ParseDefinition(kHookWorkflow, "h.yaml").definitions[0]).ok());
  constexpr int kThreads = 6;
  constexpr int kEach = 15;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&engine] {
      for (int i = 0; i < kEach; ++i) {
        CreateCall call;
        call.workflow = "hooks";
        EXPECT_TRUE(engine.Create(call, Clerk()).ok());
        // Spread the commits so some land while the loop claims, some while it waits.
        std::this_thread::sleep_for(std::chrono::microseconds(300 * (i % 3)));
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_TRUE(receiver.WaitForAcknowledged(kThreads * kEach, milliseconds(15000)))
      << receiver.received().size() << " of " << kThreads * kEach << " arrived";
  dispatcher.Stop();
}

// Counts the claims a dispatcher makes through it.
class ClaimCountingStore final : public ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  using Store::ClaimDeliveries;
  Result<std::vector<Delivery>> ClaimDeliveries(TimePoint now, const std::string& owner,
                                                Duration lease, const ClaimLimit& limit) override {
    ++claims;
    return inner().ClaimDeliveries(now, owner, lease, limit);
  }
  std::atomic<int> claims{0};
};

class DispatcherIdleWakeTest : public ::testing::TestWithParam<StoreKind> {};

// `rogatory serve` wakes the dispatcher after every create and fire. A commit that matched no
// subscription writes no outbox row, yet its wake cost a claim: a store query, a context switch
// and the store's lock, up to a thousand times a second under load, with nothing to send. The
// claim loop now sleeps through such commits (Store::OutboxVersion has not moved), and a commit
// that did write a row still goes out at once, on every store.
TEST_P(DispatcherIdleWakeTest, CommitsThatWroteNoOutboxRowDoNotMakeTheLoopClaim) {
  WebhookEnv env(GetParam());
  ASSERT_TRUE(env.ok());
  auto counting = std::make_shared<ClaimCountingStore>(env.shared());
  WebhookDispatcherOptions o = FastOptions();
  o.poll_interval = seconds(30);
  WebhookDispatcher dispatcher(counting, o);
  dispatcher.Start();
  std::this_thread::sleep_for(milliseconds(100));  // the first, immediate claim is over
  const int before = counting->claims.load();
  Engine engine(EngineOptions{WakeDispatcherOnCommit(env.shared(), dispatcher), nullptr});
  ASSERT_TRUE(engine.LoadDefinition(ParseDefinition(kHookWorkflow, "h.yaml").definitions[0]).ok());
  CreateCall call;
  call.workflow = "hooks";
  constexpr int kCommits = 100;
  for (int i = 0; i < kCommits; ++i) {
    ASSERT_TRUE(engine.Create(call, Clerk()).ok());
    // Longer than the loop's 1 ms between claims: each wake could have made one.
    std::this_thread::sleep_for(std::chrono::microseconds(1500));
  }
  EXPECT_EQ(counting->claims.load() - before, 0) << "claims for " << kCommits << " commits";

  const std::string secret = NewSecret();
  LoopbackReceiver receiver(secret);
  env.Subscribe(receiver.url(), secret);
  ASSERT_TRUE(engine.Create(call, Clerk()).ok());
  EXPECT_TRUE(receiver.WaitForAcknowledged(1, milliseconds(5000)))
      << "a commit that wrote a row must wake the loop (the poll is 30 s away)";
  EXPECT_GE(counting->claims.load() - before, 1);
  dispatcher.Stop();
}

INSTANTIATE_TEST_SUITE_P(Stores, DispatcherIdleWakeTest,
                         ::testing::Values(StoreKind::kMemory, StoreKind::kSqlite,
                                           StoreKind::kPostgres),
                         [](const auto& info) { return StoreKindName(info.param); });

// HTTPS through OpenSSL: the consumer's certificate is verified.
TEST(DispatcherHttpsTest, DeliversOverVerifiedTls) {
  WebhookEnv env(StoreKind::kMemory);
  const std::string secret = NewSecret();
  const std::string fixtures = ROGATORY_WEBHOOK_FIXTURES;
  LoopbackReceiver receiver(secret, nullptr, fixtures + "/localhost.crt",
                            fixtures + "/localhost.key");
  ASSERT_EQ(receiver.url().rfind("https://", 0), 0u);
  env.Subscribe(receiver.url(), secret);
  WebhookDispatcherOptions o = FastOptions();
  o.ca_cert_file = fixtures + "/localhost.crt";
  WebhookDispatcher dispatcher(env.shared(), o);
  dispatcher.Start();
  env.Create();
  ASSERT_TRUE(receiver.WaitForAcknowledged(1, milliseconds(3000)));
  dispatcher.Stop();
  EXPECT_EQ(receiver.received().at(0).verify_error, "");
}

TEST(DispatcherHttpsTest, RefusesAnUntrustedCertificate) {
  WebhookEnv env(StoreKind::kMemory);
  const std::string secret = NewSecret();
  const std::string fixtures = ROGATORY_WEBHOOK_FIXTURES;
  LoopbackReceiver receiver(secret, nullptr, fixtures + "/localhost.crt",
                            fixtures + "/localhost.key");
  env.Subscribe(receiver.url(), secret);
  WebhookDispatcherOptions o = FastOptions();  // the system CAs do not know the test cert
  o.retry.max_attempts = 1;
  WebhookDispatcher dispatcher(env.shared(), o);
  EXPECT_EQ(*dispatcher.RunOnce(), 0 + 0);  // nothing yet
  env.Create();
  EXPECT_EQ(*dispatcher.RunOnce(), 1);
  EXPECT_TRUE(receiver.received().empty());
  auto d = env.Deliveries().at(0);
  EXPECT_EQ(d.status, DeliveryStatus::kDead);
  EXPECT_THAT(d.last_error, ::testing::HasSubstr("no answer"));
}

}  // namespace
}  // namespace rogatory::testing
