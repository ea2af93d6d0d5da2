// The SQLite store's tally of what its in-memory copies saved (Store::KeptCounters): bumped by
// SqlStore::LastCommitted (any thread) and the writer's LastWrites (the writer's thread), read
// by /metrics (any thread). Relaxed atomics: each count stands alone.
#ifndef ROGATORY_ADAPTERS_STORE_KEPT_TALLY_H_
#define ROGATORY_ADAPTERS_STORE_KEPT_TALLY_H_

#include <atomic>
#include <cstdint>

#include "rogatory/store.h"

namespace rogatory::store_internal {

struct KeptTally {
  std::atomic<uint64_t> request_hits{0};
  std::atomic<uint64_t> request_misses{0};
  std::atomic<uint64_t> head_hits{0};
  std::atomic<uint64_t> head_misses{0};
  std::atomic<uint64_t> record_hits{0};
  std::atomic<uint64_t> record_misses{0};
  std::atomic<uint64_t> forgets{0};

  // Adds one to `n` (one of the above).
  static void Count(std::atomic<uint64_t>& n) { n.fetch_add(1, std::memory_order_relaxed); }
  // Adds one to `hit` when `found`, else to `miss`.
  static void Count(bool found, std::atomic<uint64_t>& hit, std::atomic<uint64_t>& miss) {
    Count(found ? hit : miss);
  }

  // The counts now.
  StoreKeptCounters Snapshot() const {
    auto get = [](const std::atomic<uint64_t>& n) { return n.load(std::memory_order_relaxed); };
    StoreKeptCounters c;
    c.request_hits = get(request_hits);
    c.request_misses = get(request_misses);
    c.head_hits = get(head_hits);
    c.head_misses = get(head_misses);
    c.record_hits = get(record_hits);
    c.record_misses = get(record_misses);
    c.forgets = get(forgets);
    return c;
  }
};

}  // namespace rogatory::store_internal

#endif  // ROGATORY_ADAPTERS_STORE_KEPT_TALLY_H_
