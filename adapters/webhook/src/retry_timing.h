// When to try a failed delivery again: exponential backoff with jitter, or the consumer's own
// Retry-After.
#ifndef ROGATORY_ADAPTERS_WEBHOOK_RETRY_TIMING_H_
#define ROGATORY_ADAPTERS_WEBHOOK_RETRY_TIMING_H_

#include <optional>
#include <random>
#include <string_view>

#include "rogatory/time.h"
#include "rogatory/webhook_dispatcher.h"

namespace rogatory::webhook {

// Longest Retry-After honoured; a larger one is cut to this.
inline constexpr Duration kMaxRetryAfter = std::chrono::hours(24);

// The wait a Retry-After header asks for: delta-seconds ("120") or an HTTP-date
// ("Wed, 21 Oct 2026 07:28:00 GMT", RFC 9110 §5.6.7, obsolete forms too) relative to `now`.
// A date in the past is zero; nullopt if `value` is neither form.
std::optional<Duration> ParseRetryAfter(std::string_view value, TimePoint now);

// The wait after the `failed_attempts`-th failure (>= 1): uniform in
// [initial, min(max, initial * 2^failed_attempts)].
Duration BackoffDelay(const WebhookRetryPolicy& policy, int failed_attempts, std::mt19937_64& rng);

}  // namespace rogatory::webhook

#endif  // ROGATORY_ADAPTERS_WEBHOOK_RETRY_TIMING_H_
