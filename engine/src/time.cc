// UTC calendar arithmetic without time zones: Howard Hinnant's days_from_civil algorithms.
#include "rogatory/time.h"

#include <cctype>
#include <cstdio>
#include <string>

namespace rogatory {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kSecondsPerDay = 86'400;
// The longest duration accepted: 1000 years, in calendar months and in exact time (1000 years
// of 366 days). Found by fuzzing: without a cap, P9999999Y overflowed the microsecond clock.
constexpr int64_t kMaxDurationMonths = 12'000;
constexpr int64_t kMaxDurationSeconds = 1000 * 366 * kSecondsPerDay;

// Days since 1970-01-01 of the proleptic Gregorian date y-m-d.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

struct Civil {
  int64_t y;
  unsigned m, d;
};

Civil CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2), m, d};
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(int64_t y, unsigned m) {
  static const unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Reads exactly `n` digits at text[*pos]; false if they are not all digits.
bool ReadDigits(std::string_view text, size_t* pos, size_t n, int64_t* out) {
  if (*pos + n > text.size()) return false;
  int64_t v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = text[*pos + i];
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    v = v * 10 + (c - '0');
  }
  *pos += n;
  *out = v;
  return true;
}

}  // namespace

TimePoint SystemClock::Now() const {
  return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
}

TimePoint IsoDuration::AddTo(TimePoint start) const {
  TimePoint t = start;
  if (months != 0) {
    const int64_t us = ToUnixMicros(start);
    const int64_t day_us = kSecondsPerDay * kMicrosPerSecond;
    const int64_t days = FloorDiv(us, day_us);
    const int64_t time_of_day = us - days * day_us;
    Civil c = CivilFromDays(days);
    int64_t month_index = c.y * 12 + (c.m - 1) + months;
    int64_t y = FloorDiv(month_index, 12);
    unsigned m = static_cast<unsigned>(month_index - y * 12) + 1;
    unsigned d = std::min(c.d, DaysInMonth(y, m));  // 31 Jan + P1M = 28/29 Feb
    t = FromUnixMicros(DaysFromCivil(y, m, d) * day_us + time_of_day);
  }
  return t + fixed;
}

std::string IsoDuration::ToString() const {
  std::string out = "P";
  if (months % 12 == 0 && months != 0) {
    out += std::to_string(months / 12) + "Y";
  } else if (months != 0) {
    out += std::to_string(months) + "M";
  }
  int64_t us = fixed.count();
  const int64_t day_us = kSecondsPerDay * kMicrosPerSecond;
  int64_t days = us / day_us;
  us -= days * day_us;
  if (days != 0) out += std::to_string(days) + "D";
  if (us != 0) {
    out += "T";
    int64_t h = us / (3600 * kMicrosPerSecond);
    us -= h * 3600 * kMicrosPerSecond;
    int64_t m = us / (60 * kMicrosPerSecond);
    us -= m * 60 * kMicrosPerSecond;
    if (h) out += std::to_string(h) + "H";
    if (m) out += std::to_string(m) + "M";
    if (us) {
      int64_t s = us / kMicrosPerSecond;
      int64_t frac = us % kMicrosPerSecond;
      out += std::to_string(s);
      if (frac) {
        char buf[16];
        std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(frac));
        std::string f(buf);
        while (f.back() == '0') f.pop_back();
        out += f;
      }
      out += "S";
    }
  }
  if (out == "P") out += "T0S";
  return out;
}

Result<IsoDuration> ParseIsoDuration(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return InvalidArgumentError("invalid ISO 8601 duration '" + std::string(text) + "': " + why);
  };
  if (text.size() < 3 || text[0] != 'P') return bad("expected a form like P30D, PT24H or P1W");
  // Summed in whole months and seconds first: each number has at most 9 digits, so no sum
  // overflows, and the caps below keep every later sum (AddTo, microseconds) in range.
  int64_t months = 0, seconds = 0, micros = 0;
  bool in_time = false, any = false;
  // Designators must come in this order; each at most once.
  const std::string date_order = "YMWD", time_order = "HMS";
  size_t date_next = 0, time_next = 0;
  size_t i = 1;
  while (i < text.size()) {
    if (text[i] == 'T') {
      if (in_time) return bad("'T' appears twice");
      in_time = true;
      ++i;
      if (i == text.size()) return bad("'T' must be followed by hours, minutes or seconds");
      continue;
    }
    size_t start = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    int64_t frac_us = 0;
    bool has_frac = false;
    std::string_view whole = text.substr(start, i - start);
    if (i < text.size() && (text[i] == '.' || text[i] == ',')) {
      has_frac = true;
      size_t fs = ++i;
      while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
      std::string digits(text.substr(fs, i - fs));
      if (digits.empty() || digits.size() > 6) return bad("fractions need 1 to 6 digits");
      while (digits.size() < 6) digits += '0';
      frac_us = std::stoll(digits);
    }
    if (whole.empty()) return bad("a number must precede each designator");
    if (whole.size() > 9) return bad("number too large");
    if (i == text.size()) return bad("missing a designator after '" + std::string(whole) + "'");
    const char unit = text[i++];
    const int64_t n = std::stoll(std::string(whole));
    if (has_frac && !(in_time && unit == 'S')) return bad("only seconds may have a fraction");
    if (!in_time) {
      size_t pos = date_order.find(unit, date_next);
      if (pos == std::string::npos) return bad(std::string("unexpected '") + unit + "'");
      date_next = pos + 1;
      switch (unit) {
        case 'Y':
          months += n * 12;
          break;
        case 'M':
          months += n;
          break;
        case 'W':
          seconds += n * 7 * kSecondsPerDay;
          break;
        case 'D':
          seconds += n * kSecondsPerDay;
          break;
      }
    } else {
      size_t pos = time_order.find(unit, time_next);
      if (pos == std::string::npos) return bad(std::string("unexpected '") + unit + "'");
      time_next = pos + 1;
      switch (unit) {
        case 'H':
          seconds += n * 3600;
          break;
        case 'M':
          seconds += n * 60;
          break;
        case 'S':
          seconds += n;
          micros = frac_us;
          break;
      }
    }
    any = true;
  }
  if (!any) return bad("no components");
  if (months > kMaxDurationMonths || seconds >= kMaxDurationSeconds) {
    return bad("longer than 1000 years");
  }
  IsoDuration d;
  d.months = static_cast<int32_t>(months);
  d.fixed = Duration(seconds * kMicrosPerSecond + micros);
  if (d.IsZero()) return bad("a deadline must be longer than zero");
  return d;
}

