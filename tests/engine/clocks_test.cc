// Clocks of CONTRACT §7: lapsed clocks that stay visible, clocks that count from a date field
// (`from_field`) and clocks bound to states (`while`), on every step, lapse and migration.
#include "test_engine.h"

namespace rogatory::testing {
namespace {

using std::chrono::hours;

// An extradition-like surrender: the 10-day limit counts from the agreed date while the
// request is agreed or postponed; a hearing is due at a set instant (P0D from a datetime).
constexpr char kSurrender[] = R"(workflow: surrender
version: 1
fields:
  surrender_on: {type: date}
  hearing_at:   {type: datetime}
states:
  requested:   {phase: execution, initial: true}
  agreed:      {phase: execution}
  postponed:   {phase: execution}
  suspended:   {phase: execution}
  surrendered: {phase: closure, terminal: true}
  released:    {phase: closure, terminal: true}
deadlines:
  surrender_10d: {duration: P10D, from_field: surrender_on, while: [agreed, postponed], on_expiry: surrender_lapsed, extension: P10D}
  hearing:       {duration: P0D, from_field: hearing_at, on_expiry: hearing_missed}
transitions:
  - {event: agree,      from: requested, to: agreed, roles: [judge], require: [surrender_on]}
  - {event: postpone,   from: agreed, to: postponed, roles: [judge]}
  - {event: reschedule, from: [requested, agreed, postponed], roles: [judge]}
  - {event: suspend,    from: [agreed, postponed], to: suspended, roles: [judge]}
  - {event: reagree,    from: suspended, to: agreed, roles: [judge], require: [surrender_on]}
  - {event: extend,     from: [agreed, postponed], roles: [judge], extend: [surrender_10d]}
  - {event: schedule_hearing, from: requested, roles: [judge], require: [hearing_at], start: [hearing]}
  - {event: adjourn,    from: requested, roles: [judge], pause: [hearing]}
  - {event: reopen,     from: requested, roles: [judge], resume: [hearing]}
  - {event: hear,       from: requested, roles: [judge], stop: [hearing]}
  - {event: surrender,  from: [agreed, postponed], to: surrendered, roles: [judge]}
  - {event: surrender_lapsed, from: [agreed, postponed], roles: [system]}
  - {event: hearing_missed, from: requested, roles: [system]}
  - {event: release,    from: "*", to: released, roles: [judge]}
)";

Actor Judge() { return Actor{"jo.judge", {"judge"}}; }

RequestId CreateSurrender(TestEngine& env, nlohmann::json data = nlohmann::json::object()) {
  CreateCall call;
  call.workflow = "surrender";
  call.data = std::move(data);
  auto r = env.engine().Create(call, Judge());
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? r->id : RequestId();
}

std::vector<RequestId> OverdueIds(TestEngine& env) {
  RequestQuery q;
  q.overdue_only = true;
  auto page = env.engine().List(q);
  EXPECT_TRUE(page.ok());
  std::vector<RequestId> ids;
  for (const auto& r : page->items) ids.push_back(r.id);
  return ids;
}

// --- Lapsed clocks stay visible --------------------------------------------------------------

TEST(LapsedClockTest, StaysOnTheRequestUntilAStepStopsIt) {
  TestEngine env;
  RequestId id = env.Transmitted();
  env.clock().Advance(8 * kDay);
  ASSERT_EQ(env.RunScheduler(), 1);  // ack lapses
  const Request lapsed = *env.engine().Get(id);
  const DeadlineState* ack = lapsed.FindDeadline("ack");
  ASSERT_NE(ack, nullptr);
  EXPECT_TRUE(ack->lapsed);
  EXPECT_EQ(ack->due_at, T0() + 7 * kDay);
  EXPECT_EQ(ack->lapsed_at, T0() + 8 * kDay);
  EXPECT_THAT(OverdueIds(env), ::testing::ElementsAre(id));
  // Never claimed again, however long it stays.
  env.clock().Advance(kDay);
  EXPECT_EQ(env.RunScheduler(), 0);
  Request after = env.MustFire(id, "acknowledge", Executing());  // stops ack
  EXPECT_EQ(after.FindDeadline("ack"), nullptr);
  EXPECT_TRUE(OverdueIds(env).empty());
}

TEST(LapsedClockTest, ClosingTheRequestRemovesIt) {
  TestEngine env;
  RequestId id = env.Transmitted();
  env.clock().Advance(8 * kDay);
  ASSERT_EQ(env.RunScheduler(), 1);
  Request closed = env.MustFire(id, "withdraw", Prosecutor());
  EXPECT_TRUE(closed.deadlines.empty());
  EXPECT_TRUE(OverdueIds(env).empty());
}

TEST(LapsedClockTest, OverdueGaugeCountsOnlyClocksNotYetLapsed) {
  TestEngine env;
  env.Transmitted();
  env.clock().Advance(8 * kDay);
  EXPECT_EQ(*env.store().CountOverdueDeadlines(env.clock().Now()), 1);  // ack, not yet lapsed
  ASSERT_EQ(env.RunScheduler(), 1);
  EXPECT_EQ(*env.store().CountOverdueDeadlines(env.clock().Now()), 0);  // lapsed: listed instead
  EXPECT_EQ(OverdueIds(env).size(), 1u);
}

TEST(LapsedClockTest, ExtendRunsItAgainFromTheDueTimeItLapsedAt) {
  TestEngine env;
  RequestId id = env.Transmitted();
  env.MustFire(id, "acknowledge", Executing());
  env.clock().Advance(31 * kDay);
  ASSERT_EQ(env.RunScheduler(), 1);  // recognition lapses at T0 + 30d
  Request revived = env.MustFire(id, "extend_recognition", Executing());
  const DeadlineState* d = revived.FindDeadline("recognition");
  ASSERT_NE(d, nullptr);
  EXPECT_FALSE(d->lapsed);
  EXPECT_TRUE(d->extended);
  EXPECT_EQ(d->due_at, T0() + 60 * kDay);
  EXPECT_TRUE(OverdueIds(env).empty());
  env.clock().Advance(30 * kDay);
  EXPECT_EQ(env.RunScheduler(), 1);  // lapses again at its new due time
  EXPECT_TRUE(env.engine().Get(id)->FindDeadline("recognition")->lapsed);
}

TEST(LapsedClockTest, ExtensionAlreadyPastLapsesAgainAtTheNextPass) {
  TestEngine env;
  RequestId id = env.Transmitted();
  env.MustFire(id, "acknowledge", Executing());
  env.clock().Advance(31 * kDay);
  ASSERT_EQ(env.RunScheduler(), 1);
  env.clock().Advance(40 * kDay);  // now T0 + 71d, past T0 + 60d
  env.MustFire(id, "extend_recognition", Executing());
  EXPECT_EQ(env.RunScheduler(), 1);
  const Request r = *env.engine().Get(id);
  const DeadlineState* d = r.FindDeadline("recognition");
  EXPECT_TRUE(d->lapsed);
  EXPECT_EQ(d->due_at, T0() + 60 * kDay);
}

TEST(LapsedClockTest, RoundTripsThroughRequestJson) {
  TestEngine env;
  RequestId id = env.Transmitted();
  env.clock().Advance(8 * kDay);
  ASSERT_EQ(env.RunScheduler(), 1);
  Request r = *env.engine().Get(id);
  nlohmann::json j = RequestToJson(r);
  const nlohmann::json& ack =
      j["deadlines"][1]["name"] == "ack" ? j["deadlines"][1] : j["deadlines"][0];
  EXPECT_EQ(ack["lapsed"], true);
  EXPECT_EQ(ack["lapsed_at"], "2026-01-13T09:00:00.000Z");
  Result<Request> back = RequestFromJson(j);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->deadlines, r.deadlines);
}

