// The Store port: everything the engine persists. One engine step (create, fire, expiry) is one
// `Apply` = one store transaction. Adapters: MemoryStore (memory_store.h), SQLite and
// PostgreSQL through SOCI (adapters/store).
#ifndef ROGATORY_STORE_H_
#define ROGATORY_STORE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rogatory/request.h"
#include "rogatory/stats.h"
#include "rogatory/status.h"
#include "rogatory/time.h"
#include "rogatory/workflow.h"

namespace rogatory {

// Webhook event types (CONTRACT §5).
inline constexpr std::string_view kEventRequestCreated = "request.created";
inline constexpr std::string_view kEventRequestTransitioned = "request.transitioned";
inline constexpr std::string_view kEventRequestClosed = "request.closed";
inline constexpr std::string_view kEventDeadlineExpired = "deadline.expired";

// What happened, for webhook subscribers: one per request revision. The webhook body is
// rendered only when a store finds a matching subscription (most steps have none to pay for).
struct Notification {
  std::string type;      // one of the kEvent* above
  std::string workflow;  // for the subscriptions' workflow filter
  // What the body reports (CONTRACT §5 `data`).
  RequestId request_id;
  int version = 0;
  std::string event;
  std::string from;  // empty on creation (rendered as null)
  std::string to;
  Phase phase = Phase::kDrafting;
  int64_t revision = 0;
  std::string actor;
  TimePoint at;
  std::string deadline;  // set for deadline.expired
  // The whole webhook body (JSON text), signed as is. Rendered by Body() when left empty.
  mutable std::string body;

  // The webhook body: `body` if set, else rendered from the fields above (and cached).
  // Not thread-safe: one store thread handles a mutation at a time.
  const std::string& Body() const;
};

// A workflow definition as the store records it, so that every node can load what one node
// was given (a file at start, or `POST /v1/workflows`).
struct StoredDefinition {
  std::string workflow;
  int version = 0;
  std::string source;   // the YAML text (left empty by ListDefinitions)
  std::string origin;   // "file:PATH", "api:ACTOR" or "code" (see Engine::ListWorkflows)
  TimePoint loaded_at;  // when it was first recorded
};

// A replayable answer stored under an idempotency key, scoped to the actor.
struct IdempotencyRecord {
  std::string actor;
  std::string key;
  std::string fingerprint;  // hash of the call; a different call under the same key is refused
  std::string response;     // JSON text of the request returned the first time
  TimePoint created_at;
};

// One engine step, written atomically: all of it, or (on any error) none of it.
struct Mutation {
  Mutation() = default;
  // A mutation whose request starts as `request`, moved in once: a step builds the next
  // revision from the one it read without first building (and discarding) an empty request.
  explicit Mutation(Request&& request) : request(std::move(request)) {}
  // The same with `request` copied.
  explicit Mutation(const Request& request) : request(request) {}

  // True when the step notifies subscribers: `notification` is set, or is to be built on
  // demand (NotificationOf(*this)). What a store or a wrapper asks before fanning out.
  bool Notifies() const { return notification.has_value() || notification_on_demand; }

