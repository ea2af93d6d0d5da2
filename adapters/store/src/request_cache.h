// The requests an SQLite store's own Apply committed lately, kept so that the engine's next step
// of one of them need not read it back (Store::LastCommitted). A read of one request costs a
// step on SQLite about an eighth of its CPU: SQLite drops a reader's page cache whenever another
// connection (here, the writer) committed, so each read fetches its pages again from the WAL.
// A copy may be stale when another process wrote the same file; Store::LastCommitted says how
// a caller stays correct then.
#ifndef ROGATORY_ADAPTERS_STORE_REQUEST_CACHE_H_
#define ROGATORY_ADAPTERS_STORE_REQUEST_CACHE_H_

#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "rogatory/request.h"

namespace rogatory::store_internal {

// At most `capacity` requests, the oldest admitted going first. Thread-safe.
class RequestCache {
 public:
  // REQUIRES: capacity >= 1.
  explicit RequestCache(size_t capacity) : capacity_(capacity) {}

  // After an Apply of `after` (the request as the step left it): on success keeps it, unless a
  // copy of a later revision is kept already (two callers' steps of one request may come back
  // in either order); on failure forgets the request, whose copy may be what failed, unless the
  // copy kept is of after's revision or later (a step that succeeded since the failed one's base).
  void Applied(const Request& after, bool ok);
  // A copy of the request kept for `id`, or nullopt.
  std::optional<Request> Get(const RequestId& id) const;
  // How many requests are kept (for tests; forgotten ones not counted).
  size_t size() const;

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  // GUARDED_BY(mu_): null for a request forgotten after a failure. Shared so that a reader
  // copies its request after letting go of the lock.
  std::unordered_map<RequestId, std::shared_ptr<const Request>> requests_;
  std::deque<RequestId> admitted_;  // GUARDED_BY(mu_): each key of requests_ once, oldest first
};

}  // namespace rogatory::store_internal

#endif  // ROGATORY_ADAPTERS_STORE_REQUEST_CACHE_H_