// --- from_field --------------------------------------------------------------------------------

TEST(FromFieldClockTest, CountsFromTheDateAtMidnightUtc) {
  TestEngine env(kSurrender);
  RequestId id = CreateSurrender(env);
  Request r = env.MustFire(id, "agree", Judge(), {{"surrender_on", "2026-01-20"}});
  const DeadlineState* d = r.FindDeadline("surrender_10d");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->started_at, ParseRfc3339("2026-01-20T00:00:00Z").value());
  EXPECT_EQ(d->due_at, ParseRfc3339("2026-01-30T00:00:00Z").value());
}

TEST(FromFieldClockTest, ZeroDurationMakesTheInstantItselfTheDeadline) {
  TestEngine env(kSurrender);
  RequestId id = CreateSurrender(env);
  Request r =
      env.MustFire(id, "schedule_hearing", Judge(), {{"hearing_at", "2026-01-07T14:30:00+01:00"}});
  EXPECT_EQ(r.FindDeadline("hearing")->due_at, ParseRfc3339("2026-01-07T13:30:00Z").value());
  env.clock().Set(ParseRfc3339("2026-01-07T13:30:00Z").value());
  EXPECT_EQ(env.RunScheduler(), 1);
}

TEST(FromFieldClockTest, ARunningClockFollowsItsField) {
  TestEngine env(kSurrender);
  RequestId id = CreateSurrender(env);
  env.MustFire(id, "agree", Judge(), {{"surrender_on", "2026-01-20"}});
  Request r = env.MustFire(id, "reschedule", Judge(), {{"surrender_on", "2026-02-01"}});
  EXPECT_EQ(r.FindDeadline("surrender_10d")->due_at, ParseRfc3339("2026-02-11T00:00:00Z").value());
  // A date already more than 10 days past: the clock lapses at the scheduler's next pass.
  r = env.MustFire(id, "reschedule", Judge(), {{"surrender_on", "2025-12-01"}});
  EXPECT_EQ(r.FindDeadline("surrender_10d")->due_at, ParseRfc3339("2025-12-11T00:00:00Z").value());
  EXPECT_EQ(env.RunScheduler(), 1);
}

