// The engine: checks a step against the compiled workflow, builds the request's next revision
// with its hash-chained history entry (and its notification, unless the store builds its own),
// and hands it to the store as one Mutation. Nothing here knows SQL, HTTP or files.
#include "rogatory/engine.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

#include "access_policy.h"
#include "compiled_workflow.h"
#include "deadline_ops.h"
#include "definition_registry.h"
#include "field_check.h"
#include "lifecycle.h"
#include "request_id.h"
#include "rogatory/definition_loader.h"
#include "rogatory/history.h"
#include "sha256.h"
#include "stats_facts.h"
#include "stats_report.h"
#include "utf8.h"

namespace rogatory {
namespace {

// How often a Fire without expected_revision re-reads and retries after losing a race.
constexpr int kMaxRaceRetries = 8;

}  // namespace

class Engine::Impl {
 public:
  explicit Impl(EngineOptions o)
      : store_(std::move(o.store)),
        clock_(o.clock ? std::move(o.clock) : std::make_shared<SystemClock>()),
        time_zone_(std::move(o.time_zone)),
        access_(std::move(o.authorities)),
        registry_(*store_, *clock_),
        builds_notifications_(store_->BuildsNotifications()) {}

  // The compiled workflow, or NotFound (definition_registry.h).
  Result<const CompiledWorkflow*> Find(const std::string& workflow,
                                       std::optional<int> version) const {
    return registry_.Find(workflow, version);
  }

  // Returns the answer stored under the actor's idempotency key, if any. InvalidArgument when
  // the key was used for a different call.
  Result<std::optional<Request>> Replay(const Actor& actor, const std::string& key,
                                        const std::string& fingerprint) {
    if (key.empty()) return std::optional<Request>();
    ROGATORY_ASSIGN_OR_RETURN(auto record,
                              store_->FindIdempotency(access_.IdempotencyScope(actor), key));
    if (!record) return std::optional<Request>();
    if (record->fingerprint != fingerprint) {
      return InvalidArgumentError("Idempotency-Key '" + key + "' was used for a different call");
    }
    nlohmann::json j = nlohmann::json::parse(record->response, nullptr, false);
    if (j.is_discarded()) return InternalError("stored idempotent answer is not JSON");
    ROGATORY_ASSIGN_OR_RETURN(Request r, RequestFromJson(j));
    return std::optional<Request>(std::move(r));
  }

  // Writes `m` (after hashing its history entry). On an idempotency-key race, returns the
  // winner's answer instead.
  // Takes `m` by reference: a Mutation is three JSON objects and a dozen strings, and moving
  // it once more per step costs more than the in-memory store's whole write.
  // `cw` is the compiled workflow of the request after the step (its statistics and so its
  // notification's type come from it).
  Result<Request> Commit(Mutation& m, const Actor& actor, const std::string& key,
                         const std::string& fingerprint, const CompiledWorkflow& cw) {
    if (m.request.revision == 1) {
      m.history.prev_hash = kGenesisHash;
    } else {
      m.history.prev_hash = std::move(m.request.head_hash);
    }
    m.history.hash = ComputeHistoryHash(m.history);
    m.request.head_hash = m.history.hash;
    std::string lapsed = std::move(m.stats.lapsed_deadline);
    m.stats = StatsFactsOf(cw.def, m.request, time_zone_);
    m.stats.lapsed_deadline = std::move(lapsed);
    // The notification's type comes from m.stats (NotificationOf), so it is built after them:
    // here for a store that does not build its own, which it then fans out as it is.
    if (builds_notifications_) {
      m.notification_on_demand = true;
    } else {
      m.notification = NotificationOf(m);
    }
    if (!key.empty()) {
      m.idempotency = IdempotencyRecord{access_.IdempotencyScope(actor), key, fingerprint,
                                        RequestToJson(m.request).dump(), m.history.at};
    }
    // The store may move from the entry, the notification and the idempotency record: only
    // m.request is used from here on.
    Status s = store_->ApplyMoving(m);
    // A concurrent repeat of the same call that committed first makes this write lose, on the
    // key (AlreadyExists) or, for a step, on the revision (Aborted): answer with its result.
    if ((s.code() == StatusCode::kAlreadyExists || s.code() == StatusCode::kAborted) &&
        !key.empty()) {
      ROGATORY_ASSIGN_OR_RETURN(auto replay, Replay(actor, key, fingerprint));
      if (replay) return std::move(*replay);
    }
    ROGATORY_RETURN_IF_ERROR(s);
    return std::move(m.request);
  }