std::string FormatRfc3339(TimePoint t) {
  // Written digit by digit: snprintf costs more than the rest of a transition's bookkeeping.
  const int64_t us = ToUnixMicros(t);
  const int64_t day_us = kSecondsPerDay * kMicrosPerSecond;
  const int64_t days = FloorDiv(us, day_us);
  const int64_t rem = us - days * day_us;
  const Civil c = CivilFromDays(days);
  const int64_t secs = rem / kMicrosPerSecond;
  const int64_t frac = rem % kMicrosPerSecond;
  char buf[32] = "0000-00-00T00:00:00.000000Z";
  auto put = [&buf](size_t pos, size_t width, int64_t v) {
    for (size_t i = 0; i < width; ++i) {
      buf[pos + width - 1 - i] = static_cast<char>('0' + v % 10);
      v /= 10;
    }
  };
  put(0, 4, c.y);
  put(5, 2, c.m);
  put(8, 2, c.d);
  put(11, 2, secs / 3600);
  put(14, 2, secs / 60 % 60);
  put(17, 2, secs % 60);
  if (frac % 1000 == 0) {
    put(20, 3, frac / 1000);
    buf[23] = 'Z';
    return std::string(buf, 24);
  }
  put(20, 6, frac);
  return std::string(buf, 27);
}

Result<TimePoint> ParseRfc3339(std::string_view text) {
  auto bad = [&] {
    return InvalidArgumentError("invalid RFC 3339 timestamp '" + std::string(text) + "'");
  };
  size_t pos = 0;
  int64_t y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  auto expect = [&](char c) {
    if (pos < text.size() && (text[pos] == c || (c == 'T' && text[pos] == 't'))) {
      ++pos;
      return true;
    }
    return false;
  };
  if (!ReadDigits(text, &pos, 4, &y) || !expect('-') || !ReadDigits(text, &pos, 2, &mo) ||
      !expect('-') || !ReadDigits(text, &pos, 2, &d) || !expect('T') ||
      !ReadDigits(text, &pos, 2, &h) || !expect(':') || !ReadDigits(text, &pos, 2, &mi) ||
      !expect(':') || !ReadDigits(text, &pos, 2, &s)) {
    return bad();
  }
  if (mo < 1 || mo > 12 || d < 1 || d > DaysInMonth(y, static_cast<unsigned>(mo)) || h > 23 ||
      mi > 59 || s > 60) {
    return bad();
  }
  int64_t frac_us = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    size_t start = pos;
    int64_t scale = 100000;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
      frac_us += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return bad();
  }
  int64_t offset_s = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    const int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    int64_t oh = 0, om = 0;
    if (!ReadDigits(text, &pos, 2, &oh) || !expect(':') || !ReadDigits(text, &pos, 2, &om)) {
      return bad();
    }
    if (oh > 23 || om > 59) return bad();
    offset_s = sign * (oh * 3600 + om * 60);
  } else {
    return bad();
  }
  if (pos != text.size()) return bad();
  const int64_t secs =
      DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * kSecondsPerDay +
      h * 3600 + mi * 60 + std::min<int64_t>(s, 59) - offset_s;
  // An offset can carry a time at the edge of the calendar past it ("0000-01-01T00:00:00+01:00");
  // FormatRfc3339 writes four-digit years only, so those are refused (found by fuzzing).
  static const int64_t kFirst = DaysFromCivil(0, 1, 1) * kSecondsPerDay;
  static const int64_t kEnd = DaysFromCivil(10000, 1, 1) * kSecondsPerDay;
  if (secs < kFirst || secs >= kEnd) return bad();
  return FromUnixMicros(secs * kMicrosPerSecond + frac_us);
}

bool IsValidDate(std::string_view text) {
  size_t pos = 0;
  int64_t y = 0, m = 0, d = 0;
  if (text.size() != 10) return false;
  if (!ReadDigits(text, &pos, 4, &y) || text[pos++] != '-' || !ReadDigits(text, &pos, 2, &m) ||
      text[pos++] != '-' || !ReadDigits(text, &pos, 2, &d)) {
    return false;
  }
  return m >= 1 && m <= 12 && d >= 1 && d <= DaysInMonth(y, static_cast<unsigned>(m));
}

}  // namespace rogatory