TEST(FromFieldClockTest, AnExtendedClockKeepsItsExtensionWhenRecomputed) {
  TestEngine env(kSurrender);
  RequestId id = CreateSurrender(env);
  env.MustFire(id, "agree", Judge(), {{"surrender_on", "2026-01-20"}});
  env.MustFire(id, "extend", Judge());
  Request r = env.MustFire(id, "reschedule", Judge(), {{"surrender_on", "2026-01-22"}});
  EXPECT_EQ(r.FindDeadline("surrender_10d")->due_at, ParseRfc3339("2026-02-11T00:00:00Z").value());
}

TEST(FromFieldClockTest, APausedClockKeepsPausedAndItsTimeLeftMovesWithTheDate) {
  TestEngine env(kSurrender);
  RequestId id = CreateSurrender(env);
  env.MustFire(id, "schedule_hearing", Judge(), {{"hearing_at", "2026-01-10T09:00:00Z"}});
  Request paused = env.MustFire(id, "adjourn", Judge());  // 5 days left
  EXPECT_EQ(paused.FindDeadline("hearing")->remaining,
            std::chrono::duration_cast<Duration>(5 * kDay));
  Request r = env.MustFire(id, "reschedule", Judge(), {{"hearing_at", "2026-01-12T09:00:00Z"}});
  const DeadlineState* d = r.FindDeadline("hearing");
  EXPECT_TRUE(d->paused);
  EXPECT_EQ(d->remaining, std::chrono::duration_cast<Duration>(7 * kDay));
  env.clock().Advance(kDay);
  r = env.MustFire(id, "reopen", Judge());
  EXPECT_EQ(r.FindDeadline("hearing")->due_at, T0() + 8 * kDay);
}

TEST(FromFieldClockTest, ALapsedClockStaysLapsedWhenItsFieldChanges) {
  TestEngine env(kSurrender);
  RequestId id = CreateSurrender(env);
  env.MustFire(id, "schedule_hearing", Judge(), {{"hearing_at", "2026-01-06T09:00:00Z"}});
  env.clock().Advance(2 * kDay);
  ASSERT_EQ(env.RunScheduler(), 1);
  Request r = env.MustFire(id, "reschedule", Judge(), {{"hearing_at", "2026-01-20T09:00:00Z"}});
  EXPECT_TRUE(r.FindDeadline("hearing")->lapsed);
  EXPECT_EQ(r.FindDeadline("hearing")->due_at, ParseRfc3339("2026-01-06T09:00:00Z").value());
}

// --- while ---------------------------------------------------------------------------------------

TEST(WhileClockTest, StartsOnEnteringAndStopsOnLeavingItsStates) {
  TestEngine env(kSurrender);
  RequestId id = CreateSurrender(env);
  EXPECT_TRUE(env.engine().Get(id)->deadlines.empty());
  Request agreed = env.MustFire(id, "agree", Judge(), {{"surrender_on", "2026-01-20"}});
  ASSERT_NE(agreed.FindDeadline("surrender_10d"), nullptr);
  // Moving between listed states neither restarts it nor needs its field.
  env.clock().Advance(kDay);
  Request postponed = env.MustFire(id, "postpone", Judge());
  EXPECT_EQ(*postponed.FindDeadline("surrender_10d"), *agreed.FindDeadline("surrender_10d"));
  Request suspended = env.MustFire(id, "suspend", Judge());
  EXPECT_EQ(suspended.FindDeadline("surrender_10d"), nullptr);
  Request again = env.MustFire(id, "reagree", Judge(), {{"surrender_on", "2026-02-01"}});
  EXPECT_EQ(again.FindDeadline("surrender_10d")->due_at,
            ParseRfc3339("2026-02-11T00:00:00Z").value());
}

