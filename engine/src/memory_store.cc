// The in-memory Store: one mutex around its maps. It is the reference the SQL stores are checked
// against by the conformance suite; its two shortcuts (the packed history, the statistics record
// stepped in place) are each checked against the plain computation by tests of their own.
#include "rogatory/memory_store.h"

#include <algorithm>
#include <atomic>
#include <climits>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string_view>
#include <tuple>
#include <unordered_map>

#include "kept_history.h"
#include "rogatory/spin_then_block_mutex.h"
#include "rogatory/stats_range.h"
#include "stats_counters.h"

namespace rogatory {
namespace {

// The list filters a lapsed clock is indexed under (the SQL stores' lapsed indexes, schema 8):
// workflow, state and phase, each empty (nullopt) for "any".
using LapsedKey = std::tuple<std::string, std::string, std::optional<Phase>>;

struct DeadlineLease {
  std::string owner;
  TimePoint until;
};

struct StoredDelivery {
  Delivery delivery;
  std::string claimed_by;
  TimePoint claimed_until;
};

// `to = from` for a value kept in the store. nlohmann::json's copy assignment copies `from` into
// a new value and swaps it in: an object assigned onto an object here reuses the nodes of the
// map it replaces instead, and allocates nothing when both are empty.
void AssignJson(nlohmann::json& to, const nlohmann::json& from) {
  if (to.is_object() && from.is_object()) {
    *to.get_ptr<nlohmann::json::object_t*>() = *from.get_ptr<const nlohmann::json::object_t*>();
    return;
  }
  to = from;
}

// `to = from` for the request a step stores, reusing the storage of the one it replaces (the
// strings' buffers, the data's map nodes): two allocations fewer per step than the assignment.
void AssignRequest(Request& to, const Request& from) {
  // One name per field of Request: a field added to it fails to compile here until it is
  // named, and so copied, below.
  const auto& [id, workflow, version, references, state, phase, data, revision, created_at,
               updated_at, deadlines, head_hash, parties] = from;
  to.id = id;
  to.workflow = workflow;
  to.version = version;
  AssignJson(to.references, references);
  to.state = state;
  to.phase = phase;
  AssignJson(to.data, data);
  to.revision = revision;
  to.created_at = created_at;
  to.updated_at = updated_at;
  to.deadlines = deadlines;
  to.head_hash = head_hash;
  to.parties = parties;
}

// What the store keeps of one request.
struct Slot {
  Request request;
  // Packed into the store's arena (kept_history.h).
  KeptHistory history;
  // Its statistics record, by pointer: ApplyStats swaps it with its scratch record. Null until
  // its first step.
  std::unique_ptr<StatsRecord> stats;
};

class MemoryStore final : public Store {
 public:
  Status SaveDefinition(const WorkflowDefinition& def, const std::string& origin) override {
    std::lock_guard lock(mu_);
    StoredDefinition record{def.id, def.version, def.source, origin, SystemClock().Now()};
    auto [it, inserted] =
        definitions_.emplace(std::make_pair(def.id, def.version), std::move(record));
    if (!inserted && it->second.source != def.source) {
      return AlreadyExistsError("workflow " + def.id + " version " + std::to_string(def.version) +
                                " was recorded before with different content");
    }
    return OkStatus();
  }

  Result<std::vector<StoredDefinition>> ListDefinitions() override {
    std::lock_guard lock(mu_);
    std::vector<StoredDefinition> out;
    for (const auto& [key, record] : definitions_) {
      out.push_back(record);
      out.back().source.clear();
    }
    return out;
  }