  // Every text an embedder hands in ends up in JSON (the request, its history, webhooks):
  // bad UTF-8 is refused here, before anything is hashed, dumped or stored.
  static Status CheckActorUtf8(const Actor& actor) {
    ROGATORY_RETURN_IF_ERROR(CheckUtf8(actor.id, "the actor id"));
    for (const auto& role : actor.roles) ROGATORY_RETURN_IF_ERROR(CheckUtf8(role, "a role"));
    ROGATORY_RETURN_IF_ERROR(CheckUtf8(actor.authority, "the authority"));
    return OkStatus();
  }

  // What the history records as the step's authority: the actor's, with authorities.
  std::string HistoryAuthority(const Actor& actor) const {
    return access_.enabled() ? actor.authority : std::string();
  }

  // The parties of a call as text for idempotency fingerprints ("" when there are none, so
  // the fingerprints of calls without parties are what they were before authorities).
  static std::string PartiesText(const Parties& parties) {
    if (parties.empty()) return std::string();
    return "\nparties " + nlohmann::json(parties).dump();
  }

  static Status CheckPartiesUtf8(const Parties& parties) {
    for (const auto& [side, authority] : parties) {
      ROGATORY_RETURN_IF_ERROR(CheckUtf8(side, "a side"));
      ROGATORY_RETURN_IF_ERROR(CheckUtf8(authority, "an authority"));
    }
    return OkStatus();
  }

  Result<Request> Create(const CreateCall& call, const Actor& actor) {
    ROGATORY_RETURN_IF_ERROR(CheckActorUtf8(actor));
    ROGATORY_RETURN_IF_ERROR(CheckUtf8(call.workflow, "the workflow"));
    ROGATORY_RETURN_IF_ERROR(CheckJsonUtf8(call.data, "data"));
    ROGATORY_RETURN_IF_ERROR(CheckJsonUtf8(call.references, "references"));
    ROGATORY_RETURN_IF_ERROR(CheckUtf8(call.comment, "the comment"));
    ROGATORY_RETURN_IF_ERROR(CheckUtf8(call.idempotency_key, "the idempotency key"));
    ROGATORY_RETURN_IF_ERROR(CheckPartiesUtf8(call.parties));
    ROGATORY_RETURN_IF_ERROR(access_.CheckMayWrite(actor, "create requests"));
    const std::string fingerprint =
        call.idempotency_key.empty()
            ? std::string()
            : Sha256Hex("create\n" + call.workflow + "\n" +
                        (call.version ? std::to_string(*call.version) : "") + "\n" +
                        call.data.dump() + "\n" + call.references.dump() + "\n" + call.comment +
                        PartiesText(call.parties));
    ROGATORY_ASSIGN_OR_RETURN(auto replay, Replay(actor, call.idempotency_key, fingerprint));
    if (replay) return std::move(*replay);

    ROGATORY_ASSIGN_OR_RETURN(const CompiledWorkflow* cw, Find(call.workflow, call.version));
    ROGATORY_ASSIGN_OR_RETURN(Parties parties, access_.CreationParties(*cw, actor, call.parties));
    const WorkflowDefinition& def = cw->def;
    if (!call.references.is_object()) {
      return InvalidArgumentError("references must be an object of strings");
    }
    for (auto it = call.references.begin(); it != call.references.end(); ++it) {
      if (!it.value().is_string()) {
        return InvalidArgumentError("reference '" + it.key() + "' must be a string");
      }
    }
    ROGATORY_RETURN_IF_ERROR(CheckData(def, call.data));
    nlohmann::json data = call.data;
    ROGATORY_RETURN_IF_ERROR(ApplyDefaultsAndRequire(def, &data));
    NormaliseData(def, &data);

    const TimePoint now = clock_->Now();
    Mutation m;
    Request& r = m.request;
    r.id = NewRequestId(now);
    r.workflow = def.id;
    r.version = def.version;
    r.references = call.references;
    r.state = cw->state_names[static_cast<size_t>(cw->initial)];
    r.phase = cw->state_phase[static_cast<size_t>(cw->initial)];
    r.data = data;
    r.revision = 1;
    r.created_at = r.updated_at = now;
    ROGATORY_RETURN_IF_ERROR(
        SyncWhileClocks(*cw, -1, cw->initial, r.data, now, time_zone_, &r.deadlines));
    r.parties = std::move(parties);
    m.parties_changed = !r.parties.empty();
    m.expected_revision = 0;
    m.history = HistoryEntry{r.id,     1,   std::string(kCreateEvent), "",           r.state,
                             actor.id, now, std::move(data),           call.comment, "",
                             ""};
    m.history.authority = HistoryAuthority(actor);
    return Commit(m, actor, call.idempotency_key, fingerprint, *cw);
  }

