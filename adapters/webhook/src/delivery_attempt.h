// One attempt at one claimed delivery: find its subscription, sign, send, and let the delivery
// machine decide what to record.
#ifndef ROGATORY_ADAPTERS_WEBHOOK_DELIVERY_ATTEMPT_H_
#define ROGATORY_ADAPTERS_WEBHOOK_DELIVERY_ATTEMPT_H_

#include <random>

#include "http_sender.h"
#include "rogatory/store.h"
#include "rogatory/webhook_dispatcher.h"
#include "subscription_cache.h"

namespace rogatory::webhook {

// What one worker brings to an attempt. Not shared between threads (but `subscriptions` is).
struct AttemptContext {
  const WebhookDispatcherOptions& options;
  const Clock& clock;
  SubscriptionCache& subscriptions;
  HttpSender& sender;
  std::mt19937_64& rng;
};

// How the attempt went, for the counters.
enum class AttemptOutcome { kDelivered, kRetry, kDead, kGone };

struct AttemptReport {
  DeliveryAttempt record;  // to pass to Store::RecordDeliveryAttempt
  AttemptOutcome outcome = AttemptOutcome::kRetry;
  TimePoint answered_at;  // when the consumer answered (or the attempt ended)
};

// Makes one attempt at `d`, claimed by `ctx.options.node_id`. A deleted or disabled subscription
// dead-letters the delivery without a send.
AttemptReport AttemptDelivery(const Delivery& d, AttemptContext& ctx);

}  // namespace rogatory::webhook

#endif  // ROGATORY_ADAPTERS_WEBHOOK_DELIVERY_ATTEMPT_H_
