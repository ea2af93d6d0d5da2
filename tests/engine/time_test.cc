// ISO 8601 durations and RFC 3339 timestamps.
#include "rogatory/time.h"

#include <gtest/gtest.h>

namespace rogatory {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

TEST(TimeTest, ParsesCommonDurations) {
  EXPECT_EQ(ParseIsoDuration("P30D")->fixed, hours(24 * 30));
  EXPECT_EQ(ParseIsoDuration("PT24H")->fixed, hours(24));
  EXPECT_EQ(ParseIsoDuration("PT2S")->fixed, seconds(2));
  EXPECT_EQ(ParseIsoDuration("P1W")->fixed, hours(24 * 7));
  EXPECT_EQ(ParseIsoDuration("P1DT12H")->fixed, hours(36));
  EXPECT_EQ(ParseIsoDuration("PT0.5S")->fixed, std::chrono::milliseconds(500));
  EXPECT_EQ(ParseIsoDuration("P2M")->months, 2);
  EXPECT_EQ(ParseIsoDuration("P1Y")->months, 12);
}

TEST(TimeTest, RefusesMalformedDurations) {
  for (const char* bad : {"", "P", "30D", "PT", "P1H", "PT1D", "P1DT", "P-1D", "P0D", "PT1.5H",
                          "P1D2D", "P1S", "P1.5D", "PXD", "P10000000000D"}) {
    EXPECT_FALSE(ParseIsoDuration(bad).ok()) << bad;
  }
}

// Found by time_fuzz: P9999999Y overflowed the microsecond clock when added to a date (signed
// overflow), and P999999999W when parsed. Durations are capped at 1000 years.
TEST(TimeTest, RefusesDurationsLongerThanAThousandYears) {
  for (const char* bad : {"P9999999Y", "P999999999Y", "P999999999W", "P999999999D", "PT999999999H",
                          "P1001Y", "P12001M", "P366001D", "P1000Y1M"}) {
    EXPECT_FALSE(ParseIsoDuration(bad).ok()) << bad;
  }
  for (const char* good : {"P1000Y", "P12000M", "P365000D", "PT999999999S"}) {
    auto d = ParseIsoDuration(good);
    ASSERT_TRUE(d.ok()) << good;
    const TimePoint start = *ParseRfc3339("2026-01-31T00:00:00Z");
    EXPECT_GT(d->AddTo(start), start) << good;
  }
}

// Found by time_fuzz: an offset could carry a time out of the four-digit years FormatRfc3339
// writes (it then wrote garbage), and offsets of +99:99 were accepted.
TEST(TimeTest, Rfc3339RefusesTimesOutsideYearsZeroToNineThousandNineHundredNinetyNine) {
  for (const char* bad :
       {"0000-01-01T00:00:00+00:01", "9999-12-31T23:59:59-00:01", "2026-01-01T00:00:00+24:00",
        "2026-01-01T00:00:00+00:60", "2026-01-01T00:00:00+99:99"}) {
    EXPECT_FALSE(ParseRfc3339(bad).ok()) << bad;
  }
  for (const char* good : {"0000-01-01T00:00:00Z", "0000-01-01T00:00:00-00:01",
                           "9999-12-31T23:59:59.999999Z", "2026-01-01T00:00:00+23:59"}) {
    auto t = ParseRfc3339(good);
    ASSERT_TRUE(t.ok()) << good;
    EXPECT_EQ(*ParseRfc3339(FormatRfc3339(*t)), *t) << good;
  }
}

TEST(TimeTest, DurationRoundTrips) {
  for (const char* text : {"P30D", "PT24H", "PT2S", "P1M", "P1Y", "P1DT12H", "PT1M30S"}) {
    auto d = ParseIsoDuration(text);
    ASSERT_TRUE(d.ok()) << text;
    EXPECT_EQ(*ParseIsoDuration(d->ToString()), *d) << text;
  }
  EXPECT_EQ(ParseIsoDuration("PT24H")->ToString(), "P1D");
}

TEST(TimeTest, Rfc3339RoundTripAndOffsets) {
  auto t = ParseRfc3339("2026-11-23T10:15:30.123456Z");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(FormatRfc3339(*t), "2026-11-23T10:15:30.123456Z");
  EXPECT_EQ(FormatRfc3339(*ParseRfc3339("2026-11-23T11:15:30+01:00")), "2026-11-23T10:15:30.000Z");
  EXPECT_FALSE(ParseRfc3339("2026-11-23 10:15:30").ok());
  EXPECT_FALSE(ParseRfc3339("2026-02-30T00:00:00Z").ok());
  EXPECT_EQ(FormatRfc3339(FromUnixMicros(0)), "1970-01-01T00:00:00.000Z");
}

TEST(TimeTest, ValidDates) {
  EXPECT_TRUE(IsValidDate("2024-02-29"));
  EXPECT_FALSE(IsValidDate("2025-02-29"));
  EXPECT_FALSE(IsValidDate("2025-13-01"));
  EXPECT_FALSE(IsValidDate("25-01-01"));
}

}  // namespace
}  // namespace rogatory