  Result<Request> Fire(const RequestId& id, const EventCall& call, const Actor& actor) {
    ROGATORY_RETURN_IF_ERROR(CheckActorUtf8(actor));
    ROGATORY_RETURN_IF_ERROR(CheckUtf8(id, "the request id"));
    ROGATORY_RETURN_IF_ERROR(CheckUtf8(call.event, "the event"));
    ROGATORY_RETURN_IF_ERROR(CheckJsonUtf8(call.data, "data"));
    ROGATORY_RETURN_IF_ERROR(CheckUtf8(call.comment, "the comment"));
    ROGATORY_RETURN_IF_ERROR(CheckUtf8(call.idempotency_key, "the idempotency key"));
    ROGATORY_RETURN_IF_ERROR(CheckPartiesUtf8(call.parties));
    const std::string fingerprint =
        call.idempotency_key.empty()
            ? std::string()
            : Sha256Hex("fire\n" + id + "\n" + call.event + "\n" + call.data.dump() + "\n" +
                        (call.expected_revision ? std::to_string(*call.expected_revision) : "") +
                        "\n" + call.comment + PartiesText(call.parties));
    ROGATORY_ASSIGN_OR_RETURN(auto replay, Replay(actor, call.idempotency_key, fingerprint));
    if (replay) return std::move(*replay);

    for (int attempt = 0;; ++attempt) {
      Result<Request> r = FireOnce(id, call, actor, fingerprint);
      // Without expected_revision the caller asked "from whatever state it is in now": a lost
      // race is re-checked against the new state rather than reported as stale.
      if (r.ok() || r.status().code() != StatusCode::kAborted || call.expected_revision ||
          attempt == kMaxRaceRetries) {
        if (!r.ok() && !call.idempotency_key.empty()) {
          // A concurrent repeat of this call may have committed after the replay check above
          // (this one then found the request already moved): its answer is the answer.
          auto replay = Replay(actor, call.idempotency_key, fingerprint);
          if (replay.ok() && *replay) return std::move(**replay);
        }
        return r;
      }
    }
  }

  // The (state, event) group `call` meets on `before` and the alternative of it taken now
  // (nullptr when the group is empty or no `when` holds), with the checked, normalised event
  // data: Fire and ChooseTransition decide alike.
  struct Choice {
    const CompiledWorkflow* cw = nullptr;
    int32_t state = -1;
    TransitionGroup group;
    nlohmann::json event_data;
    const CompiledTransition* t = nullptr;
  };
  Result<Choice> ChooseFor(const Request& before, const EventCall& call) const {
    Choice c;
    ROGATORY_ASSIGN_OR_RETURN(c.cw, Find(before.workflow, before.version));
    c.state = CompiledWorkflow::Find(c.cw->state_ids, before.state);
    const int32_t event = CompiledWorkflow::Find(c.cw->event_ids, call.event);
    if (c.state < 0) return InternalError("request " + before.id + " is in an unknown state");
    if (event >= 0) c.group = c.cw->Group(c.state, event);
    if (c.group.empty()) return c;
    // Typed data first: the guards compare values of their fields' types.
    ROGATORY_RETURN_IF_ERROR(CheckData(c.cw->def, call.data));
    c.event_data = call.data;
    NormaliseData(c.cw->def, &c.event_data);
    c.t = c.cw->Choose(c.group, c.event_data, before.data);
    return c;
  }

  // The index in its definition's `transitions` of the entry `call` takes on `r` now, or -1.
  Result<int> ChooseTransition(const Request& r, const EventCall& call) const {
    ROGATORY_RETURN_IF_ERROR(CheckUtf8(call.event, "the event"));
    ROGATORY_ASSIGN_OR_RETURN(Choice c, ChooseFor(r, call));
    if (c.t == nullptr) return -1;
    return static_cast<int>(c.t - c.cw->transitions.data());
  }

