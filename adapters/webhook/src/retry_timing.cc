#include "retry_timing.h"

#include <time.h>

#include <algorithm>
#include <cctype>
#include <string>

namespace rogatory::webhook {

std::optional<Duration> ParseRetryAfter(std::string_view value, TimePoint now) {
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front()))) {
    value.remove_prefix(1);
  }
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) {
    value.remove_suffix(1);
  }
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(),
                  [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; })) {
    if (value.size() > 9) return kMaxRetryAfter;
    const long long seconds = std::stoll(std::string(value));
    return std::min<Duration>(std::chrono::seconds(seconds), kMaxRetryAfter);
  }
  // IMF-fixdate first, then the two obsolete forms RFC 9110 still asks recipients to accept.
  const std::string text(value);
  for (const char* format :
       {"%a, %d %b %Y %H:%M:%S GMT", "%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"}) {
    struct tm tm {};
    const char* end = strptime(text.c_str(), format, &tm);
    if (end == nullptr || *end != '\0') continue;
    const time_t at = timegm(&tm);
    if (at == static_cast<time_t>(-1)) continue;
    const Duration wait = FromUnixMicros(static_cast<int64_t>(at) * 1000000) - now;
    return std::clamp<Duration>(wait, Duration(0), kMaxRetryAfter);
  }
  return std::nullopt;
}

Duration BackoffDelay(const WebhookRetryPolicy& policy, int failed_attempts, std::mt19937_64& rng) {
  const Duration floor = std::max<Duration>(policy.initial, Duration(0));
  const Duration cap = std::max(floor, policy.max);
  Duration ceiling = floor;
  for (int i = 0; i < failed_attempts && ceiling < cap; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, cap);
  std::uniform_int_distribution<int64_t> pick(floor.count(), ceiling.count());
  return Duration(pick(rng));
}

}  // namespace rogatory::webhook