  Request request;                // the request after the step
  int64_t expected_revision = 0;  // the revision it had before; 0 = a new request
  HistoryEntry history;           // seq == request.revision
  // Fanned out to matching subscriptions' outboxes. May be empty while the step does notify:
  // see notification_on_demand, and ask Notifies().
  std::optional<Notification> notification;
  // Set, with `notification` empty, by the engine for a store that builds notifications itself
  // (Store::BuildsNotifications): the store then fans out NotificationOf(*this), built only when
  // some subscription exists to receive it. Left false, an empty `notification` means none.
  bool notification_on_demand = false;
  std::optional<IdempotencyRecord> idempotency;
  // CONTRACT §8: true when the step set request.parties (a creation with parties, or a
  // transition that `assign`s sides): stores then rewrite the request's party index.
  bool parties_changed = false;
  // CONTRACT §9: what the step means for the statistics (stats.h); stores update the request's
  // StatsRecord and the counters in the step's transaction.
  StatsFacts stats{};
  // The request's clocks before the step (its state before is history.from_state). Given, SQL
  // stores write only the deadline rows the step changed and delete the ones it stopped by
  // name, so a step that leaves the clocks alone writes none. Absent (a new request, or a
  // caller that does not say), they rewrite every row of the request.
  std::optional<std::vector<DeadlineState>> deadlines_before{};
};

// What a store's in-memory copies of its own commits saved, counted since it was opened
// (Store::KeptCounters; `/metrics`, docs/operations.md). A hit found a copy, which is a read not
// made unless the copy was stale (a request another process stepped: the step on it is refused
// and the request read again). Lookups are counted per attempt: a batch run again counts again.
struct StoreKeptCounters {
  uint64_t request_hits = 0;    // LastCommitted had the request
  uint64_t request_misses = 0;  // LastCommitted had it not (the engine then reads it)
  uint64_t head_hits = 0;       // a step found its request's last history row kept
  uint64_t head_misses = 0;     // a step read it from the database
  uint64_t record_hits = 0;     // a step found its request's statistics record kept
  uint64_t record_misses = 0;   // a step read it from the database
  // How many times the writer forgot everything it kept because another connection or process
  // committed to the database (a second server, `rogatory stats --rebuild`).
  uint64_t forgets = 0;
};

// The notification of the step `m` (its `notification` when the engine builds it): the type from
// the step itself (a new request: created; m.stats.lapsed_deadline set: deadline.expired;
// m.stats.terminal: closed; otherwise transitioned), the rest from m.request and m.history.
Notification NotificationOf(const Mutation& m);

// Filters and keyset pagination for listing requests; every filter is optional.
struct RequestQuery {
  std::string workflow;
  std::string state;
  std::optional<Phase> phase;
  bool overdue_only = false;  // a running deadline due at or before `now`, or a lapsed one
  TimePoint now;              // REQUIRES when overdue_only
  int limit = 50;             // 1..1000
  std::string after;          // the `next` of the previous page; ids strictly greater
  std::string party{};        // CONTRACT §8: only requests this authority is a party to
  // CONTRACT §8: only requests this authority is a party to as well (Engine::List sets it to
  // the caller's authority when `party` names another). Stores walk their party index for
  // `party` (or `visible_to` alone) in id order, never filtering after fetching.
  std::string visible_to{};
};

struct RequestPage {
  std::vector<Request> items;  // ordered by id
  std::string next;            // empty when this is the last page
};

// A deadline row due to fire, claimed by one scheduler node for a lease.
struct DueDeadline {
  RequestId request_id;
  std::string name;
  TimePoint due_at;
};

// A webhook subscription (CONTRACT §4).
struct Subscription {
  std::string id;
  std::string url;
  std::string secret;                  // "whsec_<base64 key>"
  std::vector<std::string> events;     // empty: every type
  std::vector<std::string> workflows;  // empty: every workflow
  bool active = true;                  // false after a 410 from the consumer
  TimePoint created_at;
  // CONTRACT §8: the creating admin's authority; such a subscription receives only events of
  // requests that authority is a party to. Empty: every request (a global admin's).
  std::string authority{};
  // True when this subscription wants `type` events of `workflow`.
  bool Matches(std::string_view type, std::string_view workflow) const;
  // True when it wants notification `n` about request `r` (the request after the step): it
  // Matches n's type and workflow and, when it has an authority, that authority is one of r's
  // parties. Stores fan out with this.
  bool Receives(const Notification& n, const Request& r) const;
  // True when an admin acting for `authority` (empty: a global admin) may see and manage it:
  // a global admin manages every subscription, an authority's admin only its own.
  bool ManagedBy(std::string_view authority) const {
    return authority.empty() || authority == this->authority;
  }
};

enum class DeliveryStatus : uint8_t { kPending, kDelivered, kDead };
const char* DeliveryStatusName(DeliveryStatus s);  // "pending", "delivered", "dead"
std::optional<DeliveryStatus> ParseDeliveryStatus(std::string_view name);

// One outbox row: one event for one subscription.
struct Delivery {
  std::string id;  // ordered by creation; also the webhook-id ("msg_" + id)
  std::string subscription_id;
  RequestId request_id;
  int64_t revision = 0;
  std::string type;
  std::string body;
  DeliveryStatus status = DeliveryStatus::kPending;
  int attempts = 0;
  std::string last_error;
  TimePoint next_attempt_at;
  TimePoint created_at;
};

// Why the retry route may not re-queue `d` now (FailedPrecondition, with a message for the
// admin), or OK. Only a dead delivery, or a failed one waiting for its next attempt, may be
// re-queued: not one that was delivered, has not been tried yet, or is `claimed` (a node holds a
// live lease on it: it is being sent), nor one whose subscription is inactive
// (`subscription_active` false) or deleted (nullopt). Both stores apply it inside the retry's
// transaction.
Status RetryRefusal(const Delivery& d, bool claimed, std::optional<bool> subscription_active);

struct DeliveryQuery {
  std::optional<DeliveryStatus> status;
  std::string subscription_id;
  // CONTRACT §8: only deliveries of the existing subscriptions with this authority (an
  // authority's admin); empty: every delivery.
  std::string authority;
  int limit = 50;
  std::string after;
};

struct DeliveryPage {
  std::vector<Delivery> items;
  std::string next;
};

// The outcome of one delivery attempt, recorded by the dispatcher.
// How many deliveries one Store::ClaimDeliveries call may take.
struct ClaimLimit {
  int total = 0;             // in all
  int per_subscription = 0;  // of one subscription; 0: no cap
  // Deliveries of a subscription the caller already holds (claimed earlier, not yet recorded):
  // they count against per_subscription.
  std::map<std::string, int> held;
};

struct DeliveryAttempt {
  std::string delivery_id;
  std::string owner;                  // must still hold the claim
  DeliveryStatus status;              // kDelivered, kDead, or kPending (retry at next_attempt_at)
  std::string error;                  // empty on success
  TimePoint next_attempt_at;          // for a retry
  bool disable_subscription = false;  // the consumer answered 410 Gone
};

// The persistence port. Implementations are thread-safe: the engine calls them from many
// threads at once. Errors: NotFound for unknown ids, Aborted for a stale revision,
// AlreadyExists for a taken id or idempotency key, Unavailable when the backend is unreachable.
class Store {
 public:
  virtual ~Store() = default;

