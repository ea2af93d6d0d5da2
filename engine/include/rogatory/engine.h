// The engine: loads workflow definitions, creates requests and fires events on them, each step
// one atomic store transaction with its hash-chained history entry, deadlines and webhook
// outbox rows. The same engine runs inside `rogatory serve` and inside embedding programs.
#ifndef ROGATORY_ENGINE_H_
#define ROGATORY_ENGINE_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rogatory/request.h"
#include "rogatory/status.h"
#include "rogatory/store.h"
#include "rogatory/time.h"
#include "rogatory/time_zone.h"
#include "rogatory/workflow.h"

namespace rogatory {

// CONTRACT §8: an authority taking part in requests (a prosecution office, a court, a central
// authority), as the deployment config lists it.
struct Authority {
  std::string id;       // [a-z][a-z0-9_.-]*, unique
  std::string name;     // for people
  std::string country;  // ISO 3166-1 alpha-2, e.g. "FR"
};

struct EngineOptions {
  // EngineOptions{store}, EngineOptions{store, clock}, EngineOptions{store, clock, zone} and
  // EngineOptions{store, clock, zone, authorities}.
  EngineOptions(std::shared_ptr<Store> store = nullptr,
                std::shared_ptr<const Clock> clock = nullptr, TimeZone time_zone = TimeZone(),
                std::vector<Authority> authorities = {})
      : store(std::move(store)),
        clock(std::move(clock)),
        time_zone(std::move(time_zone)),
        authorities(std::move(authorities)) {}

  std::shared_ptr<Store> store;        // required
  std::shared_ptr<const Clock> clock;  // default: the system clock
  // The deployment's time zone (CONTRACT §2 `time_zone`): deadlines with `counting: days` end
  // at local midnight here. Default UTC; resolve another once with TimeZone::Find.
  TimeZone time_zone;
  // CONTRACT §8: the deployment's authorities. Empty (the default): every actor sees every
  // request, as before authorities existed. Otherwise the rules at Actor (request.h) apply to
  // every call that takes an Actor.
  std::vector<Authority> authorities{};
};

// CONTRACT §9: what GET /v1/stats and `rogatory stats` ask for.
struct StatsCall {
  std::string workflow;  // empty: every workflow
  std::string from;      // YYYY-MM-DD (the request's creation day), empty: no lower bound
  std::string to;        // YYYY-MM-DD, inclusive; empty: no upper bound
};

// A loaded definition: (workflow, version, title), where it came from and when this engine
// loaded it.
struct WorkflowSummary {
  std::string workflow;
  int version = 0;
  std::string title;
  // "file:PATH" (read from a file; PATH as given), "api:ACTOR" (deployed through
  // POST /v1/workflows by ACTOR) or "code" (LoadDefinition of a definition with no file name).
  // A version another node recorded keeps the origin it was first recorded with.
  std::string origin;
  TimePoint loaded_at;
};

// What Engine::SyncDefinitions found in the store.
struct DefinitionSync {
  int loaded = 0;                    // versions new to this engine, now available
  std::vector<std::string> refused;  // versions this engine cannot load; each reported once
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
  // AlreadyExists if this (workflow, version) was loaded (or recorded in the store) before
  // with a different source. Loading the identical definition again is a no-op. Its origin is
  // "file:" + def.source_name ("code" when that is empty). Thread-safe, also while requests
  // are created and fired.
  Status LoadDefinition(const WorkflowDefinition& def);
  // As LoadDefinition, for a definition `actor` deployed at run time (origin "api:ACTOR").
  // Returns true when it is new to this engine, false when the identical text was loaded.
  Result<bool> DeployDefinition(const WorkflowDefinition& def, const Actor& actor);
  // What LoadDefinition would answer (InvalidArgument, or AlreadyExists for a version loaded
  // with a different text), without loading or recording anything: for all-or-nothing reloads.
  Status CheckDefinition(const WorkflowDefinition& def) const;
  // Loads every definition recorded in the store that this engine has not loaded: what other
  // nodes were given. Unavailable when the store cannot be read. Thread-safe; cheap when
  // nothing is new (one listing of the store's definitions), so servers poll it every second.
  Result<DefinitionSync> SyncDefinitions();

  // Every loaded (workflow, version), ordered by workflow then version.
  std::vector<WorkflowSummary> ListWorkflows() const;
  // The definition of `workflow` at `version` (default: newest loaded). A version this engine
  // has not loaded is looked up in the store (another node may have recorded it). NotFound if
  // neither has it.
  Result<WorkflowDefinition> GetDefinition(const std::string& workflow,
                                           std::optional<int> version = std::nullopt) const;

  // Creates a request in its workflow's initial state (newest version unless given).
  // InvalidArgument: a required field is missing, a field is unknown or of the wrong type, or a
  // reference is not a string, or any text given (data, references, comment, key, actor) is
  // not valid UTF-8. NotFound: no such workflow/version. A repeat of an idempotent call returns
  // the first call's answer, also when they run at once. Thread-safe.
  // With authorities (CONTRACT §8): the creator's authority becomes the party of the first side
  // (in the workflow's `sides` order) one of its roles acts for, and `call.parties` sets other
  // sides. PermissionDenied: the actor is an auditor, has no authority (or one not
  // configured), or none of its roles acts for a side of the workflow. InvalidArgument: an
  // unknown side or authority in `call.parties`, or another authority for the creator's side.
  // Without authorities, `call.parties` must be empty (InvalidArgument).
  Result<Request> Create(const CreateCall& call, const Actor& actor);

