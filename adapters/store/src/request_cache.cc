#include "request_cache.h"

#include <utility>

namespace rogatory::store_internal {

void RequestCache::Applied(const Request& after, bool ok) {
  std::shared_ptr<const Request> copy;
  if (ok) copy = std::make_shared<const Request>(after);  // copied before taking the lock
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, added] = requests_.try_emplace(after.id);
  if (!added) {
    // A copy of the revision this step tried to write, or a later one, came from a step of this
    // store that succeeded meanwhile (most likely the one this step lost to): keep it, whatever
    // the outcome here. Otherwise a failure forgets the copy, which may be what failed, but
    // keeps the key in its place: admitted_ holds each key once.
    if (it->second != nullptr && it->second->revision >= after.revision) return;
    it->second = std::move(copy);
    return;
  }
  it->second = std::move(copy);
  admitted_.push_back(after.id);
  if (requests_.size() > capacity_) {
    requests_.erase(admitted_.front());
    admitted_.pop_front();
  }
}

std::optional<Request> RequestCache::Get(const RequestId& id) const {
  std::shared_ptr<const Request> kept;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = requests_.find(id);
    if (it == requests_.end()) return std::nullopt;
    kept = it->second;
  }
  if (kept == nullptr) return std::nullopt;
  return *kept;
}

size_t RequestCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  for (const auto& [id, request] : requests_) n += request != nullptr ? 1 : 0;
  return n;
}

}  // namespace rogatory::store_internal