  // --- Definitions -------------------------------------------------------------------------
  // Records the source of (workflow, version) and where it came from (`origin`, as in
  // StoredDefinition) the first time it is loaded; recording the same text again changes
  // nothing. AlreadyExists if that version was recorded before with a different source
  // (versions are immutable).
  virtual Status SaveDefinition(const WorkflowDefinition& def, const std::string& origin) = 0;
  // Every recorded definition without its source text, ordered by workflow then version.
  // Cheap enough to poll: nodes call it every second to find definitions others recorded.
  virtual Result<std::vector<StoredDefinition>> ListDefinitions() = 0;
  // The recorded definition (with its source) of `workflow` at `version`, or at its highest
  // version when none is given. NotFound if there is none.
  virtual Result<StoredDefinition> GetStoredDefinition(const std::string& workflow,
                                                       std::optional<int> version) = 0;

  // --- Requests ----------------------------------------------------------------------------
  // Writes one engine step atomically: the request (insert when expected_revision is 0, else
  // update only if its stored revision equals expected_revision: Aborted otherwise), the
  // history entry, its replacement deadline rows, an outbox row per subscription matching the
  // notification (m.notification, or NotificationOf(m) when m.notification_on_demand), and the
  // idempotency record (AlreadyExists if the key is taken).
  virtual Status Apply(const Mutation& m) = 0;
  // Apply, for a caller that no longer needs `m` beyond m.request: when it returns OK the store
  // may have moved from m.history, m.notification, m.idempotency and m.stats (never from
  // m.request, which the engine returns to its caller); on an error `m` is left as it was. The
  // engine writes every step through it. The default calls Apply(m), so a store (or a wrapper
  // that overrides Apply) needs nothing more; the memory store keeps the entry's data without
  // a copy.
  virtual Status ApplyMoving(Mutation& m) { return Apply(m); }
  // True when the store builds a step's notification itself from the mutation, under its own
  // lock, and only when a subscription exists to receive it: the engine then sets
  // Mutation::notification_on_demand instead of building one for every step. The default,
  // false, suits a store that decides under its write lock (an SQL store's batch): building
  // there would lengthen the section every caller waits on, so the engine builds it beforehand,
  // in the caller's thread. A wrapper (ForwardingStore) answers false unless it overrides this:
  // one that reads the notification must then ask Mutation::Notifies, not m.notification.
  virtual bool BuildsNotifications() const { return false; }
  // The request `id`. NotFound if there is none.
  virtual Result<Request> GetRequest(const RequestId& id) = 0;
  // The request `id` as this store object's own last successful Apply of it left it, when the
  // store keeps such copies (an SQLite store keeps the requests it committed lately), without
  // reading the database; nullopt otherwise. The copy is stale when another process, or another
  // store object on the same database, has stepped the request since. So a caller may act on it
  // only through Apply, whose revision check then refuses the step, and must read the request
  // again with GetRequest whenever acting on the copy fails, for whatever reason but Unavailable
  // (the database not answering says nothing of the copy; Engine::Fire does both). The default
  // keeps none.
  virtual std::optional<Request> LastCommitted(const RequestId& id) {
    (void)id;
    return std::nullopt;
  }
  // The request's history, oldest first. NotFound if there is no such request.
  virtual Result<std::vector<HistoryEntry>> GetHistory(const RequestId& id) = 0;
  // A page of requests ordered by id.
  virtual Result<RequestPage> ListRequests(const RequestQuery& q) = 0;
  // The record stored under (actor, key), or nullopt.
  virtual Result<std::optional<IdempotencyRecord>> FindIdempotency(const std::string& actor,
                                                                   const std::string& key) = 0;