  // One attempt at `call`. It first steps the store's kept copy of the request, when there is one
  // (Store::LastCommitted), which saves reading it. A copy made stale by another process either
  // fails a check the request itself would pass or is refused by Apply's revision check, so on
  // any failure the attempt is made again on the request read afresh, and that answer stands.
  // Except Unavailable: a database that did not answer (locked past the store's busy timeout,
  // unreachable) is no sign of a stale copy, and asking it again would double the caller's wait.
  Result<Request> FireOnce(const RequestId& id, const EventCall& call, const Actor& actor,
                           const std::string& fingerprint) {
    if (std::optional<Request> kept = store_->LastCommitted(id)) {
      Result<Request> r = FireOn(id, std::move(*kept), call, actor, fingerprint);
      if (r.ok() || r.status().code() == StatusCode::kUnavailable) return r;
    }
    ROGATORY_ASSIGN_OR_RETURN(Request before, store_->GetRequest(id));
    return FireOn(id, std::move(before), call, actor, fingerprint);
  }

  // An attempt at `call` on `before`, request `id` as last read or kept.
  Result<Request> FireOn(const RequestId& id, Request&& before, const EventCall& call,
                         const Actor& actor, const std::string& fingerprint) {
    ROGATORY_RETURN_IF_ERROR(access_.CheckSee(before, actor));
    ROGATORY_RETURN_IF_ERROR(access_.CheckMayWrite(actor, "fire events"));
    if (call.expected_revision && *call.expected_revision != before.revision) {
      return AbortedError("request " + id + " is at revision " + std::to_string(before.revision) +
                          ", not " + std::to_string(*call.expected_revision));
    }
    ROGATORY_ASSIGN_OR_RETURN(Choice c, ChooseFor(before, call));
    if (c.group.empty()) {
      return FailedPreconditionError("event '" + call.event + "' is not allowed in state '" +
                                     before.state + "' of request " + id);
    }
    if (c.t == nullptr) {
      return FailedPreconditionError("event '" + call.event + "' is not allowed in state '" +
                                     before.state + "' of request " + id +
                                     ": no 'when' of its transitions holds");
    }
    if (!access_.MayFire(actor, *c.cw, *c.t, before)) {
      return PermissionDeniedError(
          "actor '" + actor.id + "' has no role that may fire '" + call.event + "'" +
          (access_.enabled() && !actor.authority.empty()
               ? " for authority '" + actor.authority + "' on request " + id
               : std::string()));
    }
    ROGATORY_RETURN_IF_ERROR(access_.CheckAssigned(*c.t, call.event, call.parties));
    return Step(std::move(before), *c.cw, c.state, *c.t, std::move(c.event_data), actor,
                call.comment, "", call.idempotency_key, fingerprint, call.parties);
  }

