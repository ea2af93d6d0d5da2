// Group commit: concurrent Apply calls on one store share one database transaction, so one flush
// to disk acknowledges many steps. This is how durable throughput approaches the disk's limit.
#ifndef ROGATORY_ADAPTERS_STORE_GROUP_COMMIT_H_
#define ROGATORY_ADAPTERS_STORE_GROUP_COMMIT_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <mutex>
#include <vector>

#include "futex_word.h"
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
// each paying a commit. A leader therefore waits (at most the last batch's run time without its
// own waits, and at most `max_gather`) while fewer callers are queued than the last batch held.
// Their way back (the answer, the client's next call, the engine's step) takes about as long as
// a batch runs: with a quarter of it as the bound, most batches over HTTP closed before their
// last callers came (docs/performance.md, session 26). The waits are left out of the bound so
// that it follows the work: counted in, each wait would lengthen the next one up to `max_gather`.
// A lone caller never waits: its last batch held one. Callers joining wake the gathering leader
// only once enough have come, and the leader wakes the callers it served after releasing its
// lock, each with one futex call on the caller's own word (issue 16: on 2 cores, 16 callers spent
// a quarter of their CPU in wake-ups and lock hand-offs).
//
// With `join_late` the leader does not wait before it starts: it writes what is queued, and its
// batch takes in the callers that queue while it runs (Joiner), so the gathering wait overlaps
// the batch's own statements. For a store with one writer and no order to keep between the
// mutations of a batch (SQLite); a batch sorted for lock order (PostgreSQL) must not grow.
class GroupCommitter {
 private:
  struct Waiter;

 public:
  struct Item {
    const Mutation* mutation = nullptr;
    Status status;  // set by the batch runner
  };

  // Handed to the batch runner when batches join late: the runner calls Take after writing what
  // it holds, and again after writing what Take gave, until Take gives nothing; then it commits.
  class Joiner {
   public:
    // Appends to `items` the callers queued since the batch started or last took some (up to
    // the batch limit). With none queued, while the batch holds fewer than the last one did and
    // the gathering time is not over, first waits for some. Returns how many were appended.
    size_t Take(std::vector<Item*>* items);

   private:
    friend class GroupCommitter;
    Joiner(GroupCommitter* owner, std::vector<Waiter*>* batch, size_t expected,
           std::chrono::steady_clock::time_point deadline)
        : owner_(owner), batch_(batch), expected_(expected), deadline_(deadline) {}
    GroupCommitter* const owner_;
    std::vector<Waiter*>* const batch_;
    const size_t expected_;
    const std::chrono::steady_clock::time_point deadline_;
    // Time spent waiting in Take: not the batch's own work (GroupCommitter::last_run_).
    std::chrono::steady_clock::duration waited_{0};
  };

  // Runs a batch and sets every item's status, including those `joiner` (null unless batches
  // join late) adds to it. Must not throw.
  using BatchRunner = std::function<void(std::vector<Item*>& batch, Joiner* joiner)>;

  // REQUIRES: max_batch >= 1, max_leaders >= 1 (batches that may run side by side).
  // max_gather 0 turns the gathering wait off.
  GroupCommitter(int max_batch, int max_leaders, Duration max_gather, BatchRunner run,
                 bool join_late = false);

  // Queues `m` and returns its outcome once a batch holding it has run (possibly run by this
  // thread). Thread-safe.
  Status Submit(const Mutation& m);

 private:
  // What a queued caller is told through its word. kLead is only set under mu_ (the caller is
  // still queued then, so it exists); kDone by the leader that ran it, after its status.
  enum Signal : uint32_t { kWaiting = 0, kLead = 1, kDone = 2 };

  struct Waiter {
    Item item;
    bool taken = false;  // GUARDED_BY(mu_): in a batch being run
    FutexWord signal{kWaiting};
    std::chrono::steady_clock::time_point queued_at;  // only when timing commit stages
    std::chrono::steady_clock::time_point done_at;    // only when timing commit stages
  };

  // Sleeps until `self` is done (true) or asked to lead (false).
  static bool WaitForSignal(Waiter& self);

  const size_t max_batch_;
  const int max_leaders_;
  const Duration max_gather_;
  const BatchRunner run_;
  const bool join_late_;

  std::mutex mu_;
  std::deque<Waiter*> queue_;  // GUARDED_BY(mu_): waiting for a leader, oldest first
  int leaders_ = 0;            // GUARDED_BY(mu_): batches being run
  size_t last_batch_ = 1;      // GUARDED_BY(mu_): size of the last batch run
  // GUARDED_BY(mu_): how long it took, without its waits for late callers (so the bound on
  // the next batch's wait follows the work, and does not grow from one wait to the next).
  Duration last_run_{0};
  int gathering_ = 0;  // GUARDED_BY(mu_): leaders waiting for callers to queue
  // GUARDED_BY(mu_): the smallest queue length a gathering leader waits for.
  size_t gather_target_ = std::numeric_limits<size_t>::max();
  std::condition_variable gather_cv_;
};

}  // namespace rogatory::store_internal

#endif  // ROGATORY_ADAPTERS_STORE_GROUP_COMMIT_H_
