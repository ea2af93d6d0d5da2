// Subscriptions (URL, secret, active) as the dispatcher's workers need them for every send,
// read from the store at most once a second per subscription.
#ifndef ROGATORY_ADAPTERS_WEBHOOK_SUBSCRIPTION_CACHE_H_
#define ROGATORY_ADAPTERS_WEBHOOK_SUBSCRIPTION_CACHE_H_

#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "rogatory/store.h"

namespace rogatory::webhook {

// Thread-safe.
class SubscriptionCache {
 public:
  explicit SubscriptionCache(Store& store,
                             std::chrono::steady_clock::duration ttl = std::chrono::seconds(1))
      : store_(store), ttl_(ttl) {}

  // The subscription `id`, at most `ttl` old. NotFound once it was deleted; other store errors
  // as the store reports them.
  Result<Subscription> Get(const std::string& id);
  // Forgets `id`, so the next Get reads the store (after this node disabled it).
  void Forget(const std::string& id);

 private:
  struct Entry {
    Subscription subscription;
    std::chrono::steady_clock::time_point fetched;
  };
  Store& store_;
  const std::chrono::steady_clock::duration ttl_;
  std::mutex mu_;
  std::map<std::string, Entry> entries_;  // GUARDED_BY(mu_)
};

}  // namespace rogatory::webhook

#endif  // ROGATORY_ADAPTERS_WEBHOOK_SUBSCRIPTION_CACHE_H_