  // Builds and commits the request's next revision for transition `t` from `state`, merging
  // `event_data` into the request's data. `deadline` is set when a lapse caused the step: the
  // history entry then records {"deadline": name} and the request's data is left alone.
  Result<Request> Step(Request&& before, const CompiledWorkflow& cw, int32_t state,
                       const CompiledTransition& t, nlohmann::json event_data, const Actor& actor,
                       const std::string& comment, const std::string& deadline,
                       const std::string& key, const std::string& fingerprint,
                       const Parties& assigned = {}) {
    const int32_t to = t.to < 0 ? state : t.to;
    const Phase from_phase = cw.state_phase[static_cast<size_t>(state)];
    const Phase to_phase = cw.state_phase[static_cast<size_t>(to)];
    if (to != state && !LifecycleAllows(from_phase, to_phase)) {
      return InternalError("transition breaks the lifecycle order");  // validator prevents it
    }
    const int64_t expected_revision = before.revision;
    // Most steps leave the clocks alone: the SQL stores then leave their deadline rows alone.
    std::optional<std::vector<DeadlineState>> deadlines_before = before.deadlines;
    Mutation m(std::move(before));
    m.expected_revision = expected_revision;
    m.deadlines_before = std::move(deadlines_before);
    if (!deadline.empty()) {
      // Expire marked the lapsing clock in `before`; as stored, it was still running.
      for (DeadlineState& d : *m.deadlines_before) {
        if (d.name != deadline) continue;
        d.lapsed = false;
        d.lapsed_at = TimePoint();
      }
    }
    Request& r = m.request;
    for (auto it = event_data.begin(); it != event_data.end(); ++it) {
      if (it.value().is_null()) {
        r.data.erase(it.key());
      } else {
        r.data[it.key()] = it.value();
      }
    }
    for (int32_t field : t.require) {
      const std::string& name = cw.def.fields[static_cast<size_t>(field)].name;
      if (!IsFieldSet(r.data, name)) {
        return InvalidArgumentError("event '" + cw.event_names[static_cast<size_t>(t.event)] +
                                    "' requires field '" + name + "'");
      }
    }
    const TimePoint now = clock_->Now();
    ROGATORY_RETURN_IF_ERROR(ApplyDeadlineOps(cw, t, r.data, now, time_zone_, &r.deadlines));
    ROGATORY_RETURN_IF_ERROR(SyncWhileClocks(cw, state, to, r.data, now, time_zone_, &r.deadlines));
    RecomputeFromFieldClocks(cw, r.data, time_zone_, &r.deadlines);
    // Nothing leaves a terminal state, so no clock may lapse after it: closing stops them all.
    if (cw.state_terminal[static_cast<size_t>(to)]) r.deadlines.clear();
    // Assigned only with authorities (CheckAssigned refuses parties without them).
    for (const auto& [side, authority] : assigned) r.parties[side] = authority;
    m.parties_changed = !assigned.empty();
    // The entry is filled in place (no temporary HistoryEntry to move from): the request's
    // old state name moves into from_state, the new one is copied once.
    HistoryEntry& h = m.history;
    h.request_id = r.id;
    h.seq = r.revision + 1;
    h.event = cw.event_names[static_cast<size_t>(t.event)];
    h.from_state = std::move(r.state);
    h.to_state = cw.state_names[static_cast<size_t>(to)];
    h.actor = actor.id;
    h.at = now;
    if (deadline.empty()) {
      h.data = std::move(event_data);  // merged into the request above; the entry keeps it
    } else {
      h.data = nlohmann::json{{"deadline", deadline}};
    }
    h.comment = comment;
    h.authority = HistoryAuthority(actor);
    r.state = h.to_state;
    r.phase = to_phase;
    r.revision += 1;
    r.updated_at = now;
    m.stats.lapsed_deadline = deadline;
    return Commit(m, actor, key, fingerprint, cw);
  }

  Result<std::optional<Request>> Expire(const RequestId& id, const std::string& name,
                                        TimePoint due_at) {
    for (int attempt = 0;; ++attempt) {
      ROGATORY_ASSIGN_OR_RETURN(Request before, store_->GetRequest(id));
      const DeadlineState* d = before.FindDeadline(name);
      const TimePoint now = clock_->Now();
      if (d == nullptr || d->paused || d->lapsed || d->due_at != due_at || d->due_at > now) {
        return std::optional<Request>();  // stopped, paused, lapsed, restarted or not yet due
      }
      ROGATORY_ASSIGN_OR_RETURN(const CompiledWorkflow* cw, Find(before.workflow, before.version));
      const int32_t deadline_id = CompiledWorkflow::Find(cw->deadline_ids, name);
      if (deadline_id < 0) return InternalError("request " + id + " runs an unknown deadline");
      const int32_t state = CompiledWorkflow::Find(cw->state_ids, before.state);
      if (state < 0) return InternalError("request " + id + " is in an unknown state");
      // CONTRACT §7: the clock stays on the request, lapsed, until a step stops it, its `while`
      // states are left or the request closes; the scheduler never claims it again.
      DeadlineState& lapsed = before.deadlines[static_cast<size_t>(d - before.deadlines.data())];
      lapsed.lapsed = true;
      lapsed.lapsed_at = now;

      const CompiledDeadline& cd = cw->deadlines[static_cast<size_t>(deadline_id)];
      // The lapse's event picks its alternative like any other, on the request's data.
      const CompiledTransition* t =
          cw->Choose(cw->Group(state, cd.on_expiry), nlohmann::json::object(), before.data);
      const Actor system = SystemActor();
      const std::string comment = "deadline '" + name + "' lapsed";
      // Not allowed now: the lapse is still recorded, as a step that stays in its state.
      CompiledTransition record_only;
      record_only.event = cd.on_expiry;
      const bool allowed = t != nullptr && access_.MayFire(system, *cw, *t, before);
      // Kept for the fallback below: the same snapshot, so the record-only step expects the
      // same revision and loses (Aborted, then re-read and re-checked) to any concurrent move.
      Request snapshot = allowed ? before : Request();
      Result<Request> r = Step(std::move(before), *cw, state, allowed ? *t : record_only,
                               nlohmann::json::object(), system, comment, name, "", "");
      if (!r.ok() && allowed && r.status().code() != StatusCode::kAborted) {
        // e.g. a `require`d field is missing: record the lapse without the transition.
        r = Step(std::move(snapshot), *cw, state, record_only, nlohmann::json::object(), system,
                 comment + " (" + r.status().message() + ")", name, "", "");
      }
      if (r.ok()) return std::optional<Request>(std::move(*r));
      if (r.status().code() != StatusCode::kAborted || attempt == kMaxRaceRetries) {
        return r.status();
      }
    }
  }

