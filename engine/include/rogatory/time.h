// Time as the engine sees it: UTC instants in microseconds, an injectable clock, ISO 8601
// durations (calendar-aware for months and years) and RFC 3339 timestamps.
#ifndef ROGATORY_TIME_H_
#define ROGATORY_TIME_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "rogatory/status.h"

namespace rogatory {

using Duration = std::chrono::microseconds;
using TimePoint = std::chrono::time_point<std::chrono::system_clock, Duration>;

// Microseconds since the Unix epoch, and back: the form stores persist.
inline int64_t ToUnixMicros(TimePoint t) { return t.time_since_epoch().count(); }
inline TimePoint FromUnixMicros(int64_t us) { return TimePoint(Duration(us)); }

// The source of "now". Deadlines and timestamps read it, so tests can drive time.
class Clock {
 public:
  virtual ~Clock() = default;
  // The current instant. Thread-safe.
  virtual TimePoint Now() const = 0;
};

// The wall clock (std::chrono::system_clock).
class SystemClock final : public Clock {
 public:
  TimePoint Now() const override;
};

// A clock that moves only when told to; for tests and simulations. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start) : now_us_(ToUnixMicros(start)) {}
  TimePoint Now() const override { return FromUnixMicros(now_us_.load()); }
  void Set(TimePoint t) { now_us_.store(ToUnixMicros(t)); }
  void Advance(Duration d) { now_us_.fetch_add(d.count()); }

 private:
  std::atomic<int64_t> now_us_;
};

// An ISO 8601 duration such as P30D, PT24H, P1W, P2M or P1DT12H. Months and years are
// calendar units (P1M from 31 January is the last day of February); the rest is exact time.
struct IsoDuration {
  int32_t months = 0;  // years count as 12 months
  Duration fixed{0};   // weeks, days, hours, minutes, seconds

  // The instant `*this` after `start`, in UTC.
  TimePoint AddTo(TimePoint start) const;
  // The canonical text, e.g. "P30D", "PT2S", "P1M".
  std::string ToString() const;
  bool IsZero() const { return months == 0 && fixed.count() == 0; }
  friend bool operator==(const IsoDuration& a, const IsoDuration& b) {
    return a.months == b.months && a.fixed == b.fixed;
  }
};

// Parses an ISO 8601 duration. InvalidArgument names what is wrong with `text`.
// Negative or zero durations are refused.
Result<IsoDuration> ParseIsoDuration(std::string_view text);

// "2026-11-23T10:15:30.123456Z" (microseconds shown only when non-zero, trimmed to milliseconds
// when the microseconds part is zero).
std::string FormatRfc3339(TimePoint t);

// Parses an RFC 3339 timestamp with a Z or numeric offset. InvalidArgument if malformed.
Result<TimePoint> ParseRfc3339(std::string_view text);

// True when `text` is a calendar date YYYY-MM-DD that exists (2026-02-29 does not).
bool IsValidDate(std::string_view text);

}  // namespace rogatory

#endif  // ROGATORY_TIME_H_
