#include "subscription_cache.h"

namespace rogatory::webhook {

Result<Subscription> SubscriptionCache::Get(const std::string& id) {
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(id);
    if (it != entries_.end() && now - it->second.fetched < ttl_) return it->second.subscription;
  }
  Result<Subscription> s = store_.GetSubscription(id);  // outside the lock: may be slow
  std::lock_guard lock(mu_);
  if (s.ok()) {
    entries_[id] = Entry{*s, now};
  } else {
    entries_.erase(id);
  }
  return s;
}

void SubscriptionCache::Forget(const std::string& id) {
  std::lock_guard lock(mu_);
  entries_.erase(id);
}

}  // namespace rogatory::webhook
