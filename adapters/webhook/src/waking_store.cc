// A forwarding Store that wakes the dispatcher after each commit that wrote outbox rows, so a
// new event goes out in milliseconds rather than at the next poll.
#include "rogatory/forwarding_store.h"
#include "rogatory/webhook_dispatcher.h"

namespace rogatory {
namespace {

class WakingStore final : public ForwardingStore {
 public:
  WakingStore(std::shared_ptr<Store> inner, WebhookDispatcher& dispatcher)
      : ForwardingStore(std::move(inner)), dispatcher_(dispatcher) {}

  Status Apply(const Mutation& m) override {
    Status s = inner().Apply(m);
    if (s.ok() && m.Notifies()) dispatcher_.Wake();
    return s;
  }
  // The inner store's answer: Apply above asks Mutation::Notifies, which covers both.
  bool BuildsNotifications() const override { return inner().BuildsNotifications(); }
  Status RetryDelivery(const std::string& id, TimePoint now) override {
    Status s = inner().RetryDelivery(id, now);
    if (s.ok()) dispatcher_.Wake();
    return s;
  }
  // Everything else passes straight through (ForwardingStore).

 private:
  WebhookDispatcher& dispatcher_;
};

}  // namespace

std::shared_ptr<Store> WakeDispatcherOnCommit(std::shared_ptr<Store> store,
                                              WebhookDispatcher& dispatcher) {
  return std::make_shared<WakingStore>(std::move(store), dispatcher);
}

}  // namespace rogatory
