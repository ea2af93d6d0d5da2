// Whole-day arithmetic on local calendar dates (date::year_month_day), converted to UTC only
// at the end; UTC itself takes the arithmetic path without any tzdata lookup.
#include "day_counting.h"

#include <date/date.h>
#include <date/tz.h>

#include <algorithm>
#include <chrono>
#include <string>

#include "time_zone_rules.h"

namespace rogatory {
namespace {

using Days = date::days;
constexpr int64_t kMicrosPerDay = int64_t{86'400} * 1'000'000;

// The local calendar day `t` falls on, as days since 1970-01-01.
date::sys_days LocalDay(TimePoint t, const TimeZone& zone) {
  const date::sys_time<Duration> sys(t.time_since_epoch());
  const date::time_zone* z = zone.rules().zone;
  if (z == nullptr) return date::floor<Days>(sys);
  const date::local_time<Duration> local = z->to_local(sys);
  return date::sys_days(date::floor<Days>(local).time_since_epoch());
}

// The first instant of local day `day`: 00:00, or the end of the gap when a daylight-saving
// change skips midnight.
TimePoint StartOfLocalDay(date::sys_days day, const TimeZone& zone) {
  const date::time_zone* z = zone.rules().zone;
  if (z == nullptr) return TimePoint(day.time_since_epoch());
  const date::local_days local(day.time_since_epoch());
  return TimePoint(z->to_sys(local, date::choose::earliest).time_since_epoch());
}

// `day` + `months` calendar months, clamped to the month's last day, + `days`.
date::sys_days AddCalendar(date::sys_days day, int32_t months, int64_t days) {
  if (months != 0) {
    date::year_month_day ymd(day);
    date::year_month_day moved = ymd + date::months(months);
    if (!moved.ok()) moved = moved.year() / moved.month() / date::last;  // 31 Jan + P1M
    day = date::sys_days(moved);
  }
  return day + Days(days);
}

}  // namespace

TimePoint AddPeriod(TimePoint start, const IsoDuration& d, Counting c, const TimeZone& zone) {
  if (c == Counting::kExact) return d.AddTo(start);
  const date::sys_days last =
      AddCalendar(LocalDay(start, zone), d.months, d.fixed.count() / kMicrosPerDay);
  return StartOfLocalDay(last + Days(1), zone);  // the end (24:00) of the last day
}

TimePoint ExtendPeriod(TimePoint due, const IsoDuration& d, Counting c, const TimeZone& zone) {
  if (c == Counting::kExact) return d.AddTo(due);
  return AddPeriod(due - Duration(1), d, c, zone);
}

Duration WholeDaysLeft(TimePoint now, TimePoint due, const TimeZone& zone) {
  const auto left = (LocalDay(due - Duration(1), zone) - LocalDay(now, zone)).count();
  return Duration(std::max<int64_t>(0, left) * kMicrosPerDay);
}

Result<TimePoint> StartOfDate(std::string_view yyyy_mm_dd, const TimeZone& zone) {
  if (!IsValidDate(yyyy_mm_dd)) {
    return InvalidArgumentError("'" + std::string(yyyy_mm_dd) +
                                "' is not a date of the form YYYY-MM-DD");
  }
  const int y = std::stoi(std::string(yyyy_mm_dd.substr(0, 4)));
  const unsigned m = static_cast<unsigned>(std::stoi(std::string(yyyy_mm_dd.substr(5, 2))));
  const unsigned d = static_cast<unsigned>(std::stoi(std::string(yyyy_mm_dd.substr(8, 2))));
  return StartOfLocalDay(date::sys_days(date::year(y) / date::month(m) / date::day(d)), zone);
}

std::string LocalDateText(TimePoint t, const TimeZone& zone) {
  // Written digit by digit: date::format builds an ostream and its locale per call, which cost
  // more than the rest of a step's statistics (every step records its request's creation day).
  const date::year_month_day ymd(LocalDay(t, zone));
  const int y = static_cast<int>(ymd.year());
  if (y < 0 || y > 9999) return date::format("%F", date::sys_days(ymd));
  const unsigned m = static_cast<unsigned>(ymd.month());
  const unsigned d = static_cast<unsigned>(ymd.day());
  std::string out = "0000-00-00";
  out[0] = static_cast<char>('0' + y / 1000);
  out[1] = static_cast<char>('0' + y / 100 % 10);
  out[2] = static_cast<char>('0' + y / 10 % 10);
  out[3] = static_cast<char>('0' + y % 10);
  out[5] = static_cast<char>('0' + m / 10);
  out[6] = static_cast<char>('0' + m % 10);
  out[8] = static_cast<char>('0' + d / 10);
  out[9] = static_cast<char>('0' + d % 10);
  return out;
}

}  // namespace rogatory
