// Retry timing: Retry-After in both of its forms, and backoff with jitter inside its bounds.
#include "retry_timing.h"

#include <gtest/gtest.h>

namespace rogatory::webhook {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

TimePoint At(const char* rfc3339) { return ParseRfc3339(rfc3339).value(); }

TEST(ParseRetryAfterTest, DeltaSeconds) {
  const TimePoint now = At("2026-01-05T09:00:00Z");
  EXPECT_EQ(ParseRetryAfter("120", now), Duration(seconds(120)));
  EXPECT_EQ(ParseRetryAfter(" 0 ", now), Duration(0));
}

TEST(ParseRetryAfterTest, HttpDateInAllThreeForms) {
  const TimePoint now = At("2026-01-05T09:00:00Z");
  EXPECT_EQ(ParseRetryAfter("Mon, 05 Jan 2026 09:01:30 GMT", now), Duration(seconds(90)));
  EXPECT_EQ(ParseRetryAfter("Monday, 05-Jan-26 09:01:30 GMT", now), Duration(seconds(90)));
  EXPECT_EQ(ParseRetryAfter("Mon Jan  5 09:01:30 2026", now), Duration(seconds(90)));
}

TEST(ParseRetryAfterTest, DateInThePastMeansNow) {
  EXPECT_EQ(ParseRetryAfter("Mon, 05 Jan 2026 08:00:00 GMT", At("2026-01-05T09:00:00Z")),
            Duration(0));
}

TEST(ParseRetryAfterTest, HugeValuesAreCut) {
  const TimePoint now = At("2026-01-05T09:00:00Z");
  EXPECT_EQ(ParseRetryAfter("99999999999999", now), kMaxRetryAfter);
  EXPECT_EQ(ParseRetryAfter("Fri, 05 Jan 2035 09:00:00 GMT", now), kMaxRetryAfter);
}

TEST(ParseRetryAfterTest, GarbageIsNotUnderstood) {
  const TimePoint now = At("2026-01-05T09:00:00Z");
  for (const char* bad : {"", "soon", "-5", "1.5", "Mon, 05 Jan 2026", "12abc"}) {
    EXPECT_FALSE(ParseRetryAfter(bad, now).has_value()) << bad;
  }
}

TEST(BackoffDelayTest, StaysBetweenInitialAndTheDoublingCeiling) {
  WebhookRetryPolicy p;
  p.initial = seconds(5);
  p.max = hours(1);
  std::mt19937_64 rng(7);
  for (int failed = 1; failed <= 15; ++failed) {
    Duration ceiling = p.initial;
    for (int i = 0; i < failed && ceiling < p.max; ++i) ceiling *= 2;
    ceiling = std::min<Duration>(ceiling, p.max);
    for (int i = 0; i < 200; ++i) {
      const Duration d = BackoffDelay(p, failed, rng);
      ASSERT_GE(d, p.initial) << failed;
      ASSERT_LE(d, ceiling) << failed;
    }
  }
}

TEST(BackoffDelayTest, IsJitteredAndReachesTheCap) {
  WebhookRetryPolicy p;
  p.initial = milliseconds(100);
  p.max = seconds(1);
  std::mt19937_64 rng(11);
  Duration lo = hours(1), hi{0};
  for (int i = 0; i < 2000; ++i) {
    const Duration d = BackoffDelay(p, 20, rng);
    lo = std::min(lo, d);
    hi = std::max(hi, d);
  }
  EXPECT_LT(lo, milliseconds(200));  // spread over the whole range, not pinned to the cap
  EXPECT_GT(hi, milliseconds(900));
  EXPECT_LE(hi, seconds(1));
}

}  // namespace
}  // namespace rogatory::webhook
