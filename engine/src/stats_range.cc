// Cutting a statistics range into whole months (the roll-ups) and partial-month days.
#include "rogatory/stats_range.h"

#include <string>

namespace rogatory {
namespace {

constexpr char kOpenToMonth[] = "9999-99";

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// "YYYY-MM" of year and month (month may be 0 or 13: carried into the year).
std::string MonthText(int year, int month) {
  if (month < 1) {
    month += 12;
    --year;
  } else if (month > 12) {
    month -= 12;
    ++year;
  }
  std::string y = std::to_string(year), m = std::to_string(month);
  return std::string(y.size() < 4 ? 4 - y.size() : 0, '0') + y + (month < 10 ? "-0" : "-") + m;
}

struct Day {
  int year = 0, month = 0, day = 0;
};

Day ParseDay(const std::string& text) {
  return Day{std::stoi(text.substr(0, 4)), std::stoi(text.substr(5, 2)),
             std::stoi(text.substr(8, 2))};
}

}  // namespace

StatsRangeParts SplitStatsRange(const std::string& from_day, const std::string& to_day) {
  StatsRangeParts parts;
  // The first and last whole months of the range.
  std::string first = "", last = kOpenToMonth;
  if (!from_day.empty()) {
    const Day d = ParseDay(from_day);
    first = MonthText(d.year, d.day == 1 ? d.month : d.month + 1);
  }
  if (!to_day.empty()) {
    const Day d = ParseDay(to_day);
    last = MonthText(d.year, d.day == DaysInMonth(d.year, d.month) ? d.month : d.month - 1);
  }
  if (first > last) {
    // No whole month: the range lies within two partial months; read its days.
    parts.day_ranges.emplace_back(from_day, to_day);
    return parts;
  }
  parts.has_months = true;
  parts.from_month = first;
  parts.to_month = last;
  // Every day of a month sorts at or before YYYY-MM-31 and at or after YYYY-MM-01.
  if (!from_day.empty() && from_day.substr(0, 7) < first) {
    parts.day_ranges.emplace_back(from_day, from_day.substr(0, 7) + "-31");
  }
  if (!to_day.empty() && to_day.substr(0, 7) > last) {
    parts.day_ranges.emplace_back(to_day.substr(0, 7) + "-01", to_day);
  }
  return parts;
}

StatsCellKey StatsMonthKey(const StatsCellKey& key) {
  StatsCellKey month = key;
  month.day = key.day.substr(0, 7);
  return month;
}

}  // namespace rogatory