  Result<StoredDefinition> GetStoredDefinition(const std::string& workflow,
                                               std::optional<int> version) override {
    std::lock_guard lock(mu_);
    auto it = definitions_.end();
    if (version) {
      it = definitions_.find({workflow, *version});
    } else {
      // The last key not after (workflow, INT_MAX) is the workflow's highest version, if any.
      auto next = definitions_.upper_bound({workflow, INT_MAX});
      if (next != definitions_.begin() && std::prev(next)->first.first == workflow) {
        it = std::prev(next);
      }
    }
    if (it == definitions_.end()) {
      return NotFoundError("no definition of workflow '" + workflow + "'" +
                           (version ? " version " + std::to_string(*version) : std::string()));
    }
    return it->second;
  }

  Status Apply(const Mutation& m) override { return Write(m, nullptr); }

  // The history entry's data and the idempotency record move into the store instead of being
  // copied.
  Status ApplyMoving(Mutation& m) override { return Write(m, &m); }

  bool BuildsNotifications() const override { return true; }

  // Apply; with `movable` (the same mutation) the parts the store keeps are moved from it once
  // every check has passed.
  Status Write(const Mutation& m, Mutation* movable) {
    std::lock_guard lock(mu_);
    auto it = slots_.find(m.request.id);
    Slot* slot = it == slots_.end() ? nullptr : &it->second;
    if (m.expected_revision == 0) {
      if (slot != nullptr) return AlreadyExistsError("request " + m.request.id + " exists");
    } else {
      if (slot == nullptr) return NotFoundError("request " + m.request.id + " not found");
      if (slot->request.revision != m.expected_revision) {
        return AbortedError("request " + m.request.id + " is at revision " +
                            std::to_string(slot->request.revision) + ", not " +
                            std::to_string(m.expected_revision));
      }
    }
    if (m.idempotency && idempotency_.count({m.idempotency->actor, m.idempotency->key}) != 0) {
      return AlreadyExistsError("idempotency key already used");
    }
    // Every check passed: nothing below can fail, so the step is all-or-nothing.
    if (slot != nullptr && !leases_.empty()) {
      // A deadline whose due time changed (stopped, restarted) loses its lease.
      // Leases are keyed (request id, name): the request's own are one contiguous range.
      auto lease = leases_.lower_bound({m.request.id, std::string()});
      while (lease != leases_.end() && lease->first.first == m.request.id) {
        lease = leases_.erase(lease);
      }
    }
    // As the SQL stores leave unchanged deadline rows alone, a step that keeps the clocks and
    // the request's state and phase (a request never changes workflow) keeps their entries.
    const bool reindex = slot == nullptr || slot->request.state != m.request.state ||
                         slot->request.phase != m.request.phase ||
                         slot->request.deadlines != m.request.deadlines;
    if (reindex) {
      if (slot != nullptr) IndexDeadlines(slot->request, /*add=*/false);
      IndexDeadlines(m.request, /*add=*/true);
    }
    if (slot != nullptr) IndexParties(slot->request, /*add=*/false);
    IndexParties(m.request, /*add=*/true);
    if (slot != nullptr) {
      AssignRequest(slot->request, m.request);
    } else {
      auto added = slots_.emplace(m.request.id, Slot{m.request, {}, nullptr}).first;
      slot = &added->second;
      by_id_.emplace(added->first, slot);
    }
    ApplyStats(m, *slot);
    if (m.Notifies() && !subscriptions_.empty()) {
      // Built here, under the lock, only when a subscription could want it (most steps of a
      // deployment without webhooks have none to pay for): BuildsNotifications.
      std::optional<Notification> built;
      const Notification& n = m.notification ? *m.notification : built.emplace(NotificationOf(m));
      const size_t deliveries_before = deliveries_.size();
      for (const auto& [id, sub] : subscriptions_) {
        if (!sub.Receives(n, m.request)) continue;
        StoredDelivery sd;
        Delivery& d = sd.delivery;
        d.id = NextId();
        d.subscription_id = id;
        d.request_id = m.request.id;
        d.revision = m.request.revision;
        d.type = n.type;
        d.body = n.Body();
        d.next_attempt_at = d.created_at = m.history.at;
        deliveries_.emplace(d.id, std::move(sd));
      }
      if (deliveries_.size() != deliveries_before) RaiseOutboxVersion();
    }
    // After the notification, which reads the entry.
    slot->history.Append(m.history,
                         movable != nullptr ? std::move(movable->history.data) : m.history.data,
                         m.request.id, &arena_);
    if (m.idempotency) {
      std::pair<std::string, std::string> key(m.idempotency->actor, m.idempotency->key);
      if (movable != nullptr) {
        idempotency_.emplace(std::move(key), std::move(*movable->idempotency));
      } else {
        idempotency_.emplace(std::move(key), *m.idempotency);
      }
    }
    return OkStatus();
  }

