// The deadline scheduler: lapses fire once, as `system`, on time; paused clocks never fire;
// deadlines that fell due while nothing ran fire at the next start.
#include "rogatory/deadline_scheduler.h"

#include <chrono>
#include <thread>

#include "test_engine.h"

namespace rogatory::testing {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;

// Polls `done` for up to `limit` of real time.
template <typename F>
bool Eventually(F done, milliseconds limit = milliseconds(2000)) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return done();
}

int CountEvents(TestEngine& env, const RequestId& id, const std::string& event) {
  int n = 0;
  auto history = env.engine().History(id);  // the Result must outlive the loop
  for (const auto& h : *history) n += h.event == event ? 1 : 0;
  return n;
}

TEST(DeadlineSchedulerTest, RunOnceFiresDueDeadlineOnceAsSystem) {
  TestEngine env;
  DeadlineScheduler scheduler(env.engine());
  RequestId id = env.Transmitted();
  env.clock().Advance(7 * kDay);
  EXPECT_EQ(*scheduler.RunOnce(), 1);
  EXPECT_EQ(*scheduler.RunOnce(), 0);
  env.clock().Advance(hours(1));
  EXPECT_EQ(*scheduler.RunOnce(), 0);
  EXPECT_EQ(CountEvents(env, id, "ack_overdue"), 1);
  EXPECT_EQ(env.engine().History(id)->back().actor, "system");
  EXPECT_EQ(scheduler.stats().fired, 1u);
  EXPECT_EQ(scheduler.stats().errors, 0u);
}

TEST(DeadlineSchedulerTest, OnFiredIsCalledPerCommittedLapse) {
  TestEngine env;
  int calls = 0;
  DeadlineSchedulerOptions options;
  options.on_fired = [&calls] { ++calls; };
  DeadlineScheduler scheduler(env.engine(), options);
  env.Transmitted();
  env.Transmitted();
  env.clock().Advance(8 * kDay);
  EXPECT_EQ(*scheduler.RunOnce(), 2);
  EXPECT_EQ(calls, 2);
}

TEST(DeadlineSchedulerTest, NothingFiresBeforeDue) {
  TestEngine env;
  DeadlineScheduler scheduler(env.engine());
  RequestId id = env.Transmitted();
  env.clock().Advance(7 * kDay - std::chrono::seconds(1));
  EXPECT_EQ(*scheduler.RunOnce(), 0);
  EXPECT_EQ(env.engine().Get(id)->revision, 3);
}

TEST(DeadlineSchedulerTest, PausedClockDoesNotFire) {
  TestEngine env;
  DeadlineScheduler scheduler(env.engine());
  RequestId id = env.Transmitted();
  env.MustFire(id, "acknowledge", Executing());
  env.MustFire(id, "recognise", Executing());  // execution clock: 90 days
  env.MustFire(id, "postpone", Executing());   // paused
  env.clock().Advance(400 * kDay);
  EXPECT_EQ(*scheduler.RunOnce(), 0);
  EXPECT_EQ(CountEvents(env, id, "execution_overdue"), 0);
  EXPECT_TRUE(env.engine().Get(id)->FindDeadline("execution")->paused);
}

TEST(DeadlineSchedulerTest, SeveralClocksEachFireOnce) {
  TestEngine env;
  DeadlineScheduler scheduler(env.engine());
  RequestId a = env.Transmitted();  // ack P7D, recognition P30D
  RequestId b = env.Transmitted();
  env.clock().Advance(8 * kDay);
  EXPECT_EQ(*scheduler.RunOnce(), 2);  // both acks
  env.clock().Advance(30 * kDay);
  EXPECT_EQ(*scheduler.RunOnce(), 2);  // both recognitions
  EXPECT_EQ(*scheduler.RunOnce(), 0);
  for (const RequestId& id : {a, b}) {
    EXPECT_EQ(CountEvents(env, id, "ack_overdue"), 1);
    EXPECT_EQ(CountEvents(env, id, "recognition_overdue"), 1);
    // Both clocks stay on the request, lapsed (CONTRACT §7), and are never claimed again.
    const Request r = *env.engine().Get(id);
    for (const DeadlineState& d : r.deadlines) EXPECT_TRUE(d.lapsed);
  }
}

TEST(DeadlineSchedulerTest, BatchesDrainEveryDueDeadlineInOnePass) {
  TestEngine env;
  DeadlineSchedulerOptions options;
  options.batch = 3;
  DeadlineScheduler scheduler(env.engine(), options);
  for (int i = 0; i < 5; ++i) env.Transmitted();
  env.clock().Advance(8 * kDay);
  EXPECT_EQ(*scheduler.RunOnce(), 5);
}