TEST(WhileClockTest, ALapseThatStaysKeepsItLapsedAndLeavingRemovesIt) {
  TestEngine env(kSurrender);
  RequestId id = CreateSurrender(env);
  env.MustFire(id, "agree", Judge(), {{"surrender_on", "2026-01-05"}});
  env.clock().Advance(11 * kDay);
  ASSERT_EQ(env.RunScheduler(), 1);  // surrender_lapsed stays in agreed
  Request r = *env.engine().Get(id);
  EXPECT_EQ(r.state, "agreed");
  EXPECT_TRUE(r.FindDeadline("surrender_10d")->lapsed);
  r = env.MustFire(id, "postpone", Judge());  // between listed states: still lapsed
  EXPECT_TRUE(r.FindDeadline("surrender_10d")->lapsed);
  r = env.MustFire(id, "suspend", Judge());
  EXPECT_EQ(r.FindDeadline("surrender_10d"), nullptr);
  EXPECT_TRUE(OverdueIds(env).empty());
}

TEST(WhileClockTest, RunsFromCreationWhenTheInitialStateIsListed) {
  std::string yaml = kSurrender;
  const std::string from = "surrender_on: {type: date}";
  yaml.replace(yaml.find(from), from.size(), "surrender_on: {type: date, required: true}");
  const std::string states = "while: [agreed, postponed]";
  yaml.replace(yaml.find(states), states.size(), "while: [requested, agreed, postponed]");
  TestEngine env(yaml);
  RequestId id = CreateSurrender(env, {{"surrender_on", "2026-01-06"}});
  Request r = *env.engine().Get(id);
  ASSERT_NE(r.FindDeadline("surrender_10d"), nullptr);
  EXPECT_EQ(r.FindDeadline("surrender_10d")->due_at, ParseRfc3339("2026-01-16T00:00:00Z").value());
}

TEST(WhileClockTest, MigrationStartsTheNewVersionsClockAndDropsOneItsStateDoesNotList) {
  // Version 1 has no `while` clock; version 2 runs one in `agreed`.
  std::string v1 = kSurrender;
  const std::string clock = "while: [agreed, postponed], ";
  v1.erase(v1.find(clock), clock.size());
  TestEngine env(v1);
  RequestId id = CreateSurrender(env);
  env.MustFire(id, "agree", Judge(), {{"surrender_on", "2026-01-20"}});
  EXPECT_TRUE(env.engine().Get(id)->deadlines.empty());
  std::string v2 = kSurrender;
  v2.replace(v2.find("version: 1"), 10, "version: 2");
  ASSERT_TRUE(env.engine().LoadDefinition(MustParse(v2)).ok());
  MigrationCall m;
  m.target_version = 2;
  auto migrated = env.engine().Migrate(id, m, Actor{"admin", {"admin"}});
  ASSERT_TRUE(migrated.ok()) << migrated.status().ToString();
  ASSERT_NE(migrated->FindDeadline("surrender_10d"), nullptr);
  EXPECT_EQ(migrated->FindDeadline("surrender_10d")->due_at,
            ParseRfc3339("2026-01-30T00:00:00Z").value());
  // Migrating a request into a state the clock does not list removes it.
  RequestId other = CreateSurrender(env);  // version 2
  env.MustFire(other, "agree", Judge(), {{"surrender_on", "2026-01-20"}});
  std::string v3 = kSurrender;
  v3.replace(v3.find("version: 1"), 10, "version: 3");
  const std::string v2_clock = "from_field: surrender_on, while: [agreed, postponed]";
  v3.replace(v3.find(v2_clock), v2_clock.size(), "while: [postponed]");
  ASSERT_TRUE(env.engine().LoadDefinition(MustParse(v3)).ok());
  m.target_version = 3;
  migrated = env.engine().Migrate(other, m, Actor{"admin", {"admin"}});
  ASSERT_TRUE(migrated.ok()) << migrated.status().ToString();
  EXPECT_EQ(migrated->FindDeadline("surrender_10d"), nullptr);
}

}  // namespace
}  // namespace rogatory::testing
