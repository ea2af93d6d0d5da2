// Whole-day counting (CONTRACT §7 `counting: days`, Regulation 1182/71 Art. 3) and the
// deployment's time zone: the arithmetic of day_counting.h on fixed instants, then the engine
// routing a days-counted clock's start, extension, pause and resume through it.
#include "day_counting.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "rogatory/definition_loader.h"
#include "rogatory/engine.h"
#include "rogatory/memory_store.h"
#include "rogatory/time_zone.h"

namespace rogatory {
namespace {

using ::testing::HasSubstr;

TimePoint At(const char* rfc3339) {
  Result<TimePoint> t = ParseRfc3339(rfc3339);
  EXPECT_TRUE(t.ok()) << rfc3339;
  return t.ok() ? *t : TimePoint();
}

IsoDuration Period(const char* iso) {
  Result<IsoDuration> d = ParseIsoDuration(iso);
  EXPECT_TRUE(d.ok()) << iso;
  return d.ok() ? *d : IsoDuration();
}

TimeZone Zone(const char* name) {
  Result<TimeZone> z = TimeZone::Find(name);
  EXPECT_TRUE(z.ok()) << z.status().ToString();
  return z.ok() ? *z : TimeZone();
}

// The due time of `period` counted in whole days from `event` in `zone`, as RFC 3339 UTC.
std::string Days(const char* event, const char* period, const TimeZone& zone = TimeZone()) {
  return FormatRfc3339(AddPeriod(At(event), Period(period), Counting::kDays, zone));
}

TEST(TimeZoneTest, FindsIanaNamesAndRefusesUnknownOnes) {
  EXPECT_EQ(TimeZone().name(), "UTC");
  EXPECT_EQ(Zone("Europe/Paris").name(), "Europe/Paris");
  EXPECT_EQ(Zone("UTC").name(), "UTC");
  for (const char* bad : {"Europe/Pariss", "", "CEST+2", "../../etc/passwd", "europe/paris"}) {
    Result<TimeZone> z = TimeZone::Find(bad);
    ASSERT_FALSE(z.ok()) << bad;
    EXPECT_EQ(z.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(z.status().message(), HasSubstr("unknown time zone '" + std::string(bad) + "'"));
  }
}

// Art. 3(1): the day of the event is not counted, whatever its hour; Art. 3(2)(b): the period
// ends at 24:00 of its last day. In UTC and in Paris, where 23:59 local is 22:59Z.
TEST(DayCountingTest, TheEventDayIsNotCountedWhateverTheHour) {
  EXPECT_EQ(Days("2026-03-02T23:59:00Z", "P10D"), "2026-03-13T00:00:00.000Z");
  EXPECT_EQ(Days("2026-03-02T00:01:00Z", "P10D"), "2026-03-13T00:00:00.000Z");
  EXPECT_EQ(Days("2026-03-03T00:01:00Z", "P10D"), "2026-03-14T00:00:00.000Z");
  const TimeZone paris = Zone("Europe/Paris");
  // 23:59 on 2 March in Paris: the last day is 12 March, ending at 24:00 CET (23:00Z).
  EXPECT_EQ(Days("2026-03-02T23:59:00+01:00", "P10D", paris), "2026-03-12T23:00:00.000Z");
  // 00:01 on 3 March in Paris is still 2 March in UTC, but 3 March counts here.
  EXPECT_EQ(Days("2026-03-03T00:01:00+01:00", "P10D", paris), "2026-03-13T23:00:00.000Z");
  // The exact sum of the same period, for contrast: ten times 24 hours from the event.
  EXPECT_EQ(FormatRfc3339(AddPeriod(At("2026-03-02T23:59:00+01:00"), Period("P10D"),
                                    Counting::kExact, paris)),
            "2026-03-12T22:59:00.000Z");
}

// A period ending on a daylight-saving change day ends at local midnight after it: 22:00Z on
// 29 March 2026 (CEST begins that night), 23:00Z on 25 October 2026 (CET again).
TEST(DayCountingTest, PeriodEndingOnADaylightSavingChangeDayEndsAtLocalMidnight) {
  const TimeZone paris = Zone("Europe/Paris");
  EXPECT_EQ(Days("2026-03-19T10:00:00+01:00", "P10D", paris), "2026-03-29T22:00:00.000Z");
  EXPECT_EQ(Days("2026-10-15T10:00:00+02:00", "P10D", paris), "2026-10-25T23:00:00.000Z");
  // The day before each change still ends at the old offset.
  EXPECT_EQ(Days("2026-03-18T10:00:00+01:00", "P10D", paris), "2026-03-28T23:00:00.000Z");
  EXPECT_EQ(Days("2026-10-14T10:00:00+02:00", "P10D", paris), "2026-10-24T22:00:00.000Z");
}

// Art. 3(2)(c): months end on the same-numbered day, or the month's last day without one.
TEST(DayCountingTest, MonthsEndOnTheSameDateOrTheMonthsLastDay) {
  EXPECT_EQ(Days("2026-01-31T12:00:00Z", "P1M"), "2026-03-01T00:00:00.000Z");  // 28 Feb ends
  EXPECT_EQ(Days("2028-01-31T12:00:00Z", "P1M"), "2028-03-01T00:00:00.000Z");  // 29 Feb ends
  EXPECT_EQ(Days("2028-01-30T12:00:00Z", "P1M"), "2028-03-01T00:00:00.000Z");  // 29 Feb ends
  EXPECT_EQ(Days("2026-01-15T12:00:00Z", "P1M"), "2026-02-16T00:00:00.000Z");  // 15 Feb ends
  EXPECT_EQ(Days("2026-11-30T08:00:00Z", "P3M"), "2027-03-01T00:00:00.000Z");  // 28 Feb 2027
  const TimeZone paris = Zone("Europe/Paris");
  // 31 January 00:30 in Paris is 30 January in UTC; the Paris date decides.
  EXPECT_EQ(Days("2026-01-31T00:30:00+01:00", "P1M", paris), "2026-02-28T23:00:00.000Z");
}

TEST(DayCountingTest, AYearFrom29FebruaryEndsWith28February) {
  EXPECT_EQ(Days("2028-02-29T09:00:00Z", "P1Y"), "2029-03-01T00:00:00.000Z");
  EXPECT_EQ(Days("2028-02-29T09:00:00Z", "P4Y"), "2032-03-01T00:00:00.000Z");  // 29 Feb 2032
  EXPECT_EQ(Days("2026-03-02T09:00:00Z", "P1Y"), "2027-03-03T00:00:00.000Z");
}

// Art. 3(2)(c): a period in weeks ends on the same weekday as the event's.
TEST(DayCountingTest, AWeekEndsOnTheSameWeekday) {
  // Monday 2 March 2026 -> end of Monday 9 March.
  EXPECT_EQ(Days("2026-03-02T16:45:00Z", "P1W"), "2026-03-10T00:00:00.000Z");
  EXPECT_EQ(Days("2026-03-02T16:45:00Z", "P2W"), "2026-03-17T00:00:00.000Z");
}

// A zone east of UTC without daylight saving: Baghdad is UTC+3 all year.
TEST(DayCountingTest, CountsInAZoneEastOfUtc) {
  const TimeZone baghdad = Zone("Asia/Baghdad");
  // 22:30Z on 2 March is 01:30 on 3 March in Baghdad: 3 March is the event day.
  EXPECT_EQ(Days("2026-03-02T22:30:00Z", "P10D", baghdad), "2026-03-13T21:00:00.000Z");
  EXPECT_EQ(Days("2026-03-02T20:30:00Z", "P10D", baghdad), "2026-03-12T21:00:00.000Z");
  EXPECT_EQ(Days("2026-03-02T20:30:00Z", "P2M", baghdad), "2026-05-02T21:00:00.000Z");
}

// Extensions of a days-counted clock run from the period's last day: whole days more.
TEST(DayCountingTest, ExtensionsAddWholeDaysToTheLastDay) {
  const TimeZone paris = Zone("Europe/Paris");
  auto extend = [&](const char* due, const char* by) {
    return FormatRfc3339(ExtendPeriod(At(due), Period(by), Counting::kDays, paris));
  };
  // Due at the end of 12 March (CET); 30 days more end with 11 April (CEST).
  EXPECT_EQ(extend("2026-03-12T23:00:00Z", "P30D"), "2026-04-11T22:00:00.000Z");
  // Due at the end of 28 February; one month more ends with 28 March.
  EXPECT_EQ(extend("2026-02-28T23:00:00Z", "P1M"), "2026-03-28T23:00:00.000Z");
  // Exact extensions still add exact time.
  EXPECT_EQ(FormatRfc3339(
                ExtendPeriod(At("2026-03-12T23:00:00Z"), Period("P30D"), Counting::kExact, paris)),
            "2026-04-11T23:00:00.000Z");
}

TEST(DayCountingTest, WholeDaysLeftGivesBackTheDaysAfterToday) {
  const TimeZone paris = Zone("Europe/Paris");
  const TimePoint due = At("2026-03-12T23:00:00Z");  // end of 12 March in Paris
  EXPECT_EQ(WholeDaysLeft(At("2026-03-05T10:00:00+01:00"), due, paris), std::chrono::hours(7 * 24));
  EXPECT_EQ(WholeDaysLeft(At("2026-03-12T23:30:00+01:00"), due, paris), Duration(0));
  EXPECT_EQ(WholeDaysLeft(At("2026-03-20T10:00:00+01:00"), due, paris), Duration(0));
}

TEST(DayCountingTest, StartOfDateIsLocalMidnight) {
  EXPECT_EQ(FormatRfc3339(*StartOfDate("2026-03-29", TimeZone())), "2026-03-29T00:00:00.000Z");
  const TimeZone paris = Zone("Europe/Paris");
  EXPECT_EQ(FormatRfc3339(*StartOfDate("2026-03-29", paris)), "2026-03-28T23:00:00.000Z");
  EXPECT_EQ(FormatRfc3339(*StartOfDate("2026-03-30", paris)), "2026-03-29T22:00:00.000Z");
  EXPECT_EQ(FormatRfc3339(*StartOfDate("2026-03-03", Zone("Asia/Baghdad"))),
            "2026-03-02T21:00:00.000Z");
  // Chile moves its clocks at midnight: on 6 September 2026 the day begins at 01:00 (-03).
  EXPECT_EQ(FormatRfc3339(*StartOfDate("2026-09-06", Zone("America/Santiago"))),
            "2026-09-06T04:00:00.000Z");
  for (const char* bad : {"2026-02-29", "2026-3-1", "yesterday", ""}) {
    Result<TimePoint> t = StartOfDate(bad, paris);
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
  }
}

TEST(DayCountingTest, ExactCountingIsTheCalendarAwareSum) {
  const TimeZone paris = Zone("Europe/Paris");
  for (const char* p : {"P10D", "PT36H", "P1M", "P1Y", "P1DT12H"}) {
    const IsoDuration d = Period(p);
    EXPECT_EQ(AddPeriod(At("2026-01-31T10:15:00Z"), d, Counting::kExact, paris),
              d.AddTo(At("2026-01-31T10:15:00Z")))
        << p;
  }
}

// The engine routes start, extend, pause and resume of a `counting: days` clock through the
// arithmetic above, in the zone given in EngineOptions.
constexpr char kDaysWorkflow[] = R"(workflow: days
version: 1
title: Whole-day clocks
states:
  open:    {phase: execution, initial: true}
  waiting: {phase: execution}
  done:    {phase: closure, terminal: true}
deadlines:
  answer: {duration: P10D, extension: P5D, on_expiry: late, counting: days}
  exact:  {duration: P10D, on_expiry: late}
transitions:
  - {event: begin,  from: open, roles: [clerk], start: [answer, exact]}
  - {event: extend, from: open, roles: [clerk], extend: [answer]}
  - {event: hold,   from: open, to: waiting, roles: [clerk], pause: [answer]}
  - {event: go_on,  from: waiting, to: open, roles: [clerk], resume: [answer]}
  - {event: late,   from: [open, waiting], roles: [system]}
  - {event: finish, from: open, to: done, roles: [clerk]}
)";

class DaysEngineTest : public ::testing::Test {
 protected:
  DaysEngineTest()
      : clock_(std::make_shared<ManualClock>(At("2026-03-19T10:00:00+01:00"))),
        engine_(
            EngineOptions{std::shared_ptr<Store>(NewMemoryStore()), clock_, Zone("Europe/Paris")}) {
    LoadReport report = ParseDefinition(kDaysWorkflow, "days.yaml");
    EXPECT_TRUE(report.ok()) << report.ErrorText();
    EXPECT_TRUE(engine_.LoadDefinition(report.definitions.at(0)).ok());
    CreateCall create;
    create.workflow = "days";
    id_ = engine_.Create(create, clerk_)->id;
  }
  std::string Due(const char* clock) {
    Result<Request> r = engine_.Get(id_);
    EXPECT_TRUE(r.ok());
    const DeadlineState* d = r->FindDeadline(clock);
    return d == nullptr ? "(none)" : FormatRfc3339(d->due_at);
  }
  void Fire(const char* event) {
    EventCall call;
    call.event = event;
    Result<Request> r = engine_.Fire(id_, call, clerk_);
    EXPECT_TRUE(r.ok()) << event << ": " << r.status().ToString();
  }