  Result<Request> GetRequest(const RequestId& id) override {
    std::lock_guard lock(mu_);
    auto it = slots_.find(id);
    if (it == slots_.end()) return NotFoundError("request " + id + " not found");
    return it->second.request;
  }

  Result<std::vector<HistoryEntry>> GetHistory(const RequestId& id) override {
    std::lock_guard lock(mu_);
    auto it = slots_.find(id);
    if (it == slots_.end()) return NotFoundError("request " + id + " not found");
    return it->second.history.Entries(it->first);
  }

  Result<RequestPage> ListRequests(const RequestQuery& q) override {
    std::lock_guard lock(mu_);
    RequestPage page;
    const size_t limit = static_cast<size_t>(std::clamp(q.limit, 1, 1000));
    auto take = [&](const Request& r) {  // false when the page is full
      if (!q.workflow.empty() && r.workflow != q.workflow) return true;
      if (!q.state.empty() && r.state != q.state) return true;
      if (q.phase && r.phase != *q.phase) return true;
      if (q.overdue_only && !r.IsOverdue(q.now)) return true;
      if (page.items.size() == limit) {
        page.next = page.items.back().id;
        return false;
      }
      page.items.push_back(r);
      return true;
    };
    if (!q.party.empty() || !q.visible_to.empty()) {
      // Driven by the party index: only that authority's requests are visited, in id order.
      const std::string& driver = q.party.empty() ? q.visible_to : q.party;
      auto ids = by_party_.find(driver);
      if (ids == by_party_.end()) return page;
      for (auto id = ids->second.upper_bound(q.after); id != ids->second.end(); ++id) {
        const Request& r = RequestAt(*id);
        if (!q.visible_to.empty() && !r.HasParty(q.visible_to)) continue;
        if (!take(r)) break;
      }
      return page;
    }
    if (q.overdue_only) {
      // The first page of the filters' lapsed index and of the running clocks due, merged.
      for (const RequestId& id : OverdueIds(q, limit + 1)) {
        if (!take(RequestAt(id))) break;
      }
      return page;
    }
    for (auto it = by_id_.upper_bound(q.after); it != by_id_.end(); ++it) {
      if (!take(it->second->request)) break;
    }
    return page;
  }

  Result<std::optional<IdempotencyRecord>> FindIdempotency(const std::string& actor,
                                                           const std::string& key) override {
    std::lock_guard lock(mu_);
    auto it = idempotency_.find({actor, key});
    if (it == idempotency_.end()) return std::optional<IdempotencyRecord>();
    return std::optional<IdempotencyRecord>(it->second);
  }

  Result<std::vector<DueDeadline>> ClaimDueDeadlines(TimePoint now, const std::string& owner,
                                                     Duration lease, int limit) override {
    std::lock_guard lock(mu_);
    std::vector<DueDeadline> due;
    for (const auto& [id, slot] : slots_) {
      for (const auto& d : slot.request.deadlines) {
        if (d.paused || d.lapsed || d.due_at > now) continue;
        auto held = leases_.find({id, d.name});
        if (held != leases_.end() && held->second.until > now) continue;
        due.push_back({id, d.name, d.due_at});
      }
    }
    // As the SQL stores order them: ties by request and name, never by the map's hash order.
    std::sort(due.begin(), due.end(), [](const DueDeadline& a, const DueDeadline& b) {
      return std::tie(a.due_at, a.request_id, a.name) < std::tie(b.due_at, b.request_id, b.name);
    });
    if (due.size() > static_cast<size_t>(limit)) due.resize(static_cast<size_t>(limit));
    for (const auto& d : due) leases_[{d.request_id, d.name}] = {owner, now + lease};
    return due;
  }