  // Fires `call.event` on request `id` as `actor`, atomically with its history, outbox and
  // deadlines. NotFound: no such request. FailedPrecondition: the current state has no such
  // transition (or an `extend` cannot apply). PermissionDenied: no role of `actor` may fire it.
  // InvalidArgument: a `require`d field is missing, event data is invalid, or a text given is
  // not valid UTF-8. Aborted: `expected_revision` is stale, or another caller moved the
  // request first. A concurrent repeat with the same idempotency key returns the answer of the
  // call that took effect. Thread-safe.
  // With authorities (CONTRACT §8): NotFound, exactly as for an unknown id, when `actor` may
  // not see the request (Actor in request.h); PermissionDenied for an auditor and when none of
  // the actor's roles that the transition lists acts for no side or for a side whose party is
  // the actor's authority; InvalidArgument when `call.parties` does not name exactly the sides
  // the transition `assign`s, or names an unknown authority. Idempotency keys are scoped to the
  // actor and its authority, so a replay never answers another authority's call.
  Result<Request> Fire(const RequestId& id, const EventCall& call, const Actor& actor);

  // Which entry of its definition's `transitions` firing `call.event` on `r` would take now:
  // the index of the first alternative of the (state, event) group whose `when` holds on
  // r.data merged with call.data, chosen as Fire chooses; -1 when the state has no transition
  // for the event or no `when` holds. Roles, `require` and revisions are not checked; nothing
  // is written. NotFound: r's workflow version is unknown. InvalidArgument: invalid event data.
  Result<int> ChooseTransition(const Request& r, const EventCall& call) const;

  // The request `id`, unscoped (as the engine itself sees it: for trusted callers such as
  // the scheduler, the audit and embedders acting for nobody in particular). NotFound if
  // unknown.
  Result<Request> Get(const RequestId& id) const;
  // The request `id` as `actor` may see it: NotFound if unknown or, with authorities, when
  // `actor` may not see it (CONTRACT §8; the same answer, so ids cannot be probed).
  Result<Request> Get(const RequestId& id, const Actor& actor) const;
  // Its history, oldest first, unscoped. NotFound if unknown.
  Result<std::vector<HistoryEntry>> History(const RequestId& id) const;
  // Its history, oldest first, as `actor` may see it (NotFound as for Get(id, actor)).
  Result<std::vector<HistoryEntry>> History(const RequestId& id, const Actor& actor) const;
  // A page of requests (filters and keyset pagination as in RequestQuery), unscoped. For
  // overdue_only, `q.now` is filled from the engine's clock when left at the epoch.
  Result<RequestPage> List(RequestQuery q) const;
  // A page of the requests `actor` may see: with authorities, an actor with an authority lists
  // only requests its authority is a party to (`q.party` may narrow that to requests another
  // authority is a party to as well), an auditor lists everything, and any other actor
  // without an authority lists nothing. InvalidArgument: `q.party` is not a configured
  // authority (with authorities) or is set without authorities.
  Result<RequestPage> List(RequestQuery q, const Actor& actor) const;
  // Whether `actor` may see `r` (the rules at Actor in request.h).
  bool MaySee(const Request& r, const Actor& actor) const;
  // The deployment's authorities (EngineOptions::authorities), and the one with id `id` or
  // nullptr.
  const std::vector<Authority>& authorities() const;
  const Authority* FindAuthority(std::string_view id) const;
  // The events `actor` may fire on request `id` now (role, side and state permit them), with
  // the required fields still missing for each. NotFound if unknown or not visible to `actor`;
  // an auditor gets an empty list.
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
  // terminal state closes the request and stops its clocks. An administrative step: the
  // caller decides who may migrate (the REST API: admin). With authorities, an actor with an
  // authority gets NotFound for a request it may not see, and an auditor PermissionDenied.
  Result<Request> Migrate(const RequestId& id, const MigrationCall& call, const Actor& actor);

  // CONTRACT §9: the statistics over the requests `actor` may see, per workflow and version,
  // as docs/statistics.md defines them ({"from", "to", "workflows": [...]}). Admins without
  // an authority, auditors, and everyone in a deployment without authorities see every request;
  // an authority's actor the requests it is a party to; any other actor none.
  // InvalidArgument: a bad date, or `from` after `to`. NotFound: a workflow that is not loaded.
  // FailedPrecondition: the counters predate statistics (run `rogatory stats --rebuild`).
  Result<nlohmann::json> Stats(const StatsCall& call, const Actor& actor) const;
  // Recomputes every request's statistics record and all counters from the histories and
  // replaces the stored ones atomically. Returns how many requests it counted. Needs every
  // version a request was ever on to be loaded (FailedPrecondition otherwise).
  Result<int64_t> RebuildStats();

  // Re-checks request `id`'s hash chain. Internal names the first broken entry.
  Status VerifyHistory(const RequestId& id) const;

  Store& store() const;
  const Clock& clock() const;
  // The time zone whole-day clocks are counted in (EngineOptions::time_zone).
  const TimeZone& time_zone() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rogatory

#endif  // ROGATORY_ENGINE_H_