  Result<Request> Migrate(const RequestId& id, const MigrationCall& call, const Actor& actor) {
    ROGATORY_RETURN_IF_ERROR(CheckActorUtf8(actor));
    ROGATORY_RETURN_IF_ERROR(CheckUtf8(id, "the request id"));
    ROGATORY_RETURN_IF_ERROR(CheckUtf8(call.comment, "the comment"));
    for (const auto& [from, to] : call.state_map) {
      ROGATORY_RETURN_IF_ERROR(CheckUtf8(from, "the state map"));
      ROGATORY_RETURN_IF_ERROR(CheckUtf8(to, "the state map"));
    }
    ROGATORY_ASSIGN_OR_RETURN(Request before, store_->GetRequest(id));
    // An administrative step: an actor of an authority migrates only what it may see; one
    // without authority (a global admin) migrates any request. An auditor migrates nothing.
    if (!actor.authority.empty()) ROGATORY_RETURN_IF_ERROR(access_.CheckSee(before, actor));
    if (actor.HasRole(kAuditorRole) || !actor.authority.empty()) {
      ROGATORY_RETURN_IF_ERROR(access_.CheckMayWrite(actor, "migrate requests"));
    }
    ROGATORY_ASSIGN_OR_RETURN(const CompiledWorkflow* target,
                              Find(before.workflow, call.target_version));
    if (call.target_version == before.version) {
      return FailedPreconditionError("request " + id + " is already on version " +
                                     std::to_string(before.version));
    }
    ROGATORY_ASSIGN_OR_RETURN(const CompiledWorkflow* current,
                              Find(before.workflow, before.version));
    const int32_t from_id = CompiledWorkflow::Find(current->state_ids, before.state);
    // Nothing leaves a terminal state, migration included: a closed request stays closed.
    if (before.phase == Phase::kClosure ||
        (from_id >= 0 && current->state_terminal[static_cast<size_t>(from_id)])) {
      return FailedPreconditionError("request " + id + " is closed (state '" + before.state +
                                     "'); a closed request is not migrated");
    }
    auto mapped = call.state_map.find(before.state);
    const std::string to = mapped == call.state_map.end() ? before.state : mapped->second;
    const int32_t to_id = CompiledWorkflow::Find(target->state_ids, to);
    if (to_id < 0) {
      return InvalidArgumentError("state '" + before.state + "' maps to '" + to +
                                  "', which version " + std::to_string(call.target_version) +
                                  " of " + before.workflow + " does not have");
    }
    const Phase to_phase = target->state_phase[static_cast<size_t>(to_id)];
    if (!LifecycleAllows(before.phase, to_phase)) {
      return FailedPreconditionError(
          "state '" + before.state + "' (" + std::string(PhaseName(before.phase)) + ") maps to '" +
          to + "' (" + std::string(PhaseName(to_phase)) + "), a move the lifecycle does not allow");
    }
    const bool closes = target->state_terminal[static_cast<size_t>(to_id)] != 0;
    ROGATORY_RETURN_IF_ERROR(CheckData(target->def, before.data));
    nlohmann::json data = before.data;
    ROGATORY_RETURN_IF_ERROR(ApplyDefaultsAndRequire(target->def, &data));

    const TimePoint now = clock_->Now();
    Mutation m;
    m.expected_revision = before.revision;
    Request& r = m.request;
    const std::string from = before.state;
    const int from_version = before.version;
    m.deadlines_before = before.deadlines;
    r = std::move(before);
    // Clocks the new version does not know are dropped; the others keep running.
    r.deadlines.erase(std::remove_if(r.deadlines.begin(), r.deadlines.end(),
                                     [&](const DeadlineState& d) {
                                       return target->deadline_ids.count(d.name) == 0;
                                     }),
                      r.deadlines.end());
    // The new version's `while` and `from_field` clocks follow its states and the data.
    ROGATORY_RETURN_IF_ERROR(
        SyncWhileClocks(*target, -1, to_id, data, now, time_zone_, &r.deadlines));
    RecomputeFromFieldClocks(*target, data, time_zone_, &r.deadlines);
    // As for a step into a terminal state: closing stops every clock.
    if (closes) r.deadlines.clear();
    r.data = std::move(data);
    r.version = call.target_version;
    r.state = to;
    r.phase = to_phase;
    r.revision += 1;
    r.updated_at = now;
    m.history = HistoryEntry{r.id,
                             r.revision,
                             "migrate",
                             from,
                             to,
                             actor.id,
                             now,
                             {{"from_version", from_version}, {"to_version", r.version}},
                             call.comment,
                             "",
                             ""};
    m.history.authority = HistoryAuthority(actor);
    return Commit(m, actor, "", "", *target);
  }