  std::shared_ptr<ManualClock> clock_;
  Engine engine_;
  Actor clerk_{"clerk.one", {"clerk"}, ""};
  RequestId id_;
};

TEST_F(DaysEngineTest, StartCountsWholeDaysInTheEnginesZone) {
  EXPECT_EQ(engine_.time_zone().name(), "Europe/Paris");
  Fire("begin");
  EXPECT_EQ(Due("answer"), "2026-03-29T22:00:00.000Z");  // 24:00 CEST on 29 March
  EXPECT_EQ(Due("exact"), "2026-03-29T09:00:00.000Z");   // ten times 24 hours
}

TEST_F(DaysEngineTest, ExtensionAddsWholeDays) {
  Fire("begin");
  Fire("extend");
  EXPECT_EQ(Due("answer"), "2026-04-03T22:00:00.000Z");  // 29 March + 5 days, 24:00 CEST
}

TEST_F(DaysEngineTest, PauseKeepsWholeDaysAndResumeEndsAtMidnight) {
  Fire("begin");                                 // 19 March; ends with 29 March
  clock_->Set(At("2026-03-22T15:00:00+01:00"));  // 7 days after 22 March are left
  Fire("hold");
  clock_->Set(At("2026-04-01T09:30:00+02:00"));  // resumed on 1 April
  Fire("go_on");
  EXPECT_EQ(Due("answer"), "2026-04-08T22:00:00.000Z");  // ends with 8 April
}

TEST_F(DaysEngineTest, LapsesAtTheEndOfTheLastDayAndNotBefore) {
  Fire("begin");
  const TimePoint due = At("2026-03-29T22:00:00Z");
  clock_->Set(due - Duration(1));
  Result<std::optional<Request>> early = engine_.ExpireDeadline(id_, "answer", due);
  ASSERT_TRUE(early.ok());
  EXPECT_FALSE(early->has_value());  // 23:59:59.999999 CEST on the last day: still running
  clock_->Set(due);
  Result<std::optional<Request>> lapsed = engine_.ExpireDeadline(id_, "answer", due);
  ASSERT_TRUE(lapsed.ok());
  ASSERT_TRUE(lapsed->has_value());
  const DeadlineState* answer = (*lapsed)->FindDeadline("answer");
  ASSERT_NE(answer, nullptr);  // CONTRACT §7: a lapsed clock stays on the request
  EXPECT_TRUE(answer->lapsed);
  EXPECT_EQ(answer->due_at, due);
}

// A definition built in code cannot slip a time part past `counting: days` either.
TEST(DaysValidationTest, CodeBuiltDaysDeadlineWithHoursIsRefused) {
  LoadReport report = ParseDefinition(kDaysWorkflow, "days.yaml");
  ASSERT_TRUE(report.ok());
  WorkflowDefinition def = report.definitions.at(0);
  def.deadlines.at(0).duration = Period("P1DT12H");
  Engine engine(EngineOptions{std::shared_ptr<Store>(NewMemoryStore()), nullptr});
  Status s = engine.LoadDefinition(def);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("counts whole days (counting: days), so its duration "
                                     "'P1DT12H' cannot have a time part"));
}

TEST(DaysValidationTest, TwentyFourHoursIsATimePartToo) {
  std::string yaml = kDaysWorkflow;
  yaml.replace(yaml.find("duration: P10D, extension"), 14, "duration: PT24H");
  LoadReport report = ParseDefinition(yaml, "days.yaml");
  EXPECT_THAT(report.ErrorText(), HasSubstr("days.yaml:9: deadline 'answer' counts whole days"));
}

TEST(DaysValidationTest, DefinitionJsonShowsDaysCountingOnly) {
  LoadReport report = ParseDefinition(kDaysWorkflow, "days.yaml");
  ASSERT_TRUE(report.ok());
  const nlohmann::json j = DefinitionToJson(report.definitions.at(0));
  EXPECT_EQ(j["deadlines"]["answer"]["counting"], "days");
  EXPECT_FALSE(j["deadlines"]["exact"].contains("counting"));
}

// LocalDateText writes the date digit by digit (date::format's stream cost more than the rest
// of a step's statistics): the creation day a step records must stay the local one, padded,
// on either side of a zone's midnight and of a daylight-saving change.
TEST(LocalDateTextTest, WritesTheLocalDatePaddedAroundMidnightAndDaylightSaving) {
  const TimeZone paris = Zone("Europe/Paris");
  const TimeZone baghdad = Zone("Asia/Baghdad");
  EXPECT_EQ(LocalDateText(At("2026-03-09T22:59:59Z"), paris), "2026-03-09");
  EXPECT_EQ(LocalDateText(At("2026-03-09T23:00:00Z"), paris), "2026-03-10");
  EXPECT_EQ(LocalDateText(At("2026-03-28T23:00:00Z"), paris), "2026-03-29");  // DST day
  EXPECT_EQ(LocalDateText(At("2026-10-24T21:59:59Z"), paris), "2026-10-24");
  EXPECT_EQ(LocalDateText(At("2026-10-24T22:00:00Z"), paris), "2026-10-25");
  EXPECT_EQ(LocalDateText(At("2026-12-31T21:00:00Z"), baghdad), "2027-01-01");
  EXPECT_EQ(LocalDateText(At("2026-12-31T23:59:59Z"), TimeZone()), "2026-12-31");
  EXPECT_EQ(LocalDateText(At("0999-01-05T00:00:00Z"), TimeZone()), "0999-01-05");
  EXPECT_EQ(LocalDateText(At("1970-01-01T00:00:00Z"), TimeZone()), "1970-01-01");
}

}  // namespace
}  // namespace rogatory
