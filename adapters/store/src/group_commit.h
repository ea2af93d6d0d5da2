// Group commit: concurrent Apply calls on one store share one database transaction, so one flush
// to disk acknowledges many steps. This is how durable throughput approaches the disk's limit.
#ifndef ROGATORY_ADAPTERS_STORE_GROUP_COMMIT_H_
#define ROGATORY_ADAPTERS_STORE_GROUP_COMMIT_H_

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <vector>

#include "rogatory/status.h"
#include "rogatory/store.h"
#include "rogatory/time.h"

namespace rogatory::store_internal {

// Callers queue their mutation; a caller that finds a leader slot free becomes the leader: it
// takes the queued mutations (up to a batch size) and runs them together, then wakes each with
// its own Status. Mutations queued while a batch commits form the next batch, so batches grow
// as fast as callers arrive.
//
// One refinement: callers served by a batch come straight back with their next step, but not all
// before the next batch starts, so N busy callers would split into two cohorts that alternate,
// each paying a commit. A leader therefore waits briefly (at most a quarter of the last batch's
// run time, and at most `max_gather`) while fewer callers are queued than the last batch held.
// A lone caller never waits: its last batch held one.
class GroupCommitter {
 public:
  struct Item {
    const Mutation* mutation = nullptr;
    Status status;  // set by the batch runner
  };
  // Runs a batch and sets every item's status. Must not throw.
  using BatchRunner = std::function<void(std::vector<Item*>& batch)>;

  // REQUIRES: max_batch >= 1, max_leaders >= 1 (batches that may run side by side).
  // max_gather 0 turns the gathering wait off.
  GroupCommitter(int max_batch, int max_leaders, Duration max_gather, BatchRunner run);

  // Queues `m` and returns its outcome once a batch holding it has run (possibly run by this
  // thread). Thread-safe.
  Status Submit(const Mutation& m);

 private:
  struct Waiter {
    Item item;
    bool taken = false;  // in a batch being run
    bool done = false;
    std::chrono::steady_clock::time_point queued_at;  // only when timing commit stages
    std::condition_variable cv;
  };

  const size_t max_batch_;
  const int max_leaders_;
  const Duration max_gather_;
  const BatchRunner run_;

  std::mutex mu_;
  std::deque<Waiter*> queue_;  // GUARDED_BY(mu_): waiting for a leader, oldest first
  int leaders_ = 0;            // GUARDED_BY(mu_): batches being run
  size_t last_batch_ = 1;      // GUARDED_BY(mu_): size of the last batch run
  Duration last_run_{0};       // GUARDED_BY(mu_): how long it took
  int gathering_ = 0;          // GUARDED_BY(mu_): leaders waiting for callers to queue
  std::condition_variable gather_cv_;
};

}  // namespace rogatory::store_internal

#endif  // ROGATORY_ADAPTERS_STORE_GROUP_COMMIT_H_
