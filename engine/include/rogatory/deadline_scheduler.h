// The deadline scheduler: a background thread that claims due deadline rows and lapses each one
// through Engine::ExpireDeadline, the same path as any caller, as actor `system`. Runs inside
// `rogatory serve` and inside embedding programs alike.
#ifndef ROGATORY_DEADLINE_SCHEDULER_H_
#define ROGATORY_DEADLINE_SCHEDULER_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "rogatory/engine.h"
#include "rogatory/status.h"
#include "rogatory/time.h"

namespace rogatory {

struct DeadlineSchedulerOptions {
  // Names this node in the deadline leases. Empty: "<hostname>-<pid>-<random>".
  std::string node_id;
  // How often the thread looks for due deadlines; a lapse fires at most this late (plus the
  // time the claim and the transition take). Clamped to 1 ms .. 250 ms.
  Duration interval = std::chrono::milliseconds(200);
  // How long a claimed deadline stays reserved for this node. If the node dies before the lapse
  // commits, another node (or this one after a restart) fires it once the lease runs out.
  Duration lease = std::chrono::seconds(30);
  // Most deadlines claimed per store round trip.
  int batch = 100;
  // Called (on the scheduler's thread) with each failed claim or lapse, e.g. to log it.
  std::function<void(const Status&)> on_error;
  // Called (on the scheduler's thread) after each committed lapse, e.g. to wake the webhook
  // dispatcher for its deadline.expired event. Must not block.
  std::function<void()> on_fired;
};

// Counters since construction, for /metrics.
struct DeadlineSchedulerStats {
  uint64_t fired = 0;    // lapses committed by this node
  uint64_t skipped = 0;  // claimed but stopped, paused or fired elsewhere meanwhile
  uint64_t errors = 0;   // failed claims or lapses (retried once their lease runs out)
};

// Exactly once: a due row is claimed by one node for `lease`, and ExpireDeadline re-checks the
// request (deadline still running with the same due time, revision unchanged) in the step's own
// transaction, so a second node or a second claim after a lost lease does nothing.
//
// Example:
//   DeadlineScheduler scheduler(engine);
//   scheduler.Start();   // lapses fire in the background
//   ...
//   scheduler.Stop();    // before the engine and its store go away
class DeadlineScheduler {
 public:
  // REQUIRES: `engine` outlives the scheduler. Time is read from engine.clock(), so a
  // ManualClock drives the scheduler in tests.
  explicit DeadlineScheduler(Engine& engine, DeadlineSchedulerOptions options = {});
  // Stops the thread if it runs.
  ~DeadlineScheduler();
  DeadlineScheduler(const DeadlineScheduler&) = delete;
  DeadlineScheduler& operator=(const DeadlineScheduler&) = delete;

  // Starts the background thread; its first pass runs at once, so deadlines that fell due while
  // no node ran fire now. No-op if already started.
  void Start();
  // Stops the thread and waits for a pass in progress to finish. No-op if not started.
  void Stop();

  // One pass on the caller's thread: claims every due deadline (batch by batch) and lapses it.
  // Returns how many lapses this pass committed; the first failed claim's error otherwise
  // (lapses that fail are counted in stats().errors and left to their lease). Thread-safe, but
  // meant for tests and tools, not alongside Start().
  Result<int> RunOnce();

  // Counters so far. Thread-safe.
  DeadlineSchedulerStats stats() const;
  // This node's id in the leases.
  const std::string& node_id() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// A node id unique to this process: "<hostname>-<pid>-<8 hex digits>".
std::string DefaultNodeId();

}  // namespace rogatory

#endif  // ROGATORY_DEADLINE_SCHEDULER_H_
