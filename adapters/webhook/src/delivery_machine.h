// A webhook delivery's life as a state machine (Boost.MSM, hidden in delivery_machine.cc):
// pending -> delivering -> delivered | retrying -> delivering ... -> dead.
#ifndef ROGATORY_ADAPTERS_WEBHOOK_DELIVERY_MACHINE_H_
#define ROGATORY_ADAPTERS_WEBHOOK_DELIVERY_MACHINE_H_

#include <memory>
#include <optional>
#include <random>
#include <string>

#include "rogatory/status.h"
#include "rogatory/store.h"
#include "rogatory/time.h"
#include "rogatory/webhook_dispatcher.h"

namespace rogatory::webhook {

// What one attempt came to.
struct AttemptResult {
  int http_status = 0;                  // 0: no answer (network error, timeout)
  std::string error;                    // why it failed; empty on 2xx
  std::optional<Duration> retry_after;  // parsed Retry-After, if the consumer sent one
};

// What to record for the attempt (Store::RecordDeliveryAttempt).
struct AttemptVerdict {
  DeliveryStatus status = DeliveryStatus::kPending;  // kDelivered, kPending (retry) or kDead
  Duration delay{0};                  // kPending: wait this long before the next attempt
  bool disable_subscription = false;  // the consumer answered 410 Gone
  std::string error;                  // for last_error; empty when delivered
};

// One delivery's machine. States are known by name only ("pending", "delivering", "delivered",
// "retrying", "dead"); MSM's numeric ids never leave delivery_machine.cc. Not thread-safe: one
// per attempt in flight.
class DeliveryMachine {
 public:
  // Restores the machine from a stored row: delivered and dead as stored; pending becomes
  // "pending" if never tried and "retrying" after a failed attempt. `rng` draws the jitter and
  // must outlive the machine.
  DeliveryMachine(const Delivery& stored, const WebhookRetryPolicy& policy, std::mt19937_64& rng);
  ~DeliveryMachine();
  DeliveryMachine(const DeliveryMachine&) = delete;
  DeliveryMachine& operator=(const DeliveryMachine&) = delete;

  // The claim: pending | retrying -> delivering. FailedPrecondition in any other state.
  Status Claim();
  // The attempt's outcome: delivering -> delivered (2xx), dead (410: and disable the
  // subscription; or max_attempts reached), or retrying (anything else: backoff with jitter, or
  // Retry-After on 429/503). FailedPrecondition unless delivering.
  Result<AttemptVerdict> Answer(const AttemptResult& result);
  // The retry route (Store::RetryDelivery applies the same rule): dead | retrying -> retrying,
  // due now. FailedPrecondition in any other state: delivered, never tried, or delivering (a
  // claimed row is being sent; re-queuing it could send it twice at once).
  Status Requeue();

  // The current state's name, as persisted and shown.
  const char* state_name() const;
  // Attempts made so far, including one in progress.
  int attempts() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rogatory::webhook

#endif  // ROGATORY_ADAPTERS_WEBHOOK_DELIVERY_MACHINE_H_
