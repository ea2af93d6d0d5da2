// An engine on a store of a given kind with a small workflow whose requests can move many times,
// so that tests can produce many events per request and watch them arrive.
#ifndef ROGATORY_TESTS_WEBHOOK_WEBHOOK_TEST_ENV_H_
#define ROGATORY_TESTS_WEBHOOK_WEBHOOK_TEST_ENV_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "rogatory/definition_loader.h"
#include "rogatory/engine.h"
#include "rogatory/webhook_dispatcher.h"
#include "rogatory/webhook_signature.h"
#include "store_test_util.h"

namespace rogatory::testing {

inline constexpr char kHookWorkflow[] = R"(workflow: hooks
version: 1
title: Webhook test
legal_basis: none
fields:
  note: {type: string}
states:
  open:   {phase: drafting, initial: true}
  closed: {phase: closure, terminal: true}
deadlines:
  reply: {duration: PT1S, on_expiry: reply_overdue}
transitions:
  - {event: ping,  from: open, roles: [clerk]}
  - {event: arm,   from: open, roles: [clerk], start: [reply]}
  - {event: close, from: open, to: closed, roles: [clerk]}
  - {event: reply_overdue, from: open, roles: [system]}
)";

// Options that keep tests fast: short backoff, short timeout, quick polling.
inline WebhookDispatcherOptions FastOptions() {
  WebhookDispatcherOptions o;
  o.retry.initial = std::chrono::milliseconds(50);
  o.retry.max = std::chrono::milliseconds(200);
  o.retry.max_attempts = 12;
  o.timeout = std::chrono::milliseconds(500);
  o.poll_interval = std::chrono::milliseconds(20);
  o.workers = 8;
  o.allow_private = true;  // the receivers are on loopback
  return o;
}

class WebhookEnv {
 public:
  explicit WebhookEnv(StoreKind kind) : store_(kind) {
    EXPECT_TRUE(store_.status().ok()) << store_.status().ToString();
    if (!store_.status().ok()) return;
    engine_ = std::make_unique<Engine>(EngineOptions{store_.shared(), nullptr});
    LoadReport report = ParseDefinition(kHookWorkflow, "hooks.yaml");
    EXPECT_TRUE(report.ok()) << report.ErrorText();
    if (!report.ok()) return;
    Status s = engine_->LoadDefinition(report.definitions.front());
    EXPECT_TRUE(s.ok()) << s.ToString();
  }

  bool ok() const { return engine_ != nullptr; }
  Engine& engine() { return *engine_; }
  Store& store() { return store_.store(); }
  std::shared_ptr<Store> shared() { return store_.shared(); }
  // The store's URL (empty for the memory store), to open a second connection as another node.
  const std::string& url() const { return store_.url(); }

  // Subscribes `url` (every event type unless `events`) with `secret`; returns its id.
  std::string Subscribe(const std::string& url, const std::string& secret,
                        std::vector<std::string> events = {}) {
    Subscription s;
    s.id = "sub_" + std::to_string(++subscriptions_);
    s.url = url;
    s.secret = secret;
    s.events = std::move(events);
    s.created_at = std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
    Status st = store().CreateSubscription(s);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return s.id;
  }

  RequestId Create() {
    CreateCall call;
    call.workflow = "hooks";
    auto r = engine_->Create(call, Clerk());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->id : RequestId();
  }

  // Fires `event` (default: ping, which stays in `open`) and returns the new revision.
  int64_t Fire(const RequestId& id, const std::string& event = "ping") {
    EventCall call;
    call.event = event;
    auto r = engine_->Fire(id, call, Clerk());
    EXPECT_TRUE(r.ok()) << event << ": " << r.status().ToString();
    return r.ok() ? r->revision : 0;
  }

  // The deliveries of `status` (all when nullopt), oldest first.
  std::vector<Delivery> Deliveries(std::optional<DeliveryStatus> status = std::nullopt) {
    std::vector<Delivery> out;
    DeliveryQuery q;
    q.status = status;
    q.limit = 1000;
    for (;;) {
      auto page = store().ListDeliveries(q);
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      if (!page.ok()) break;
      out.insert(out.end(), page->items.begin(), page->items.end());
      if (page->next.empty()) break;
      q.after = page->next;
    }
    return out;
  }

 private:
  TestStore store_;
  std::unique_ptr<Engine> engine_;
  int subscriptions_ = 0;
};

inline std::string NewSecret() { return NewWebhookSecret().value(); }

}  // namespace rogatory::testing

#endif  // ROGATORY_TESTS_WEBHOOK_WEBHOOK_TEST_ENV_H_
