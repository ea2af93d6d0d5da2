#include "delivery_attempt.h"

#include "delivery_machine.h"
#include "retry_timing.h"
#include "rogatory/webhook_signature.h"

namespace rogatory::webhook {
namespace {

AttemptReport DeadWithoutSend(const Delivery& d, const std::string& owner, TimePoint now,
                              std::string why) {
  AttemptReport report;
  report.record.delivery_id = d.id;
  report.record.owner = owner;
  report.record.status = DeliveryStatus::kDead;
  report.record.error = std::move(why);
  report.record.next_attempt_at = now;
  report.outcome = AttemptOutcome::kDead;
  report.answered_at = now;
  return report;
}

int64_t UnixSeconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

AttemptReport AttemptDelivery(const Delivery& d, AttemptContext& ctx) {
  const std::string& owner = ctx.options.node_id;
  Result<Subscription> sub = ctx.subscriptions.Get(d.subscription_id);
  if (sub.ok() && !sub->active) {
    // The cached copy may predate a re-enable (PATCH ... {"active": true}) followed at once by
    // a retry: ask the store before dead-lettering.
    ctx.subscriptions.Forget(d.subscription_id);
    sub = ctx.subscriptions.Get(d.subscription_id);
  }
  if (!sub.ok() && sub.status().code() == StatusCode::kNotFound) {
    return DeadWithoutSend(d, owner, ctx.clock.Now(), "subscription deleted");
  }
  if (sub.ok() && !sub->active) {
    return DeadWithoutSend(d, owner, ctx.clock.Now(), "subscription disabled");
  }

  DeliveryMachine machine(d, ctx.options.retry, ctx.rng);
  (void)machine.Claim();  // a claimed row is pending: always taken
  AttemptResult result;
  if (!sub.ok()) {
    result.error = "subscription unavailable: " + sub.status().message();
  } else {
    const TimePoint now = ctx.clock.Now();
    Result<WebhookHeaders> h = SignWebhook(sub->secret, WebhookId(d.id), UnixSeconds(now), d.body);
    if (!h.ok()) {
      result.error = "cannot sign: " + h.status().message();
    } else {
      HttpAnswer answer = ctx.sender.Post(sub->url,
                                          {{"webhook-id", h->id},
                                           {"webhook-timestamp", h->timestamp},
                                           {"webhook-signature", h->signature}},
                                          d.body);
      result.http_status = answer.status;
      result.error = std::move(answer.error);
      if (answer.retry_after) result.retry_after = ParseRetryAfter(*answer.retry_after, now);
    }
  }

  AttemptReport report;
  report.answered_at = ctx.clock.Now();
  Result<AttemptVerdict> verdict = machine.Answer(result);
  report.record.delivery_id = d.id;
  report.record.owner = owner;
  if (!verdict.ok()) {  // cannot happen: the machine is delivering after Claim
    report.record.status = DeliveryStatus::kPending;
    report.record.error = verdict.status().message();
    report.record.next_attempt_at = report.answered_at + ctx.options.retry.initial;
    return report;
  }
  report.record.status = verdict->status;
  report.record.error = verdict->error;
  report.record.next_attempt_at = report.answered_at + verdict->delay;
  report.record.disable_subscription = verdict->disable_subscription;
  if (verdict->disable_subscription) {
    report.outcome = AttemptOutcome::kGone;
    ctx.subscriptions.Forget(d.subscription_id);
  } else if (verdict->status == DeliveryStatus::kDelivered) {
    report.outcome = AttemptOutcome::kDelivered;
  } else if (verdict->status == DeliveryStatus::kDead) {
    report.outcome = AttemptOutcome::kDead;
  } else {
    report.outcome = AttemptOutcome::kRetry;
  }
  return report;
}

}  // namespace rogatory::webhook
