// How a statistics range is cut for the monthly roll-ups (rogatory/stats.h): whole months from
// the month counters, the days of partial months from the day counters, nothing twice, nothing
// left out, leap years included.
#include "rogatory/stats_range.h"

#include <gtest/gtest.h>

namespace rogatory {
namespace {

using DayRanges = std::vector<std::pair<std::string, std::string>>;

TEST(SplitStatsRange, AllTimeReadsMonthsOnly) {
  const StatsRangeParts p = SplitStatsRange("", "");
  EXPECT_TRUE(p.has_months);
  EXPECT_EQ(p.from_month, "");
  EXPECT_EQ(p.to_month, "9999-99");
  EXPECT_TRUE(p.day_ranges.empty());
}

TEST(SplitStatsRange, PartialMonthsAtBothEndsAroundAYearEdge) {
  const StatsRangeParts p = SplitStatsRange("2026-11-17", "2027-02-03");
  EXPECT_TRUE(p.has_months);
  EXPECT_EQ(p.from_month, "2026-12");
  EXPECT_EQ(p.to_month, "2027-01");
  EXPECT_EQ(p.day_ranges, (DayRanges{{"2026-11-17", "2026-11-31"}, {"2027-02-01", "2027-02-03"}}));
}

TEST(SplitStatsRange, WholeMonthsEndOnTheirLastDayLeapYearsIncluded) {
  StatsRangeParts p = SplitStatsRange("2028-02-01", "2028-02-29");
  EXPECT_TRUE(p.has_months);
  EXPECT_EQ(p.from_month, "2028-02");
  EXPECT_EQ(p.to_month, "2028-02");
  EXPECT_TRUE(p.day_ranges.empty());
  p = SplitStatsRange("2028-02-01", "2028-02-28");  // a day short of the leap month
  EXPECT_FALSE(p.has_months);
  EXPECT_EQ(p.day_ranges, (DayRanges{{"2028-02-01", "2028-02-28"}}));
  p = SplitStatsRange("2100-02-01", "2100-02-28");  // 2100 is no leap year
  EXPECT_TRUE(p.has_months);
  EXPECT_EQ(p.to_month, "2100-02");
  p = SplitStatsRange("2025-12-01", "2025-12-31");
  EXPECT_EQ(p.from_month, "2025-12");
  EXPECT_EQ(p.to_month, "2025-12");
}

TEST(SplitStatsRange, WithinOrAcrossTwoPartialMonthsReadsDaysOnly) {
  EXPECT_EQ(SplitStatsRange("2026-03-05", "2026-03-05").day_ranges,
            (DayRanges{{"2026-03-05", "2026-03-05"}}));
  const StatsRangeParts p = SplitStatsRange("2026-12-31", "2027-01-01");
  EXPECT_FALSE(p.has_months);
  EXPECT_EQ(p.day_ranges, (DayRanges{{"2026-12-31", "2027-01-01"}}));
}

TEST(SplitStatsRange, OpenEnds) {
  StatsRangeParts p = SplitStatsRange("", "2027-01-15");
  EXPECT_EQ(p.from_month, "");
  EXPECT_EQ(p.to_month, "2026-12");
  EXPECT_EQ(p.day_ranges, (DayRanges{{"2027-01-01", "2027-01-15"}}));
  p = SplitStatsRange("2026-12-31", "");
  EXPECT_EQ(p.from_month, "2027-01");
  EXPECT_EQ(p.to_month, "9999-99");
  EXPECT_EQ(p.day_ranges, (DayRanges{{"2026-12-31", "2026-12-31"}}));
}

}  // namespace
}  // namespace rogatory