  Result<std::vector<AvailableEvent>> Available(const RequestId& id, const Actor& actor) const {
    ROGATORY_ASSIGN_OR_RETURN(Request r, store_->GetRequest(id));
    ROGATORY_RETURN_IF_ERROR(access_.CheckSee(r, actor));
    ROGATORY_ASSIGN_OR_RETURN(const CompiledWorkflow* cw, Find(r.workflow, r.version));
    const int32_t state = CompiledWorkflow::Find(cw->state_ids, r.state);
    std::vector<AvailableEvent> out;
    if (state < 0 || !access_.CheckMayWrite(actor, "fire events").ok()) return out;
    for (int32_t e = 0; e < cw->event_count(); ++e) {
      // Offered only when an alternative would be taken now; its requirements are the ones
      // reported.
      const CompiledTransition* t =
          cw->Choose(cw->Group(state, e), nlohmann::json::object(), r.data);
      if (t == nullptr || !access_.MayFire(actor, *cw, *t, r)) continue;
      AvailableEvent a;
      a.event = cw->event_names[static_cast<size_t>(e)];
      a.to = cw->state_names[static_cast<size_t>(t->to < 0 ? state : t->to)];
      for (int32_t f : t->require) {
        const std::string& name = cw->def.fields[static_cast<size_t>(f)].name;
        a.require.push_back(name);
        if (!IsFieldSet(r.data, name)) a.missing.push_back(name);
      }
      if (access_.enabled()) a.assign.assign(t->assign.begin(), t->assign.end());
      out.push_back(std::move(a));
    }
    return out;
  }