TEST(DeadlineSchedulerTest, StoppedClockClaimedEarlierIsSkipped) {
  TestEngine env;
  DeadlineScheduler scheduler(env.engine());
  RequestId id = env.Transmitted();
  env.clock().Advance(7 * kDay);
  // Another node claimed the row, then the request moved on before the lapse committed.
  auto claimed =
      env.store().ClaimDueDeadlines(env.clock().Now(), "other", std::chrono::seconds(30), 10);
  ASSERT_EQ(claimed->size(), 1u);
  env.MustFire(id, "acknowledge", Executing());
  EXPECT_EQ(*scheduler.RunOnce(), 0);
  EXPECT_EQ(CountEvents(env, id, "ack_overdue"), 0);
}

TEST(DeadlineSchedulerTest, TwoSchedulersOnOneStoreFireOnce) {
  TestEngine env;
  DeadlineSchedulerOptions one, two;
  one.node_id = "node-1";
  two.node_id = "node-2";
  DeadlineScheduler first(env.engine(), one);
  DeadlineScheduler second(env.engine(), two);
  for (int i = 0; i < 20; ++i) env.Transmitted();
  env.clock().Advance(8 * kDay);
  first.Start();
  second.Start();
  ASSERT_TRUE(Eventually([&] { return first.stats().fired + second.stats().fired == 20; }));
  std::this_thread::sleep_for(milliseconds(300));
  first.Stop();
  second.Stop();
  EXPECT_EQ(first.stats().fired + second.stats().fired, 20u);
  EXPECT_EQ(first.stats().errors + second.stats().errors, 0u);
}

TEST(DeadlineSchedulerTest, BackgroundThreadFiresWithinASecondOfDue) {
  TestEngine env;
  DeadlineScheduler scheduler(env.engine());
  RequestId id = env.Transmitted();
  scheduler.Start();
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(scheduler.stats().fired, 0u);
  env.clock().Advance(7 * kDay);  // falls due now
  const auto due = std::chrono::steady_clock::now();
  ASSERT_TRUE(Eventually([&] { return scheduler.stats().fired == 1; }));
  EXPECT_LT(std::chrono::steady_clock::now() - due, milliseconds(1000));
  scheduler.Stop();
  EXPECT_EQ(CountEvents(env, id, "ack_overdue"), 1);
}

TEST(DeadlineSchedulerTest, DeadlineDueDuringDowntimeFiresAtNextStart) {
  TestEngine env;
  RequestId id = env.Transmitted();
  {
    DeadlineScheduler before(env.engine());
    before.Start();
    std::this_thread::sleep_for(milliseconds(50));
    before.Stop();  // every node goes down
  }
  env.clock().Advance(40 * kDay);  // both clocks lapse while nothing runs
  EXPECT_EQ(CountEvents(env, id, "ack_overdue"), 0);
  DeadlineScheduler after(env.engine());
  after.Start();
  ASSERT_TRUE(Eventually([&] { return after.stats().fired == 2; }, milliseconds(1000)));
  after.Stop();
  EXPECT_EQ(CountEvents(env, id, "ack_overdue"), 1);
  EXPECT_EQ(CountEvents(env, id, "recognition_overdue"), 1);
}

TEST(DeadlineSchedulerTest, StopIsIdempotentAndRestartable) {
  TestEngine env;
  DeadlineScheduler scheduler(env.engine());
  scheduler.Stop();
  scheduler.Start();
  scheduler.Start();
  scheduler.Stop();
  scheduler.Stop();
  RequestId id = env.Transmitted();
  env.clock().Advance(8 * kDay);
  scheduler.Start();
  ASSERT_TRUE(Eventually([&] { return scheduler.stats().fired == 1; }));
  scheduler.Stop();
  EXPECT_EQ(CountEvents(env, id, "ack_overdue"), 1);
}

TEST(DeadlineSchedulerTest, LapseWritesDeadlineExpiredNotification) {
  TestEngine env;
  Subscription s;
  s.id = "sub-1";
  s.url = "http://127.0.0.1:9/hook";
  s.secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  s.events = {std::string(kEventDeadlineExpired)};
  ASSERT_TRUE(env.store().CreateSubscription(s).ok());
  DeadlineScheduler scheduler(env.engine());
  RequestId id = env.Transmitted();
  env.clock().Advance(7 * kDay);
  EXPECT_EQ(*scheduler.RunOnce(), 1);
  auto page = env.store().ListDeliveries({});
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].type, kEventDeadlineExpired);
  EXPECT_EQ(page->items[0].request_id, id);
  auto body = nlohmann::json::parse(page->items[0].body);
  EXPECT_EQ(body["data"]["deadline"], "ack");
  EXPECT_EQ(body["data"]["actor"], "system");
}

}  // namespace
}  // namespace rogatory::testing
