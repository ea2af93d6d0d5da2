// Deadlines: start, stop, pause/resume keeping the time left, extend once, lapses.
#include "test_engine.h"

namespace rogatory::testing {
namespace {

using std::chrono::hours;

TEST(DeadlineTest, TransitionStartsSeveralClocks) {
  TestEngine env;
  Request r = *env.engine().Get(env.Transmitted());
  ASSERT_EQ(r.deadlines.size(), 2u);
  EXPECT_EQ(r.FindDeadline("recognition")->due_at, T0() + 30 * kDay);
  EXPECT_EQ(r.FindDeadline("ack")->due_at, T0() + 7 * kDay);
}

TEST(DeadlineTest, StopCancelsOnlyItsClock) {
  TestEngine env;
  Request r = env.MustFire(env.Transmitted(), "acknowledge", Executing());
  EXPECT_EQ(r.FindDeadline("ack"), nullptr);
  EXPECT_NE(r.FindDeadline("recognition"), nullptr);
}

TEST(DeadlineTest, PauseKeepsTimeLeftAndResumeRunsOn) {
  TestEngine env;
  RequestId id = env.Transmitted();
  env.MustFire(id, "acknowledge", Executing());
  env.MustFire(id, "recognise", Executing());  // execution clock: 90 days from T0
  env.clock().Advance(10 * kDay);
  Request paused = env.MustFire(id, "postpone", Executing());
  const DeadlineState* d = paused.FindDeadline("execution");
  ASSERT_NE(d, nullptr);
  EXPECT_TRUE(d->paused);
  EXPECT_EQ(d->remaining, std::chrono::duration_cast<Duration>(80 * kDay));
  env.clock().Advance(200 * kDay);  // a long postponement: the paused clock must not lapse
  EXPECT_EQ(env.RunScheduler(), 0);
  Request resumed = env.MustFire(id, "resume", Executing());
  d = resumed.FindDeadline("execution");
  EXPECT_FALSE(d->paused);
  EXPECT_EQ(d->due_at, T0() + 210 * kDay + 80 * kDay);
}

TEST(DeadlineTest, ExtendAddsExtensionOnce) {
  TestEngine env;
  RequestId id = env.Transmitted();
  Request r = env.MustFire(id, "extend_recognition", Executing());
  EXPECT_EQ(r.FindDeadline("recognition")->due_at, T0() + 60 * kDay);
  EXPECT_TRUE(r.FindDeadline("recognition")->extended);
  EXPECT_THAT(env.Fire(id, "extend_recognition", Executing()),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_EQ(env.engine().Get(id)->revision, 4);
}

TEST(DeadlineTest, ExtendOfStoppedClockIsRefused) {
  std::string yaml = kTestWorkflow;
  const std::string from = "{event: extend_recognition, from: transmitted,";
  yaml.replace(yaml.find(from), from.size(),
               "{event: extend_recognition, from: [transmitted, recognised],");
  TestEngine env(yaml);
  RequestId id = env.Transmitted();
  env.MustFire(id, "recognise", Executing());  // stops the recognition clock
  auto r = env.Fire(id, "extend_recognition", Executing());
  EXPECT_THAT(r, StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(r.status().message(), ::testing::HasSubstr("not running"));
}

TEST(DeadlineTest, LapseFiresOnExpiryAsSystem) {
  TestEngine env;
  RequestId id = env.Transmitted();
  env.clock().Advance(7 * kDay);
  EXPECT_EQ(env.RunScheduler(), 1);  // ack lapses; recognition not yet
  auto history = *env.engine().History(id);
  const HistoryEntry& last = history.back();
  EXPECT_EQ(last.event, "ack_overdue");
  EXPECT_EQ(last.actor, "system");
  EXPECT_EQ(last.from_state, "transmitted");
  EXPECT_EQ(last.to_state, "transmitted");
  EXPECT_EQ(last.data["deadline"], "ack");
  Request r = *env.engine().Get(id);
  // CONTRACT §7: the lapsed clock stays on the request, marked, until a step stops it.
  ASSERT_NE(r.FindDeadline("ack"), nullptr);
  EXPECT_TRUE(r.FindDeadline("ack")->lapsed);
  EXPECT_EQ(r.FindDeadline("ack")->lapsed_at, last.at);
  EXPECT_FALSE(r.FindDeadline("recognition")->lapsed);
}

TEST(DeadlineTest, LapseFiresOnce) {
  TestEngine env;
  RequestId id = env.Transmitted();
  env.clock().Advance(31 * kDay);
  EXPECT_EQ(env.RunScheduler(), 2);
  env.clock().Advance(std::chrono::hours(1));
  EXPECT_EQ(env.RunScheduler(), 0);
  EXPECT_EQ(env.engine().Get(id)->revision, 5);
}

TEST(DeadlineTest, ExpireOfRestartedOrStoppedClockDoesNothing) {
  TestEngine env;
  RequestId id = env.Transmitted();
  const TimePoint old_due = env.engine().Get(id)->FindDeadline("ack")->due_at;
  env.MustFire(id, "acknowledge", Executing());
  env.clock().Advance(8 * kDay);
  auto r = env.engine().ExpireDeadline(id, "ack", old_due);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
}

TEST(DeadlineTest, ExpireBeforeDueDoesNothing) {
  TestEngine env;
  RequestId id = env.Transmitted();
  const TimePoint due = env.engine().Get(id)->FindDeadline("ack")->due_at;
  auto r = env.engine().ExpireDeadline(id, "ack", due);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
}

TEST(DeadlineTest, LapseInStateWithoutTransitionIsStillRecorded) {
  // The execution clock keeps running into a state whose on_expiry event is not allowed.
  std::string yaml = kTestWorkflow;
  yaml.replace(yaml.find("from: [recognised, postponed], roles: [system]"),
               std::string("from: [recognised, postponed], roles: [system]").size(),
               "from: [postponed], roles: [system]");
  TestEngine env(yaml);
  RequestId id = env.Transmitted();
  env.MustFire(id, "recognise", Executing());
  env.clock().Advance(91 * kDay);
  EXPECT_EQ(env.RunScheduler(), 2);  // recognition was stopped; execution + ack
  auto history = *env.engine().History(id);
  bool found = false;
  for (const auto& h : history) {
    if (h.event == "execution_overdue") {
      found = true;
      EXPECT_EQ(h.to_state, "recognised");
    }
  }
  EXPECT_TRUE(found);
  const Request r = *env.engine().Get(id);
  const DeadlineState* execution = r.FindDeadline("execution");
  ASSERT_NE(execution, nullptr);
  EXPECT_TRUE(execution->lapsed);
}

TEST(DeadlineTest, OverdueQueryAndCount) {
  TestEngine env;
  RequestId late = env.Transmitted();
  env.Create();
  env.clock().Advance(8 * kDay);
  RequestQuery q;
  q.overdue_only = true;
  auto page = env.engine().List(q);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].id, late);
  EXPECT_EQ(*env.store().CountOverdueDeadlines(env.clock().Now()), 1);
}

TEST(DeadlineTest, CalendarMonthsFollowTheCalendar) {
  auto d = ParseIsoDuration("P1M");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(FormatRfc3339(d->AddTo(*ParseRfc3339("2026-01-31T12:00:00Z"))),
            "2026-02-28T12:00:00.000Z");
  EXPECT_EQ(FormatRfc3339(d->AddTo(*ParseRfc3339("2024-01-31T00:00:00Z"))),
            "2024-02-29T00:00:00.000Z");
}

}  // namespace
}  // namespace rogatory::testing

namespace rogatory::testing {
namespace {

// Regression: a lapse wrote {"deadline": name} into the request's data (not a declared field),
// after which Migrate refused the request.
TEST(DeadlineTest, LapseLeavesRequestDataAlone) {
  TestEngine env;
  RequestId id = env.Transmitted();
  const nlohmann::json before = env.engine().Get(id)->data;
  env.clock().Advance(8 * kDay);
  ASSERT_EQ(env.RunScheduler(), 1);
  EXPECT_EQ(env.engine().Get(id)->data, before);
  EXPECT_EQ(env.engine().History(id)->back().data["deadline"], "ack");
}

// Regression: clocks kept running after a request closed and could lapse afterwards.
TEST(DeadlineTest, ReachingTerminalStateStopsEveryClock) {
  TestEngine env;
  RequestId id = env.Transmitted();
  Request r = env.MustFire(id, "withdraw", Prosecutor());  // withdraw stops no clock itself
  EXPECT_TRUE(r.deadlines.empty());
  env.clock().Advance(100 * kDay);
  EXPECT_EQ(env.RunScheduler(), 0);
}

}  // namespace
}  // namespace rogatory::testing
