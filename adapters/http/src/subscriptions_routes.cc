// /v1/subscriptions (admin): webhook subscriptions with their signing secrets. An admin with an
// authority (CONTRACT §8) creates subscriptions of that authority and sees only those: any other
// answers 404, exactly as an unknown id.
#include "call.h"
#include "client_text.h"
#include "json_body.h"
#include "routes.h"
#include "secrets.h"
#include "webhook_url.h"

namespace rogatory::http {
namespace {

// A subscription as GET shows it: the secret is shown only once, when it is created.
nlohmann::json SubscriptionToJson(const Subscription& s) {
  return {
      {"id", s.id},
      {"url", s.url},
      {"events", s.events},
      {"workflows", s.workflows},
      {"active", s.active},
      {"authority", s.authority.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.authority)},
      {"created_at", FormatRfc3339(s.created_at)}};
}

// The subscription `id` if the caller may manage it; NotFound (as for an unknown id) otherwise.
Result<Subscription> OwnSubscription(const ApiContext& ctx, const Call& c, const std::string& id) {
  Result<Subscription> s = ctx.engine.store().GetSubscription(id);
  if (s.ok() && !s->ManagedBy(c.actor.authority)) {
    return NotFoundError("subscription " + id + " not found");
  }
  return s;
}

bool IsEventType(const std::string& type) {
  return type == kEventRequestCreated || type == kEventRequestTransitioned ||
         type == kEventRequestClosed || type == kEventDeadlineExpired;
}

void CreateSubscription(const ApiContext& ctx, Call& c) {
  ApiError error;
  auto body = ParseJsonObject(c.body, &error);
  if (!body) return c.Error(error);
  Subscription s;
  Status st = RejectUnknownFields(*body, {"url", "events", "workflows"});
  if (st.ok()) st = ReadString(*body, "url", true, &s.url);
  if (st.ok()) st = ReadStringList(*body, "events", &s.events);
  if (st.ok()) st = ReadStringList(*body, "workflows", &s.workflows);
  if (!st.ok()) return c.Fail(st);
  for (const std::string& e : s.events) {
    if (!IsEventType(e)) {
      return c.Fail(InvalidArgumentError(
          "unknown event type '" + Quote(e) +
          "'; expected request.created, request.transitioned, request.closed or "
          "deadline.expired"));
    }
  }
  st = CheckWebhookUrl(s.url, ctx.options.allow_private_webhooks);
  if (!st.ok()) return c.Fail(st);
  Result<std::string> id = NewSortableId("sub_");
  if (!id.ok()) return c.Fail(id.status());
  Result<std::string> secret = NewWebhookSecret();
  if (!secret.ok()) return c.Fail(secret.status());
  s.id = *id;
  s.secret = *secret;
  s.active = true;
  s.authority = c.actor.authority;
  s.created_at = ctx.engine.clock().Now();
  st = ctx.engine.store().CreateSubscription(s);
  if (!st.ok()) return c.Fail(st);
  nlohmann::json out = SubscriptionToJson(s);
  out["secret"] = s.secret;
  c.SetHeader("Location", "/v1/subscriptions/" + s.id);
  c.Json(201, out);
}

void ListSubscriptions(const ApiContext& ctx, Call& c) {
  if (!c.CheckQuery({})) return;
  auto subs = ctx.engine.store().ListSubscriptions();
  if (!subs.ok()) return c.Fail(subs.status());
  nlohmann::json items = nlohmann::json::array();
  for (const Subscription& s : *subs) {
    if (s.ManagedBy(c.actor.authority)) items.push_back(SubscriptionToJson(s));
  }
  c.Json(200, {{"items", std::move(items)}, {"next", nullptr}});
}

void GetSubscription(const ApiContext& ctx, Call& c) {
  auto s = OwnSubscription(ctx, c, c.Param(0));
  if (!s.ok()) return c.Fail(s.status());
  c.Json(200, SubscriptionToJson(*s));
}

// PATCH {"active": true} re-enables a subscription that a 410 disabled, so that its dead letters
// can be retried; {"active": false} disables one (its pending deliveries are dead-lettered).
void PatchSubscription(const ApiContext& ctx, Call& c) {
  ApiError error;
  auto body = ParseJsonObject(c.body, &error);
  if (!body) return c.Error(error);
  const auto active = body->find("active");
  if (body->size() != 1 || active == body->end() || !active->is_boolean()) {
    return c.Error(400, "bad_request",
                   "the body must be {\"active\": true} or {\"active\": false}");
  }
  if (auto own = OwnSubscription(ctx, c, c.Param(0)); !own.ok()) return c.Fail(own.status());
  Status st = ctx.engine.store().SetSubscriptionActive(c.Param(0), active->get<bool>());
  if (!st.ok()) return c.Fail(st);
  auto s = ctx.engine.store().GetSubscription(c.Param(0));
  if (!s.ok()) return c.Fail(s.status());
  c.Json(200, SubscriptionToJson(*s));
}

void DeleteSubscription(const ApiContext& ctx, Call& c) {
  if (auto own = OwnSubscription(ctx, c, c.Param(0)); !own.ok()) return c.Fail(own.status());
  Status s = ctx.engine.store().DeleteSubscription(c.Param(0));
  if (!s.ok()) return c.Fail(s);
  c.Empty(204);
}

}  // namespace

void AddSubscriptionsRoutes(Router& router, const ApiContext& ctx) {
  const ApiContext* x = &ctx;
  const RouteAccess admin{true, true};
  router.Add(
      {"POST", "/v1/subscriptions", admin, true, [x](Call& c) { CreateSubscription(*x, c); }});
  router.Add(
      {"GET", "/v1/subscriptions", admin, false, [x](Call& c) { ListSubscriptions(*x, c); }});
  router.Add(
      {"GET", "/v1/subscriptions/{id}", admin, false, [x](Call& c) { GetSubscription(*x, c); }});
  router.Add(
      {"PATCH", "/v1/subscriptions/{id}", admin, true, [x](Call& c) { PatchSubscription(*x, c); }});
  router.Add({"DELETE", "/v1/subscriptions/{id}", admin, false,
              [x](Call& c) { DeleteSubscription(*x, c); }});
}

}  // namespace rogatory::http
