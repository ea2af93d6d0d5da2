// A forwarding Store that wakes the dispatcher after each commit that wrote outbox rows, so a
// new event goes out in milliseconds rather than at the next poll.
#include "rogatory/webhook_dispatcher.h"

namespace rogatory {
namespace {

class WakingStore final : public Store {
 public:
  WakingStore(std::shared_ptr<Store> inner, WebhookDispatcher& dispatcher)
      : inner_(std::move(inner)), dispatcher_(dispatcher) {}

  Status Apply(const Mutation& m) override {
    Status s = inner_->Apply(m);
    if (s.ok() && m.notification) dispatcher_.Wake();
    return s;
  }
  Result<std::vector<StatsCell>> QueryStats(const StatsQuery& q) override {
    return inner_->QueryStats(q);
  }
  Status ReplaceStats(const std::vector<StatsRecord>& records) override {
    return inner_->ReplaceStats(records);
  }
  Status RetryDelivery(const std::string& id, TimePoint now) override {
    Status s = inner_->RetryDelivery(id, now);
    if (s.ok()) dispatcher_.Wake();
    return s;
  }

  // Everything else passes straight through.
  Status SaveDefinition(const WorkflowDefinition& def, const std::string& origin) override {
    return inner_->SaveDefinition(def, origin);
  }
  Result<std::vector<StoredDefinition>> ListDefinitions() override {
    return inner_->ListDefinitions();
  }
  Result<StoredDefinition> GetStoredDefinition(const std::string& workflow,
                                               std::optional<int> version) override {
    return inner_->GetStoredDefinition(workflow, version);
  }
  Result<Request> GetRequest(const RequestId& id) override { return inner_->GetRequest(id); }
  Result<std::vector<HistoryEntry>> GetHistory(const RequestId& id) override {
    return inner_->GetHistory(id);
  }
  Result<RequestPage> ListRequests(const RequestQuery& q) override {
    return inner_->ListRequests(q);
  }
  Result<std::optional<IdempotencyRecord>> FindIdempotency(const std::string& actor,
                                                           const std::string& key) override {
    return inner_->FindIdempotency(actor, key);
  }
  Result<std::vector<DueDeadline>> ClaimDueDeadlines(TimePoint now, const std::string& owner,
                                                     Duration lease, int limit) override {
    return inner_->ClaimDueDeadlines(now, owner, lease, limit);
  }
  Result<int64_t> CountOverdueDeadlines(TimePoint now) override {
    return inner_->CountOverdueDeadlines(now);
  }
  Status CreateSubscription(const Subscription& s) override {
    return inner_->CreateSubscription(s);
  }
  Result<Subscription> GetSubscription(const std::string& id) override {
    return inner_->GetSubscription(id);
  }
  Result<std::vector<Subscription>> ListSubscriptions() override {
    return inner_->ListSubscriptions();
  }
  Status SetSubscriptionActive(const std::string& id, bool active) override {
    return inner_->SetSubscriptionActive(id, active);
  }
  Status DeleteSubscription(const std::string& id) override {
    return inner_->DeleteSubscription(id);
  }
  using Store::ClaimDeliveries;
  Result<std::vector<Delivery>> ClaimDeliveries(TimePoint now, const std::string& owner,
                                                Duration lease, const ClaimLimit& limit) override {
    return inner_->ClaimDeliveries(now, owner, lease, limit);
  }
  Status RecordDeliveryAttempt(const DeliveryAttempt& a) override {
    return inner_->RecordDeliveryAttempt(a);
  }
  Result<Delivery> GetDelivery(const std::string& id) override { return inner_->GetDelivery(id); }
  Result<DeliveryPage> ListDeliveries(const DeliveryQuery& q) override {
    return inner_->ListDeliveries(q);
  }

 private:
  const std::shared_ptr<Store> inner_;
  WebhookDispatcher& dispatcher_;
};

}  // namespace

std::shared_ptr<Store> WakeDispatcherOnCommit(std::shared_ptr<Store> store,
                                              WebhookDispatcher& dispatcher) {
  return std::make_shared<WakingStore>(std::move(store), dispatcher);
}

}  // namespace rogatory