  std::shared_ptr<Store> store_;
  std::shared_ptr<const Clock> clock_;
  TimeZone time_zone_;
  const AccessPolicy access_;  // immutable: read by every thread
  // Thread-safe on its own; mutable because a lookup may load a version from the store.
  mutable DefinitionRegistry registry_;
  // Store::BuildsNotifications, asked once: the store is the engine's for its whole life.
  const bool builds_notifications_;
};

namespace {

// The API promises a Status, never an exception: a JSON error the checks above did not foresee
// (nlohmann's messages carry no client bytes) becomes InvalidArgument.
template <typename F>
Result<Request> Guarded(F f) {
  try {
    return f();
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgumentError(std::string("cannot encode the request as JSON: ") + e.what());
  }
}

}  // namespace

Engine::Engine(EngineOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Engine::~Engine() = default;

Status Engine::LoadDefinition(const WorkflowDefinition& def) {
  const std::string origin = def.source_name.empty() ? "code" : "file:" + def.source_name;
  return impl_->registry_.Load(def, origin).status();
}

Result<bool> Engine::DeployDefinition(const WorkflowDefinition& def, const Actor& actor) {
  return impl_->registry_.Load(def, "api:" + actor.id);
}

Status Engine::CheckDefinition(const WorkflowDefinition& def) const {
  return impl_->registry_.Check(def);
}

Result<DefinitionSync> Engine::SyncDefinitions() { return impl_->registry_.Sync(); }

std::vector<WorkflowSummary> Engine::ListWorkflows() const { return impl_->registry_.List(); }

Result<WorkflowDefinition> Engine::GetDefinition(const std::string& workflow,
                                                 std::optional<int> version) const {
  ROGATORY_ASSIGN_OR_RETURN(const CompiledWorkflow* cw, impl_->Find(workflow, version));
  return cw->def;
}

Result<Request> Engine::Create(const CreateCall& call, const Actor& actor) {
  return Guarded([&] { return impl_->Create(call, actor); });
}

Result<Request> Engine::Fire(const RequestId& id, const EventCall& call, const Actor& actor) {
  return Guarded([&] { return impl_->Fire(id, call, actor); });
}

Result<int> Engine::ChooseTransition(const Request& r, const EventCall& call) const {
  try {
    return impl_->ChooseTransition(r, call);
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgumentError(std::string("cannot read the event data: ") + e.what());
  }
}

Result<Request> Engine::Get(const RequestId& id) const { return impl_->store_->GetRequest(id); }

Result<std::vector<HistoryEntry>> Engine::History(const RequestId& id) const {
  return impl_->store_->GetHistory(id);
}

Result<Request> Engine::Get(const RequestId& id, const Actor& actor) const {
  ROGATORY_ASSIGN_OR_RETURN(Request r, impl_->store_->GetRequest(id));
  ROGATORY_RETURN_IF_ERROR(impl_->access_.CheckSee(r, actor));
  return r;
}

Result<std::vector<HistoryEntry>> Engine::History(const RequestId& id, const Actor& actor) const {
  // Visibility is decided on the request (its parties), then the history is read.
  ROGATORY_RETURN_IF_ERROR(Get(id, actor).status());
  return impl_->store_->GetHistory(id);
}

Result<RequestPage> Engine::List(RequestQuery q, const Actor& actor) const {
  ROGATORY_ASSIGN_OR_RETURN(std::optional<RequestQuery> scoped,
                            impl_->access_.Scope(std::move(q), actor));
  if (!scoped) {
    if (q.limit < 1 || q.limit > 1000) return InvalidArgumentError("limit must be 1 to 1000");
    return RequestPage();
  }
  return List(std::move(*scoped));
}

bool Engine::MaySee(const Request& r, const Actor& actor) const {
  return impl_->access_.MaySee(r, actor);
}

const std::vector<Authority>& Engine::authorities() const { return impl_->access_.authorities(); }

const Authority* Engine::FindAuthority(std::string_view id) const {
  return impl_->access_.Find(id);
}

Result<RequestPage> Engine::List(RequestQuery q) const {
  if (q.overdue_only && q.now == TimePoint()) q.now = impl_->clock_->Now();
  if (q.limit < 1 || q.limit > 1000) return InvalidArgumentError("limit must be 1 to 1000");
  return impl_->store_->ListRequests(q);
}

Result<std::vector<AvailableEvent>> Engine::AvailableEvents(const RequestId& id,
                                                            const Actor& actor) const {
  return impl_->Available(id, actor);
}

Result<std::optional<Request>> Engine::ExpireDeadline(const RequestId& id,
                                                      const std::string& deadline,
                                                      TimePoint due_at) {
  return impl_->Expire(id, deadline, due_at);
}

Result<Request> Engine::Migrate(const RequestId& id, const MigrationCall& call,
                                const Actor& actor) {
  return Guarded([&] { return impl_->Migrate(id, call, actor); });
}

Status Engine::VerifyHistory(const RequestId& id) const {
  ROGATORY_ASSIGN_OR_RETURN(auto entries, impl_->store_->GetHistory(id));
  return VerifyHistoryChain(entries);
}

Result<nlohmann::json> Engine::Stats(const StatsCall& call, const Actor& actor) const {
  // CONTRACT §8 scoping, exactly as the request list: an auditor (or anyone, in a deployment
  // without authorities) counts every request; an authority's actor the requests its authority
  // is a party to; an actor without an authority (an admin who manages subscriptions) none.
  const AccessPolicy& access = impl_->access_;
  const bool global = access.SeesAll(actor);
  const bool sees_nothing = !global && actor.authority.empty();
  return BuildStatsReport(*this, call, global ? std::string() : actor.authority, sees_nothing);
}

Result<int64_t> Engine::RebuildStats() { return RebuildStatsFromHistories(*this); }

Store& Engine::store() const { return *impl_->store_; }
const Clock& Engine::clock() const { return *impl_->clock_; }

const TimeZone& Engine::time_zone() const { return impl_->time_zone_; }

}  // namespace rogatory
