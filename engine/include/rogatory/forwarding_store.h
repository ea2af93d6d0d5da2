// A Store that passes every call to another one: the base of stores that add something around
// a few calls (waking the webhook dispatcher after a commit, tests that interleave threads)
// and override just those. A call added to Store is forwarded here once for all of them, but
// for BuildsNotifications: a wrapper answers false (the engine builds every notification, so an
// Apply it overrides sees them in m.notification) unless it overrides it.
#ifndef ROGATORY_FORWARDING_STORE_H_
#define ROGATORY_FORWARDING_STORE_H_

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rogatory/store.h"

namespace rogatory {

class ForwardingStore : public Store {
 public:
  // Forwards every call to `inner` (not null).
  explicit ForwardingStore(std::shared_ptr<Store> inner) : inner_(std::move(inner)) {}

  // Each call below is `inner`'s own.
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
  Status Apply(const Mutation& m) override { return inner_->Apply(m); }
  Result<Request> GetRequest(const RequestId& id) override { return inner_->GetRequest(id); }
  std::optional<Request> LastCommitted(const RequestId& id) override {
    return inner_->LastCommitted(id);
  }
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
  Status DeleteSubscription(const std::string& id) override {
    return inner_->DeleteSubscription(id);
  }
  Status SetSubscriptionActive(const std::string& id, bool active) override {
    return inner_->SetSubscriptionActive(id, active);
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
  Status RetryDelivery(const std::string& id, TimePoint now) override {
    return inner_->RetryDelivery(id, now);
  }
  std::optional<uint64_t> OutboxVersion() const override { return inner_->OutboxVersion(); }
  std::optional<StoreKeptCounters> KeptCounters() const override { return inner_->KeptCounters(); }
  Result<std::vector<StatsCell>> QueryStats(const StatsQuery& q) override {
    return inner_->QueryStats(q);
  }
  Status ReplaceStats(const std::vector<StatsRecord>& records) override {
    return inner_->ReplaceStats(records);
  }

 protected:
  // The store every call goes to.
  Store& inner() const { return *inner_; }

 private:
  const std::shared_ptr<Store> inner_;
};

}  // namespace rogatory

#endif  // ROGATORY_FORWARDING_STORE_H_
