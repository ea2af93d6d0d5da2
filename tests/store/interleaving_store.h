// A forwarding Store that runs a caller's action on another thread at a chosen moment of one
// thread's call (its next write, or its n-th read of a request), so a race the engine must
// survive happens every time rather than by luck. The store underneath is the real one.
#ifndef ROGATORY_TESTS_STORE_INTERLEAVING_STORE_H_
#define ROGATORY_TESTS_STORE_INTERLEAVING_STORE_H_

#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "rogatory/store.h"

namespace rogatory::testing {

class InterleavingStore final : public Store {
 public:
  explicit InterleavingStore(std::shared_ptr<Store> inner) : inner_(std::move(inner)) {}

  // Runs `action` on a new thread (and waits for it) when the calling thread next writes
  // (Apply) or reads a request for the `at_read`th time from now, whichever comes first. Once.
  void InterleaveOnce(std::function<void()> action, int at_read = 2) {
    std::lock_guard<std::mutex> lock(mu_);
    action_ = std::move(action);
    armed_for_ = std::this_thread::get_id();
    reads_ = 0;
    at_read_ = at_read;
  }

  Status Apply(const Mutation& m) override {
    MaybeInterleave(/*write=*/true);
    return inner_->Apply(m);
  }
  Result<Request> GetRequest(const RequestId& id) override {
    MaybeInterleave(/*write=*/false);
    return inner_->GetRequest(id);
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
  Result<std::vector<StatsCell>> QueryStats(const StatsQuery& q) override {
    return inner_->QueryStats(q);
  }
  Status ReplaceStats(const std::vector<StatsRecord>& records) override {
    return inner_->ReplaceStats(records);
  }
  Status RetryDelivery(const std::string& id, TimePoint now) override {
    return inner_->RetryDelivery(id, now);
  }

 private:
  void MaybeInterleave(bool write) {
    std::function<void()> action;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!action_ || std::this_thread::get_id() != armed_for_) return;
      if (!write && ++reads_ < at_read_) return;
      action = std::move(action_);
      action_ = nullptr;
    }
    std::thread other(std::move(action));
    other.join();
  }

  const std::shared_ptr<Store> inner_;
  std::mutex mu_;
  std::function<void()> action_;
  std::thread::id armed_for_;
  int reads_ = 0;
  int at_read_ = 2;
};

}  // namespace rogatory::testing

#endif  // ROGATORY_TESTS_STORE_INTERLEAVING_STORE_H_