  Result<int64_t> CountOverdueDeadlines(TimePoint now) override {
    std::lock_guard lock(mu_);
    int64_t n = 0;
    for (const auto& [id, slot] : slots_) {
      for (const auto& d : slot.request.deadlines) {
        n += (!d.paused && !d.lapsed && d.due_at < now) ? 1 : 0;
      }
    }
    return n;
  }

  Status CreateSubscription(const Subscription& s) override {
    std::lock_guard lock(mu_);
    if (!subscriptions_.emplace(s.id, s).second) {
      return AlreadyExistsError("subscription " + s.id + " exists");
    }
    return OkStatus();
  }

  Result<Subscription> GetSubscription(const std::string& id) override {
    std::lock_guard lock(mu_);
    auto it = subscriptions_.find(id);
    if (it == subscriptions_.end()) return NotFoundError("subscription " + id + " not found");
    return it->second;
  }

  Result<std::vector<Subscription>> ListSubscriptions() override {
    std::lock_guard lock(mu_);
    std::vector<Subscription> out;
    for (const auto& [id, s] : subscriptions_) out.push_back(s);
    return out;
  }

  Status DeleteSubscription(const std::string& id) override {
    std::lock_guard lock(mu_);
    if (subscriptions_.erase(id) == 0) return NotFoundError("subscription " + id + " not found");
    KillPendingLocked(id, "subscription deleted");
    return OkStatus();
  }

  Status SetSubscriptionActive(const std::string& id, bool active) override {
    std::lock_guard lock(mu_);
    auto it = subscriptions_.find(id);
    if (it == subscriptions_.end()) return NotFoundError("subscription " + id + " not found");
    it->second.active = active;
    if (!active) KillPendingLocked(id, "subscription disabled");
    return OkStatus();
  }

  using Store::ClaimDeliveries;
  Result<std::vector<Delivery>> ClaimDeliveries(TimePoint now, const std::string& owner,
                                                Duration lease, const ClaimLimit& limit) override {
    std::lock_guard lock(mu_);
    std::vector<Delivery> out;
    if (limit.total <= 0) return out;
    std::map<std::string, int> taken = limit.held;  // per subscription, against the cap
    // The oldest pending delivery of each (subscription, request) pair; later ones wait.
    std::set<std::pair<std::string, std::string>> seen;
    for (auto& [id, sd] : deliveries_) {  // ordered by id = creation order
      Delivery& d = sd.delivery;
      if (d.status != DeliveryStatus::kPending) continue;
      if (!seen.insert({d.subscription_id, d.request_id}).second) continue;
      if (d.next_attempt_at > now) continue;
      if (!sd.claimed_by.empty() && sd.claimed_until > now) continue;
      if (limit.per_subscription > 0) {
        int& n = taken[d.subscription_id];
        if (n >= limit.per_subscription) continue;
        ++n;
      }
      sd.claimed_by = owner;
      sd.claimed_until = now + lease;
      out.push_back(d);
      if (out.size() == static_cast<size_t>(limit.total)) break;
    }
    return out;
  }