  // --- Deadlines ---------------------------------------------------------------------------
  // Claims up to `limit` running deadlines due at or before `now` that no live lease holds
  // (never a paused or lapsed one),
  // leasing them to `owner` until now + lease; each due row is claimed by one caller.
  virtual Result<std::vector<DueDeadline>> ClaimDueDeadlines(TimePoint now,
                                                             const std::string& owner,
                                                             Duration lease, int limit) = 0;
  // Number of running deadlines due before `now` that the scheduler has not lapsed yet (the
  // overdue gauge: a scheduler that keeps up shows 0). Lapsed clocks are not counted; they are
  // listed by ListRequests with overdue_only.
  virtual Result<int64_t> CountOverdueDeadlines(TimePoint now) = 0;

  // --- Webhook subscriptions and outbox ----------------------------------------------------
  virtual Status CreateSubscription(const Subscription& s) = 0;  // AlreadyExists on id clash
  virtual Result<Subscription> GetSubscription(const std::string& id) = 0;
  virtual Result<std::vector<Subscription>> ListSubscriptions() = 0;
  // Deletes it and dead-letters its pending deliveries. NotFound if unknown.
  virtual Status DeleteSubscription(const std::string& id) = 0;
  // Sets its `active` flag: true re-enables a subscription disabled by a 410 (its dead letters
  // stay dead until retried one by one); false disables it and dead-letters its pending
  // deliveries, as a 410 does. NotFound if unknown.
  virtual Status SetSubscriptionActive(const std::string& id, bool active) = 0;

  // Claims pending deliveries whose next_attempt_at <= now and that are the oldest pending
  // revision of their (subscription, request) pair, so one request's events reach one
  // subscription in order; at most `limit.total`, and at most `limit.per_subscription` (less
  // what `limit.held` says the caller already holds) of one subscription, so a subscription
  // with a large backlog cannot fill a claim and starve the others. Leases them to `owner`
  // until now + lease.
  virtual Result<std::vector<Delivery>> ClaimDeliveries(TimePoint now, const std::string& owner,
                                                        Duration lease,
                                                        const ClaimLimit& limit) = 0;
  // Claims up to `limit` deliveries with no per-subscription cap.
  Result<std::vector<Delivery>> ClaimDeliveries(TimePoint now, const std::string& owner,
                                                Duration lease, int limit) {
    ClaimLimit l;
    l.total = limit;
    return ClaimDeliveries(now, owner, lease, l);
  }
  // Records an attempt: attempts+1, status, error, next attempt; releases the claim.
  // FailedPrecondition if `owner` no longer holds the claim.
  virtual Status RecordDeliveryAttempt(const DeliveryAttempt& a) = 0;
  virtual Result<Delivery> GetDelivery(const std::string& id) = 0;
  virtual Result<DeliveryPage> ListDeliveries(const DeliveryQuery& q) = 0;
  // Puts a dead delivery, or a failed one waiting for its next attempt, back to pending, due
  // now, releasing no claim: FailedPrecondition (changing nothing) for what RetryRefusal
  // refuses, judged atomically with the change (a claim is live while its lease runs at `now`).
  // NotFound if unknown.
  virtual Status RetryDelivery(const std::string& id, TimePoint now) = 0;
  // A counter this store object raises after each commit of its own that wrote outbox rows,
  // and after each RetryDelivery that succeeded; it never goes down. A claim that starts after
  // reading a value sees every delivery those commits made claimable. The webhook dispatcher
  // skips waking for a commit when the counter has not moved since its last claim (no
  // subscription matched). Commits of other processes on a shared database do not raise it.
  // The default, nullopt: not counted (the dispatcher then wakes after every commit).
  virtual std::optional<uint64_t> OutboxVersion() const { return std::nullopt; }

  // What the copies this store keeps of its own commits saved (StoreKeptCounters), when it
  // keeps any (an SQLite store with `store.sqlite.request_cache` above 0); nullopt otherwise.
  // Thread-safe.
  virtual std::optional<StoreKeptCounters> KeptCounters() const { return std::nullopt; }

  // --- Statistics (CONTRACT §9, stats.h) ---------------------------------------------------
  // The counters of `q`, summed over its days, per workflow, version, kind and key; plus one
  // "overdue_running" cell per request that q covers, has no lapsed clock and runs a clock due
  // at or before q.now. FailedPrecondition when the counters are stale (a database made
  // before statistics: `rogatory stats --rebuild`). The default: FailedPrecondition.
  virtual Result<std::vector<StatsCell>> QueryStats(const StatsQuery& q);
  // Replaces every record and counter with those of `records` (one per request), atomically,
  // and marks the counters fresh. The default: FailedPrecondition.
  virtual Status ReplaceStats(const std::vector<StatsRecord>& records);
};

}  // namespace rogatory

#endif  // ROGATORY_STORE_H_
