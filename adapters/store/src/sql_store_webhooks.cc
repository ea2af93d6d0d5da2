// Webhook subscriptions and the outbox: claims for the dispatcher, attempts, listing, retry.
#include <soci/soci.h>

#include <algorithm>
#include <unordered_set>

#include "row_codec.h"
#include "sql_store_impl.h"

namespace rogatory::store_internal {
namespace {

using soci::into;
using soci::use;

void IntoSubscriptionRow(soci::statement& st, SubscriptionRow& r) {
  st.exchange(into(r.id));
  st.exchange(into(r.url));
  st.exchange(into(r.secret));
  st.exchange(into(r.events));
  st.exchange(into(r.workflows));
  st.exchange(into(r.active));
  st.exchange(into(r.created_at));
  st.exchange(into(r.authority));
}

void IntoDeliveryRow(soci::statement& st, DeliveryRow& r) {
  st.exchange(into(r.id));
  st.exchange(into(r.subscription_id));
  st.exchange(into(r.request_id));
  st.exchange(into(r.revision));
  st.exchange(into(r.type));
  st.exchange(into(r.payload));
  st.exchange(into(r.status));
  st.exchange(into(r.attempts));
  st.exchange(into(r.last_error));
  st.exchange(into(r.next_attempt_at));
  st.exchange(into(r.created_at));
}

// Marks every pending delivery of a subscription dead (it was deleted or disabled).
void KillPending(soci::session& sql, const std::string& subscription_id, const std::string& why) {
  sql << "UPDATE outbox SET status = 'dead', last_error = :why, claimed_by = NULL, "
         "claimed_until = NULL WHERE subscription_id = :id AND status = 'pending'",
      use(why), use(subscription_id);
}

Status UnknownDelivery(const std::string& id) {
  return NotFoundError("delivery " + id + " not found");
}

// How many heads a claim may take from `subscription`, `taken` already taken by this claim.
int Room(const ClaimLimit& limit, const std::string& subscription, size_t taken) {
  if (limit.per_subscription <= 0) return limit.total;
  const auto held = limit.held.find(subscription);
  const int room = limit.per_subscription - (held == limit.held.end() ? 0 : held->second);
  return std::min(room, limit.total - static_cast<int>(taken));
}

// PostgreSQL: each pending row is checked for an older pending one of its request through the
// index of pending rows by (subscription, request) (outbox_pending_order), in the server; rows
// another node is claiming are skipped (SKIP LOCKED). Appends the heads to `out`.
Status TakeHeadsByQuery(Connection& c, long long now_us, const ClaimLimit& limit,
                        const std::vector<std::string>& subscriptions, std::vector<Delivery>* out) {
  const std::string heads =
      "SELECT o.id, o.subscription_id, o.request_id, o.revision, o.event_type, o.payload, "
      "o.status, o.attempts, o.last_error, o.next_attempt_at, o.created_at FROM outbox o "
      "WHERE o.status = 'pending' AND o.next_attempt_at <= :now AND "
      "(o.claimed_until IS NULL OR o.claimed_until <= :now2) AND NOT EXISTS (SELECT 1 "
      "FROM outbox p WHERE p.subscription_id = o.subscription_id AND "
      "p.request_id = o.request_id AND p.status = 'pending' AND p.id < o.id) ";
  // Appends up to `n` heads (of `subscription` only, unless empty) to `out`.
  auto take = [&](const std::string& subscription, int n) -> Status {
    DeliveryRow r;
    soci::statement select(c.sql());
    IntoDeliveryRow(select, r);
    std::string sub = subscription;
    if (subscription.empty()) {
      Prepare(select, heads + "ORDER BY o.id LIMIT :limit" + c.dialect().SkipLocked("o"),
              use(now_us), use(now_us), use(n));
    } else {
      Prepare(select,
              heads + "AND o.subscription_id = :sub ORDER BY o.id LIMIT :limit" +
                  c.dialect().SkipLocked("o"),
              use(now_us), use(now_us), use(sub), use(n));
    }
    Status damaged;
    select.execute();
    while (select.fetch()) {
      Result<Delivery> d = FromRow(r);
      if (!d.ok()) {
        damaged = d.status();
        break;
      }
      out->push_back(std::move(d).value());
    }
    FinishRead(c.dialect(), select);
    return damaged;
  };
  if (limit.per_subscription <= 0) return take("", limit.total);
  for (const std::string& sub : subscriptions) {
    const int n = Room(limit, sub, out->size());
    if (n <= 0) continue;
    ROGATORY_RETURN_IF_ERROR(take(sub, n));
    if (static_cast<int>(out->size()) >= limit.total) break;
  }
  return OkStatus();
}

// SQLite (schema 10 drops outbox_pending_order there): a walk of each subscription's pending
// rows in id order meets each (subscription, request) pair's oldest first, so a row whose
// request it already met waits. In process, the walk costs less than the index probe per row
// did (BM_SqliteClaimBacklog), and a step no longer writes a page of that index. Appends the
// heads to `out`.
Status TakeHeadsByWalk(Connection& c, long long now_us, const ClaimLimit& limit,
                       const std::vector<std::string>& subscriptions, std::vector<Delivery>* out) {
  std::vector<long long> heads;
  {
    std::string sub, request_id;
    long long row = 0, next_at = 0, claimed_until = 0;
    soci::indicator claimed_ind = soci::i_null;
    soci::statement walk(c.sql());
    Prepare(walk,
            "SELECT id, request_id, next_attempt_at, claimed_until FROM outbox WHERE "
            "subscription_id = :sub AND status = 'pending' ORDER BY id",
            into(row), into(request_id), into(next_at), into(claimed_until, claimed_ind), use(sub));
    std::unordered_set<std::string> met;
    for (const std::string& s : subscriptions) {
      const int n = Room(limit, s, heads.size());
      if (n <= 0) continue;
      sub = s;
      met.clear();
      int found = 0;
      walk.execute();
      while (found < n && walk.fetch()) {
        if (!met.insert(request_id).second) continue;  // an older one waits
        if (next_at > now_us) continue;
        if (claimed_ind == soci::i_ok && claimed_until > now_us) continue;
        heads.push_back(row);
        ++found;
      }
      // Reset at once: a statement left on a row holds its read snapshot.
      FinishRead(c.dialect(), walk);
      if (limit.per_subscription > 0 && static_cast<int>(heads.size()) >= limit.total) break;
    }
  }
  if (limit.per_subscription <= 0) {
    // No cap per subscription: the oldest heads of all.
    std::sort(heads.begin(), heads.end());
    if (heads.size() > static_cast<size_t>(limit.total)) {
      heads.resize(static_cast<size_t>(limit.total));
    }
  }
  DeliveryRow r;
  long long head = 0;
  soci::statement select(c.sql());
  IntoDeliveryRow(select, r);
  Prepare(select, std::string("SELECT ") + kDeliveryColumns + " FROM outbox WHERE id = :id",
          use(head));
  for (long long id : heads) {
    head = id;
    const bool found = select.execute(true);
    FinishRead(c.dialect(), select);
    if (!found) continue;
    Result<Delivery> d = FromRow(r);
    if (!d.ok()) return d.status();
    out->push_back(std::move(d).value());
  }
  return OkStatus();
}

}  // namespace

Status SqlStore::CreateSubscription(const Subscription& s) {
  return WithConnection(WritePool(), "create subscription " + s.id, [&](Connection& c) -> Status {
    SubscriptionRow r;
    ToRow(s, &r);
    soci::statement insert(c.sql());
    Prepare(insert,
            "INSERT INTO subscriptions (id, url, secret, events, workflows, active, created_at, "
            "authority) VALUES (:id, :url, :secret, :events, :workflows, :active, :created_at, "
            ":authority) ON CONFLICT (id) DO NOTHING",
            use(r.id), use(r.url), use(r.secret), use(r.events), use(r.workflows), use(r.active),
            use(r.created_at), use(r.authority));
    insert.execute(true);
    if (insert.get_affected_rows() == 0) {
      return AlreadyExistsError("subscription " + s.id + " exists");
    }
    return OkStatus();
  });
}

Result<Subscription> SqlStore::GetSubscription(const std::string& id) {
  return WithConnection(
      ReadPool(), "get subscription " + id, [&](Connection& c) -> Result<Subscription> {
        SubscriptionRow r;
        soci::statement select(c.sql());
        IntoSubscriptionRow(select, r);
        Prepare(
            select,
            std::string("SELECT ") + kSubscriptionColumns + " FROM subscriptions WHERE id = :id",
            use(id));
        const bool found = select.execute(true);
        FinishRead(c.dialect(), select);
        if (!found) return NotFoundError("subscription " + id + " not found");
        return FromRow(r);
      });
}

Result<std::vector<Subscription>> SqlStore::ListSubscriptions() {
  return WithConnection(
      ReadPool(), "list subscriptions", [&](Connection& c) -> Result<std::vector<Subscription>> {
        SubscriptionRow r;
        soci::statement select(c.sql());
        IntoSubscriptionRow(select, r);
        Prepare(select,
                std::string("SELECT ") + kSubscriptionColumns + " FROM subscriptions ORDER BY id");
        std::vector<Subscription> out;
        Status damaged;
        select.execute();
        while (select.fetch()) {
          Result<Subscription> s = FromRow(r);
          if (!s.ok()) {
            damaged = s.status();
            break;
          }
          out.push_back(std::move(s).value());
        }
        FinishRead(c.dialect(), select);
        if (!damaged.ok()) return damaged;
        return out;
      });
}

Status SqlStore::DeleteSubscription(const std::string& id) {
  return WithConnection(WritePool(), "delete subscription " + id, [&](Connection& c) -> Status {
    WriteTransaction tx(c, KeptRows::kUntouched);
    soci::statement remove(c.sql());
    Prepare(remove, "DELETE FROM subscriptions WHERE id = :id", use(id));
    remove.execute(true);
    if (remove.get_affected_rows() == 0) return NotFoundError("subscription " + id + " not found");
    KillPending(c.sql(), id, "subscription deleted");
    tx.Commit();
    return OkStatus();
  });
}

Status SqlStore::SetSubscriptionActive(const std::string& id, bool active) {
  return WithConnection(
      WritePool(), "set subscription " + id + " active", [&](Connection& c) -> Status {
        WriteTransaction tx(c, KeptRows::kUntouched);
        const int flag = active ? 1 : 0;
        soci::statement update(c.sql());
        Prepare(update, "UPDATE subscriptions SET active = :active WHERE id = :id", use(flag),
                use(id));
        update.execute(true);
        if (update.get_affected_rows() == 0) {
          return NotFoundError("subscription " + id + " not found");
        }
        if (!active) KillPending(c.sql(), id, "subscription disabled");
        tx.Commit();
        return OkStatus();
      });
}

Result<std::vector<Delivery>> SqlStore::ClaimDeliveries(TimePoint now, const std::string& owner,
                                                        Duration lease, const ClaimLimit& limit) {
  if (limit.total <= 0) return std::vector<Delivery>();
  return WithConnection(
      WritePool(), "claim deliveries", [&](Connection& c) -> Result<std::vector<Delivery>> {
        const long long now_us = ToUnixMicros(now);
        const long long until_us = ToUnixMicros(now + lease);
        WriteTransaction tx(c, KeptRows::kUntouched);
        std::vector<Delivery> out;
        // The subscriptions to claim from, starting at a different one each time so that a
        // claim too small for all of them is shared out in turn.
        std::vector<std::string> subscriptions;
        {
          std::string id;
          soci::statement list(c.sql());
          Prepare(list, "SELECT id FROM subscriptions ORDER BY id", into(id));
          list.execute();
          while (list.fetch()) subscriptions.push_back(id);
          FinishRead(c.dialect(), list);
        }
        if (limit.per_subscription > 0 && !subscriptions.empty()) {
          std::rotate(subscriptions.begin(),
                      subscriptions.begin() +
                          static_cast<long>(claim_turn_.fetch_add(1) % subscriptions.size()),
                      subscriptions.end());
        }
        // Only the oldest pending delivery of each (subscription, request) pair may go, and only
        // when it is due and no live lease holds it: one request's events reach one
        // subscription in order, even across nodes.
        const Status taken = c.dialect().postgres()
                                 ? TakeHeadsByQuery(c, now_us, limit, subscriptions, &out)
                                 : TakeHeadsByWalk(c, now_us, limit, subscriptions, &out);
        if (!taken.ok()) return taken;
        if (out.empty()) return out;
        long long row_id = 0;
        soci::statement claim(c.sql());
        Prepare(claim,
                "UPDATE outbox SET claimed_by = :owner, claimed_until = :until WHERE id = :id",
                use(owner), use(until_us), use(row_id));
        for (const Delivery& d : out) {
          row_id = ParseDeliveryId(d.id);
          claim.execute(true);
        }
        tx.Commit();
        return out;
      });
}

Status SqlStore::RecordDeliveryAttempt(const DeliveryAttempt& a) {
  const long long id = ParseDeliveryId(a.delivery_id);
  if (id < 0) return UnknownDelivery(a.delivery_id);
  return WithConnection(
      WritePool(), "record attempt of delivery " + a.delivery_id, [&](Connection& c) -> Status {
        WriteTransaction tx(c, KeptRows::kUntouched);
        std::string subscription_id, claimed_by;
        soci::indicator claimed_ind = soci::i_null;
        soci::statement select(c.sql());
        Prepare(select,
                std::string("SELECT subscription_id, claimed_by FROM outbox WHERE id = :id") +
                    c.dialect().ForUpdate(),
                into(subscription_id), into(claimed_by, claimed_ind), use(id));
        const bool found = select.execute(true);
        FinishRead(c.dialect(), select);
        if (!found) return UnknownDelivery(a.delivery_id);
        if (claimed_ind != soci::i_ok || claimed_by != a.owner) {
          return FailedPreconditionError("delivery " + a.delivery_id + " is not claimed by " +
                                         a.owner);
        }
        const std::string status = DeliveryStatusName(a.status);
        const long long next_us = ToUnixMicros(a.next_attempt_at);
        const int retry = a.status == DeliveryStatus::kPending ? 1 : 0;
        // The next attempt time matters only for a retry; a final status keeps the last one.
        c.sql()
            << "UPDATE outbox SET attempts = attempts + 1, status = :status, "
               "last_error = :error, next_attempt_at = CASE WHEN :retry = 1 THEN :next "
               "ELSE next_attempt_at END, claimed_by = NULL, claimed_until = NULL WHERE id = :id",
            use(status), use(a.error), use(retry), use(next_us), use(id);
        if (a.disable_subscription) {
          c.sql() << "UPDATE subscriptions SET active = 0 WHERE id = :id", use(subscription_id);
          KillPending(c.sql(), subscription_id, "subscription disabled (410 Gone)");
        }
        tx.Commit();
        return OkStatus();
      });
}

Result<Delivery> SqlStore::GetDelivery(const std::string& id) {
  const long long n = ParseDeliveryId(id);
  if (n < 0) return UnknownDelivery(id);
  return WithConnection(ReadPool(), "get delivery " + id, [&](Connection& c) -> Result<Delivery> {
    DeliveryRow r;
    soci::statement select(c.sql());
    IntoDeliveryRow(select, r);
    Prepare(select, std::string("SELECT ") + kDeliveryColumns + " FROM outbox WHERE id = :id",
            use(n));
    const bool found = select.execute(true);
    FinishRead(c.dialect(), select);
    if (!found) return UnknownDelivery(id);
    return FromRow(r);
  });
}

Result<DeliveryPage> SqlStore::ListDeliveries(const DeliveryQuery& q) {
  long long after = 0;
  if (!q.after.empty()) {
    after = ParseDeliveryId(q.after);
    if (after < 0) return InvalidArgumentError("malformed page cursor");
  }
  return WithConnection(ReadPool(), "list deliveries", [&](Connection& c) -> Result<DeliveryPage> {
    const int limit = std::clamp(q.limit, 1, 1000);
    const int fetch = limit + 1;  // one more tells whether there is a next page
    const std::string status = q.status ? DeliveryStatusName(*q.status) : "";
    DeliveryRow r;
    soci::statement select(c.sql());
    IntoDeliveryRow(select, r);
    std::string sql = std::string("SELECT ") + kDeliveryColumns + " FROM outbox WHERE id > :after";
    select.exchange(use(after));
    if (q.status) {
      // A literal (one of three fixed names), so the partial indexes on status can serve it.
      sql += std::string(" AND status = '") + status + "'";
    }
    if (!q.subscription_id.empty()) {
      sql += " AND subscription_id = :subscription_id";
      select.exchange(use(q.subscription_id));
    }
    if (!q.authority.empty()) {
      // An authority's admin: the rows of its own (existing) subscriptions only.
      sql += " AND subscription_id IN (SELECT id FROM subscriptions WHERE authority = :authority)";
      select.exchange(use(q.authority));
    }
    sql += " ORDER BY id LIMIT :limit";
    select.exchange(use(fetch));
    Prepare(select, sql);
    DeliveryPage page;
    Status damaged;
    select.execute();
    while (select.fetch()) {
      if (page.items.size() == static_cast<size_t>(limit)) {
        page.next = page.items.back().id;
        break;
      }
      Result<Delivery> d = FromRow(r);
      if (!d.ok()) {
        damaged = d.status();
        break;
      }
      page.items.push_back(std::move(d).value());
    }
    FinishRead(c.dialect(), select);
    if (!damaged.ok()) return damaged;
    return page;
  });
}

Status SqlStore::RetryDelivery(const std::string& id, TimePoint now) {
  const long long n = ParseDeliveryId(id);
  if (n < 0) return UnknownDelivery(id);
  return WithConnection(WritePool(), "retry delivery " + id, [&](Connection& c) -> Status {
    const long long now_us = ToUnixMicros(now);
    WriteTransaction tx(c, KeptRows::kUntouched);
    // The row locked (PostgreSQL; SQLite's write transaction holds the database), so no claim or
    // attempt can come between the check and the change.
    DeliveryRow r;
    std::string claimed_by;
    long long claimed_until = 0;
    soci::indicator claimed_ind = soci::i_null, until_ind = soci::i_null;
    soci::statement select(c.sql());
    IntoDeliveryRow(select, r);
    select.exchange(into(claimed_by, claimed_ind));
    select.exchange(into(claimed_until, until_ind));
    Prepare(select,
            std::string("SELECT ") + kDeliveryColumns +
                ", claimed_by, claimed_until FROM outbox WHERE id = :id" + c.dialect().ForUpdate(),
            use(n));
    const bool found = select.execute(true);
    FinishRead(c.dialect(), select);
    if (!found) return UnknownDelivery(id);
    ROGATORY_ASSIGN_OR_RETURN(Delivery d, FromRow(r));
    const bool claimed =
        claimed_ind == soci::i_ok && until_ind == soci::i_ok && claimed_until > now_us;
    // Read, not locked: locking it after the outbox row would order the locks against a 410's
    // (outbox row, then subscription, then its other pending rows) and could deadlock. A 410
    // committed in between is caught by the dispatcher, which dead-letters the rows of a
    // disabled subscription without sending them.
    int active = 0;
    soci::statement sub(c.sql());
    Prepare(sub, "SELECT active FROM subscriptions WHERE id = :id", into(active),
            use(d.subscription_id));
    const bool has_subscription = sub.execute(true);
    FinishRead(c.dialect(), sub);
    ROGATORY_RETURN_IF_ERROR(RetryRefusal(
        d, claimed, has_subscription ? std::optional<bool>(active != 0) : std::nullopt));
    c.sql() << "UPDATE outbox SET status = 'pending', next_attempt_at = :now, claimed_by = NULL, "
               "claimed_until = NULL WHERE id = :id",
        use(now_us), use(n);
    tx.Commit();
    outbox_version_.fetch_add(1, std::memory_order_release);
    return OkStatus();
  });
}

}  // namespace rogatory::store_internal