  Status RecordDeliveryAttempt(const DeliveryAttempt& a) override {
    std::lock_guard lock(mu_);
    auto it = deliveries_.find(a.delivery_id);
    if (it == deliveries_.end()) return NotFoundError("delivery " + a.delivery_id + " not found");
    StoredDelivery& sd = it->second;
    if (sd.claimed_by != a.owner) {
      return FailedPreconditionError("delivery " + a.delivery_id + " is not claimed by " + a.owner);
    }
    sd.claimed_by.clear();
    Delivery& d = sd.delivery;
    d.attempts += 1;
    d.status = a.status;
    d.last_error = a.error;
    if (a.status == DeliveryStatus::kPending) d.next_attempt_at = a.next_attempt_at;
    if (a.disable_subscription) {
      auto s = subscriptions_.find(d.subscription_id);
      if (s != subscriptions_.end()) s->second.active = false;
      KillPendingLocked(d.subscription_id, "subscription disabled (410 Gone)");
    }
    return OkStatus();
  }

  Result<Delivery> GetDelivery(const std::string& id) override {
    std::lock_guard lock(mu_);
    auto it = deliveries_.find(id);
    if (it == deliveries_.end()) return NotFoundError("delivery " + id + " not found");
    return it->second.delivery;
  }

  Result<DeliveryPage> ListDeliveries(const DeliveryQuery& q) override {
    std::lock_guard lock(mu_);
    DeliveryPage page;
    const size_t limit = static_cast<size_t>(std::clamp(q.limit, 1, 1000));
    for (auto it = deliveries_.upper_bound(q.after); it != deliveries_.end(); ++it) {
      const Delivery& d = it->second.delivery;
      if (q.status && d.status != *q.status) continue;
      if (!q.subscription_id.empty() && d.subscription_id != q.subscription_id) continue;
      if (!q.authority.empty()) {
        auto s = subscriptions_.find(d.subscription_id);
        if (s == subscriptions_.end() || s->second.authority != q.authority) continue;
      }
      if (page.items.size() == limit) {
        page.next = page.items.back().id;
        break;
      }
      page.items.push_back(d);
    }
    return page;
  }

  Status RetryDelivery(const std::string& id, TimePoint now) override {
    std::lock_guard lock(mu_);
    auto it = deliveries_.find(id);
    if (it == deliveries_.end()) return NotFoundError("delivery " + id + " not found");
    StoredDelivery& sd = it->second;
    Delivery& d = sd.delivery;
    const bool claimed = !sd.claimed_by.empty() && sd.claimed_until > now;
    std::optional<bool> active;
    if (auto s = subscriptions_.find(d.subscription_id); s != subscriptions_.end()) {
      active = s->second.active;
    }
    ROGATORY_RETURN_IF_ERROR(RetryRefusal(d, claimed, active));
    d.status = DeliveryStatus::kPending;
    d.next_attempt_at = now;
    sd.claimed_by.clear();  // a lease that ran out (its node died): nobody holds it
    RaiseOutboxVersion();
    return OkStatus();
  }

  std::optional<uint64_t> OutboxVersion() const override {
    return outbox_version_.load(std::memory_order_acquire);
  }

 private:
  // Under mu_, so a claim (which takes mu_) that follows a read of the new value sees the rows.
  void RaiseOutboxVersion() { outbox_version_.fetch_add(1, std::memory_order_release); }

  // Fixed-width decimal ids so that string order is numeric order.
  std::string NextId() {
    std::string n = std::to_string(++next_delivery_);
    return std::string(20 - n.size(), '0') + n;
  }

  void KillPendingLocked(const std::string& subscription_id, const std::string& why) {
    for (auto& [id, sd] : deliveries_) {
      Delivery& d = sd.delivery;
      if (d.subscription_id == subscription_id && d.status == DeliveryStatus::kPending) {
        d.status = DeliveryStatus::kDead;
        d.last_error = why;
      }
    }
  }

