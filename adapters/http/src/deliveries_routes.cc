// /v1/deliveries (admin): the webhook outbox, and re-queuing a dead or failed delivery (409 when
// it is being sent, was delivered, was never tried, or its subscription is disabled or deleted:
// the store judges that atomically). An admin with an authority (CONTRACT §8) sees only the
// deliveries of its own subscriptions: any other answers 404, exactly as an unknown id.
#include "call.h"
#include "routes.h"

namespace rogatory::http {
namespace {

// The delivery `id` if the caller may see it (its subscription is the caller's, or the caller is
// a global admin); NotFound (as for an unknown id) otherwise.
Result<Delivery> OwnDelivery(const ApiContext& ctx, const Call& c, const std::string& id) {
  Result<Delivery> d = ctx.engine.store().GetDelivery(id);
  if (!d.ok() || c.actor.authority.empty()) return d;
  Result<Subscription> s = ctx.engine.store().GetSubscription(d->subscription_id);
  if (!s.ok() && s.status().code() != StatusCode::kNotFound) return s.status();
  if (!s.ok() || !s->ManagedBy(c.actor.authority)) {
    return NotFoundError("delivery " + id + " not found");
  }
  return d;
}

nlohmann::json DeliveryToJson(const Delivery& d) {
  return {
      {"id", d.id},
      {"subscription_id", d.subscription_id},
      {"request_id", d.request_id},
      {"revision", d.revision},
      {"type", d.type},
      {"status", DeliveryStatusName(d.status)},
      {"attempts", d.attempts},
      {"last_error", d.last_error.empty() ? nlohmann::json(nullptr) : nlohmann::json(d.last_error)},
      {"next_attempt_at", d.status == DeliveryStatus::kPending
                              ? nlohmann::json(FormatRfc3339(d.next_attempt_at))
                              : nlohmann::json(nullptr)},
      {"created_at", FormatRfc3339(d.created_at)}};
}

void ListDeliveries(const ApiContext& ctx, Call& c) {
  if (!c.CheckQuery({"status", "subscription", "limit", "after"})) return;
  DeliveryQuery q;
  if (auto status = c.Query("status")) {
    q.status = ParseDeliveryStatus(*status);
    if (!q.status)
      return c.Error(400, "invalid_query", "status must be pending, delivered or dead");
  }
  q.subscription_id = c.Query("subscription").value_or("");
  q.authority = c.actor.authority;
  q.after = c.Query("after").value_or("");
  if (auto limit = c.Query("limit")) {
    auto n = ParseDecimal(*limit, 1, 1000);
    if (!n) return c.Error(400, "invalid_query", "limit must be an integer from 1 to 1000");
    q.limit = static_cast<int>(*n);
  }
  auto page = ctx.engine.store().ListDeliveries(q);
  if (!page.ok()) return c.Fail(page.status());
  nlohmann::json items = nlohmann::json::array();
  for (const Delivery& d : page->items) items.push_back(DeliveryToJson(d));
  c.Json(200,
         {{"items", std::move(items)},
          {"next", page->next.empty() ? nlohmann::json(nullptr) : nlohmann::json(page->next)}});
}

void GetDelivery(const ApiContext& ctx, Call& c) {
  auto d = OwnDelivery(ctx, c, c.Param(0));
  if (!d.ok()) return c.Fail(d.status());
  nlohmann::json out = DeliveryToJson(*d);
  nlohmann::json body = nlohmann::json::parse(d->body, nullptr, false);
  out["body"] = body.is_discarded() ? nlohmann::json(nullptr) : std::move(body);
  c.Json(200, out);
}

void RetryDelivery(const ApiContext& ctx, Call& c) {
  if (auto own = OwnDelivery(ctx, c, c.Param(0)); !own.ok()) return c.Fail(own.status());
  Status s = ctx.engine.store().RetryDelivery(c.Param(0), ctx.engine.clock().Now());
  if (!s.ok()) return c.Fail(s);
  // Read before waking the dispatcher: the answer is the delivery as the retry left it
  // (pending), not as a send that may already have finished.
  auto d = ctx.engine.store().GetDelivery(c.Param(0));
  ctx.OutboxWritten();
  if (!d.ok()) return c.Fail(d.status());
  c.Json(200, DeliveryToJson(*d));
}

}  // namespace

void AddDeliveriesRoutes(Router& router, const ApiContext& ctx) {
  const ApiContext* x = &ctx;
  const RouteAccess admin{true, true};
  router.Add({"GET", "/v1/deliveries", admin, false, [x](Call& c) { ListDeliveries(*x, c); }});
  router.Add({"GET", "/v1/deliveries/{id}", admin, false, [x](Call& c) { GetDelivery(*x, c); }});
  router.Add(
      {"POST", "/v1/deliveries/{id}/retry", admin, false, [x](Call& c) { RetryDelivery(*x, c); }});
}

}  // namespace rogatory::http
