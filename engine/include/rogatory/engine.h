// The engine: loads workflow definitions, creates requests and fires events on them, each step
// one atomic store transaction with its hash-chained history entry, deadlines and webhook
// outbox rows. The same engine runs inside `rogatory serve` and inside embedding programs.
#ifndef ROGATORY_ENGINE_H_
#define ROGATORY_ENGINE_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rogatory/request.h"
#include "rogatory/status.h"
#include "rogatory/store.h"
#include "rogatory/time.h"
#include "rogatory/workflow.h"

namespace rogatory {

struct EngineOptions {
  std::shared_ptr<Store> store;        // required
  std::shared_ptr<const Clock> clock;  // default: the system clock
};

// (workflow, version, title) of a loaded definition.
struct WorkflowSummary {
  std::string workflow;
  int version = 0;
  std::string title;
};

// Moves one request from its workflow version to another (CONTRACT §1: explicit, audited).
struct MigrationCall {
  int target_version = 0;
  std::map<std::string, std::string> state_map;  // old state -> new; unmapped keep their name
  std::string comment;
};

// Example:
//   auto store = std::shared_ptr<Store>(NewMemoryStore());
//   Engine engine({store});
//   LoadReport report = LoadDefinitions({"workflows/"});
//   for (auto& def : report.definitions) engine.LoadDefinition(def);
//   Result<Request> r = engine.Create({.workflow = "eio"}, actor);
//   r = engine.Fire(r->id, {.event = "issue"}, actor);
class Engine {
 public:
  // REQUIRES: options.store is set.
  explicit Engine(EngineOptions options);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Validates and compiles `def`, records its source in the store, and makes it available.
  // Several versions of one workflow live side by side. InvalidArgument lists every problem;
  // AlreadyExists if this (workflow, version) was loaded before with a different source.
  // Loading the identical definition again is a no-op. Thread-safe.
  Status LoadDefinition(const WorkflowDefinition& def);

  // Every loaded (workflow, version), ordered by workflow then version.
  std::vector<WorkflowSummary> ListWorkflows() const;
  // The definition of `workflow` at `version` (default: newest). NotFound if not loaded.
  Result<WorkflowDefinition> GetDefinition(const std::string& workflow,
                                           std::optional<int> version = std::nullopt) const;

  // Creates a request in its workflow's initial state (newest version unless given).
  // InvalidArgument: a required field is missing, a field is unknown or of the wrong type, or a
  // reference is not a string, or any text given (data, references, comment, key, actor) is
  // not valid UTF-8. NotFound: no such workflow/version. A repeat of an idempotent call returns
  // the first call's answer, also when they run at once. Thread-safe.
  Result<Request> Create(const CreateCall& call, const Actor& actor);

  // Fires `call.event` on request `id` as `actor`, atomically with its history, outbox and
  // deadlines. NotFound: no such request. FailedPrecondition: the current state has no such
  // transition (or an `extend` cannot apply). PermissionDenied: no role of `actor` may fire it.
  // InvalidArgument: a `require`d field is missing, event data is invalid, or a text given is
  // not valid UTF-8. Aborted: `expected_revision` is stale, or another caller moved the
  // request first. A concurrent repeat with the same idempotency key returns the answer of the
  // call that took effect. Thread-safe.
  Result<Request> Fire(const RequestId& id, const EventCall& call, const Actor& actor);

  // The request `id`. NotFound if unknown.
  Result<Request> Get(const RequestId& id) const;
  // Its history, oldest first. NotFound if unknown.
  Result<std::vector<HistoryEntry>> History(const RequestId& id) const;
  // A page of requests (filters and keyset pagination as in RequestQuery). For overdue_only,
  // `q.now` is filled from the engine's clock when left at the epoch.
  Result<RequestPage> List(RequestQuery q) const;
  // The events `actor` may fire on request `id` now (role and state permit them), with the
  // required fields still missing for each. NotFound if unknown.
  Result<std::vector<AvailableEvent>> AvailableEvents(const RequestId& id,
                                                      const Actor& actor) const;

  // Lapses a deadline claimed by the scheduler: if the request still has it running and due,
  // removes it and fires its `on_expiry` event as actor `system` (a `deadline.expired`
  // notification). If that event is not allowed in the current state the lapse is still
  // recorded in the history, without a state change. Returns nullopt when the deadline was
  // stopped, paused or restarted meanwhile (nothing to do).
  Result<std::optional<Request>> ExpireDeadline(const RequestId& id, const std::string& deadline,
                                                TimePoint due_at);

  // Moves request `id` to another version of its workflow, mapping states by `call.state_map`.
  // Everything is checked before anything moves: the target version, the mapped state, the
  // data against the target's fields. Recorded in history as event "migrate".
  // FailedPrecondition for a closed request or a mapping the lifecycle forbids; mapping into a
  // terminal state closes the request and stops its clocks.
  Result<Request> Migrate(const RequestId& id, const MigrationCall& call, const Actor& actor);

  // Re-checks request `id`'s hash chain. Internal names the first broken entry.
  Status VerifyHistory(const RequestId& id) const;

  Store& store() const;
  const Clock& clock() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rogatory

#endif  // ROGATORY_ENGINE_H_