  // Adds or removes the running deadlines of `r` in the due-time index, and its lapsed ones in
  // the lapsed index under each combination of its workflow, state and phase.
  void IndexDeadlines(const Request& r, bool add) {
    for (const auto& d : r.deadlines) {
      if (d.lapsed) {
        for (int any = 0; any < 8; ++any) {
          const LapsedKey key{(any & 1) ? "" : r.workflow, (any & 2) ? "" : r.state,
                              (any & 4) ? std::nullopt : std::optional<Phase>(r.phase)};
          std::multiset<RequestId>& ids = lapsed_[key];
          if (add) {
            ids.insert(r.id);
          } else if (auto it = ids.find(r.id); it != ids.end()) {
            ids.erase(it);
          }
        }
        continue;
      }
      if (d.paused) continue;
      if (add) {
        running_by_due_.emplace(d.due_at, r.id);
      } else {
        running_by_due_.erase({d.due_at, r.id});
      }
    }
  }

  // The ids after `after` of requests with a running deadline due at or before `now` or a
  // lapsed one (Request::IsOverdue), in id order.
  // CONTRACT §8: authority -> the requests it is a party to (the SQL stores' request_parties).
  void IndexParties(const Request& r, bool add) {
    for (const auto& [side, authority] : r.parties) {
      if (add) {
        by_party_[authority].insert(r.id);
      } else if (auto it = by_party_.find(authority); it != by_party_.end()) {
        it->second.erase(r.id);
        if (it->second.empty()) by_party_.erase(it);
      }
    }
  }

  // CONTRACT §9: the request's statistics record and the counters, in the step's critical
  // section (the memory store's transaction).
  void ApplyStats(const Mutation& m, Slot& slot) {
    // Most steps only move the state: the kept record changes those fields where it is.
    if (slot.stats != nullptr &&
        MoveStatsRecordInPlace(slot.stats.get(), m.request, m.stats, &stats_was_)) {
      stats_counters_.AddStateMove(stats_was_, *slot.stats);
      return;
    }
    const StatsRecord* before = slot.stats.get();
    if (stats_scratch_ == nullptr) stats_scratch_ = std::make_unique<StatsRecord>();
    NextStatsRecordInto(before, m.request, m.history, m.stats, stats_scratch_.get());
    stats_counters_.AddStep(before, *stats_scratch_);
    // The record before goes on as the next step's scratch (null for a request's first step):
    // assigning into it reuses its storage, and swapping the two is swapping two pointers.
    std::swap(slot.stats, stats_scratch_);
  }

 public:
  Result<std::vector<StatsCell>> QueryStats(const StatsQuery& q) override {
    std::lock_guard lock(mu_);
    // Whole months from the roll-ups, partial months from the day counters.
    StatsCounters::Sums sums;
    const StatsRangeParts parts = SplitStatsRange(q.from_day, q.to_day);
    if (parts.has_months) {
      stats_counters_.Sum(q.scope, q.workflow, /*months=*/true, parts.from_month, parts.to_month,
                          &sums);
    }
    for (const auto& [lo, hi] : parts.day_ranges) {
      stats_counters_.Sum(q.scope, q.workflow, /*months=*/false, lo, hi, &sums);
    }
    std::set<RequestId> running;
    for (auto it = running_by_due_.begin(); it != running_by_due_.end() && it->first <= q.now;
         ++it) {
      running.insert(it->second);
    }
    for (const RequestId& id : running) {
      auto it = slots_.find(id);
      if (it == slots_.end() || it->second.stats == nullptr) continue;
      const StatsRecord& r = *it->second.stats;
      if (!r.lapsed_now && StatsRecordMatches(r, q)) {
        sums[{r.workflow, r.version, "overdue_running", ""}] += 1;
      }
    }
    std::vector<StatsCell> out;
    for (const auto& [k, n] : sums) {
      if (n == 0) continue;
      out.push_back(StatsCell{std::get<0>(k), std::get<1>(k), std::get<2>(k), std::get<3>(k), n});
    }
    return out;
  }

