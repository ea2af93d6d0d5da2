// Monthly roll-ups of the statistics counters (docs/statistics.md, "How it is kept"): how a
// query's creation-day range is cut into whole months, read from the month counters, and the
// days of its partial months, read from the day counters.
#ifndef ROGATORY_STATS_RANGE_H_
#define ROGATORY_STATS_RANGE_H_

#include <string>
#include <utility>
#include <vector>

#include "rogatory/stats.h"

namespace rogatory {

// A creation-day range cut for the monthly roll-ups (docs/statistics.md, "How it is kept"):
// the whole months it covers, read from the month counters, and the days of its partial
// months, read from the day counters. Summing both gives exactly the day counters' sum over
// the range, at a cost bounded by the months plus at most two partial months of days.
struct StatsRangeParts {
  bool has_months = false;  // false: the range covers no whole month
  std::string from_month;   // YYYY-MM, inclusive; "" = open (every earlier month)
  std::string to_month;     // YYYY-MM, inclusive; "9999-99" = open (every later month)
  std::vector<std::pair<std::string, std::string>> day_ranges{};  // inclusive YYYY-MM-DD
};

// Cuts [from_day, to_day] (YYYY-MM-DD, valid dates; empty = open-ended) into StatsRangeParts.
StatsRangeParts SplitStatsRange(const std::string& from_day, const std::string& to_day);

// The month counter a day counter rolls up into: `key` with its day cut to YYYY-MM.
StatsCellKey StatsMonthKey(const StatsCellKey& key);

}  // namespace rogatory

#endif  // ROGATORY_STATS_RANGE_H_