  Status ReplaceStats(const std::vector<StatsRecord>& records) override {
    std::lock_guard lock(mu_);
    for (auto& [id, slot] : slots_) slot.stats.reset();
    stats_counters_.Clear();
    for (const StatsRecord& r : records) {
      stats_counters_.Add(StatsDelta(nullptr, &r));
      // A rebuild makes records from the stored histories, so each has its request. One that
      // has none is counted and not kept: there is no step of it to count from.
      if (auto it = slots_.find(r.request_id); it != slots_.end()) {
        it->second.stats = std::make_unique<StatsRecord>(r);
      }
    }
    return OkStatus();
  }

 private:
  // The first `wanted` ids after q.after of requests matching q's workflow, state and phase
  // with a lapsed clock (a walk of that filter's lapsed index, stopping at `wanted`) or a
  // running clock due by q.now (each due clock's request checked), in id order.
  std::set<RequestId> OverdueIds(const RequestQuery& q, size_t wanted) const {
    std::set<RequestId> ids;
    if (auto lapsed = lapsed_.find(LapsedKey{q.workflow, q.state, q.phase});
        lapsed != lapsed_.end()) {
      for (auto it = lapsed->second.upper_bound(q.after);
           it != lapsed->second.end() && ids.size() < wanted; ++it) {
        ids.insert(*it);
      }
    }
    for (auto it = running_by_due_.begin(); it != running_by_due_.end() && it->first <= q.now;
         ++it) {
      if (it->second <= q.after) continue;
      const Request& r = RequestAt(it->second);
      if (!q.workflow.empty() && r.workflow != q.workflow) continue;
      if (!q.state.empty() && r.state != q.state) continue;
      if (q.phase && r.phase != *q.phase) continue;
      ids.insert(r.id);
      if (ids.size() > wanted) ids.erase(std::prev(ids.end()));
    }
    return ids;
  }

  // A stored request's slot; the request must exist.
  const Request& RequestAt(const RequestId& id) const { return slots_.at(id).request; }

  SpinThenBlockMutex mu_;
  std::atomic<uint64_t> outbox_version_{0};  // OutboxVersion(); raised under mu_
  std::map<std::pair<std::string, int>, StoredDefinition> definitions_;
  // Each request with what is kept of it, found with one lookup per step (a hash of the id; the
  // ordered map walked a string comparison per level of its tree), and in id order for the
  // lists' pagination (by_id_'s keys view slots_' keys, whose nodes never move).
  HistoryArena arena_;  // the slots' history entries, packed (under mu_; freed after the slots)
  std::unordered_map<RequestId, Slot> slots_;
  std::map<std::string_view, Slot*, std::less<>> by_id_;
  // (due_at, request id) of every running deadline: the overdue list reads only what is due.
  // A multiset: two clocks of one request may be due at the same time.
  std::multiset<std::pair<TimePoint, RequestId>> running_by_due_;
  // The id of a request once per lapsed clock it carries (CONTRACT §7: lapsed clocks are
  // overdue), under each combination of its workflow, state and phase (LapsedKey).
  std::map<LapsedKey, std::multiset<RequestId>> lapsed_;
  std::map<std::string, std::set<RequestId>> by_party_;  // authority -> requests, by id
  std::map<std::pair<RequestId, std::string>, DeadlineLease> leases_;
  std::map<std::pair<std::string, std::string>, IdempotencyRecord> idempotency_;
  std::map<std::string, Subscription> subscriptions_;
  std::map<std::string, StoredDelivery> deliveries_;
  uint64_t next_delivery_ = 0;
  std::unique_ptr<StatsRecord> stats_scratch_;  // ApplyStats' record being built (under mu_)
  StatsStateMove stats_was_;  // what ApplyStats' step in place moved from (under mu_)
  StatsCounters stats_counters_;
};

}  // namespace

std::unique_ptr<Store> NewMemoryStore() { return std::make_unique<MemoryStore>(); }

}  // namespace rogatory
