#include "apply_writer.h"

#include <optional>
#include <string_view>
#include <unordered_map>

#include "connection.h"

namespace rogatory::store_internal {

using soci::into;
using soci::use;

namespace {

void BindHistory(soci::statement& st, HistoryRow& h) {
  st.exchange(use(h.request_id));
  st.exchange(use(h.seq));
  st.exchange(use(h.event));
  st.exchange(use(h.from_state));
  st.exchange(use(h.to_state));
  st.exchange(use(h.actor));
  st.exchange(use(h.at));
  st.exchange(use(h.data));
  st.exchange(use(h.comment));
  st.exchange(use(h.prev_hash));
  st.exchange(use(h.hash));
  st.exchange(use(h.authority));
}

// SQLite: each row with its rowid and the rowid of the row before it (history_links.h).
void BindHistoryWithLinks(soci::statement& st, HistoryRow& h) {
  BindHistory(st, h);
  st.exchange(use(h.rowid));
  st.exchange(use(h.prev_rowid));
}

void BindOutbox(soci::statement& st, OutboxRow& o) {
  st.exchange(use(o.subscription_id));
  st.exchange(use(o.request_id));
  st.exchange(use(o.revision));
  st.exchange(use(o.type));
  st.exchange(use(o.payload));
  st.exchange(use(o.at));  // next_attempt_at
  st.exchange(use(o.at));  // created_at
}

// The clock named `name` in `deadlines`, or null.
const DeadlineState* FindClock(const std::vector<DeadlineState>& deadlines,
                               const std::string& name) {
  for (const DeadlineState& d : deadlines) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

// True when the step leaves the request in its state and phase (the history says where it was;
// a migration to another version may put the same state name in another phase). A request
// never changes workflow.
bool StaysInState(const Mutation& m) {
  return m.history.from_state == m.request.state && m.history.to_state == m.request.state &&
         m.history.event != "migrate";
}

}  // namespace

ApplyWriter::ApplyWriter(soci::session& sql, const Dialect& d, size_t last_writes,
                         KeptTally* kept_tally)
    : dialect_(d),
      sql_(sql),
      begin_(sql),
      commit_(sql),
      rollback_(sql),
      savepoint_(sql),
      release_(sql),
      rollback_to_(sql),
      insert_request_(sql),
      update_request_(sql),
      update_request_same_state_(sql),
      select_revision_(sql),
      insert_idempotency_(sql),
      upsert_deadline_(sql),
      delete_stale_deadlines_(sql),
      delete_deadline_(sql),
      select_subscriptions_(sql),
      select_last_history_rowid_(sql),
      select_history_head_(sql),
      update_parties_(sql),
      delete_party_rows_(sql),
      insert_party_row_(sql),
      history_rows_(sql,
                    std::string("INSERT INTO history (") + kHistoryColumns +
                        (d.sqlite() ? ", hid, prev_rowid) VALUES " : ") VALUES "),
                    d.sqlite() ? "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                               : "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    d.sqlite() ? BindHistoryWithLinks : BindHistory),
      outbox_rows_(sql,
                   "INSERT INTO outbox (subscription_id, request_id, revision, event_type, "
                   "payload, status, attempts, last_error, next_attempt_at, created_at) VALUES ",
                   "(?, ?, ?, ?, ?, 'pending', 0, '', ?, ?)", BindOutbox),
      bulk_update_(sql),
      last_writes_(d.sqlite() ? last_writes : 0, kept_tally),
      stats_(sql, d, &last_writes_) {
  Prepare(begin_, d.BeginWrite());
  Prepare(commit_, "COMMIT");
  Prepare(rollback_, "ROLLBACK");
  Prepare(savepoint_, "SAVEPOINT mutation");
  Prepare(release_, "RELEASE SAVEPOINT mutation");
  Prepare(rollback_to_, "ROLLBACK TO SAVEPOINT mutation");

  RequestRow& r = request_;
  // A new request: ON CONFLICT keeps an id clash a refusal (0 rows), not an aborted transaction.
  // SQLite (schema 12) also makes the step's history row the request's last (history_links.h).
  auto prepare_insert = [&](const char* head_column, const char* head_value, auto... head) {
    Prepare(insert_request_,
            std::string("INSERT INTO requests (id, workflow, version, state, phase, revision, "
                        "data, refs, deadlines, created_at, updated_at, head_hash, parties") +
                head_column +
                ") VALUES (:id, :workflow, :version, :state, :phase, :revision, :data, :refs, "
                ":deadlines, :created_at, :updated_at, :head_hash, :parties" +
                head_value + ") ON CONFLICT (id) DO NOTHING",
            use(r.id), use(r.workflow), use(r.version), use(r.state), use(r.phase), use(r.revision),
            use(r.data), use(r.refs), use(r.deadlines), use(r.created_at), use(r.updated_at),
            use(r.head_hash), use(r.parties), head...);
  };
  if (d.sqlite()) {
    prepare_insert(", history_head", ", :history_rowid", use(history_rowid_));
  } else {
    prepare_insert("", "");
  }
  // Optimistic concurrency: the update happens only if nobody moved the request meanwhile.
  // A request never changes workflow (a migration changes its version), so the workflow index
  // is left alone.
  // SQLite (schema 12) also makes the step's history row the request's last.
  auto prepare_update = [&](soci::statement& st, const std::string& set, auto... exchanges) {
    const std::string where = " WHERE id = :id AND revision = :expected";
    if (d.sqlite()) {
      Prepare(st, "UPDATE requests SET " + set + ", history_head = :history_rowid" + where,
              exchanges..., use(history_rowid_), use(r.id), use(expected_revision_));
    } else {
      Prepare(st, "UPDATE requests SET " + set + where, exchanges..., use(r.id),
              use(expected_revision_));
    }
  };
  prepare_update(update_request_,
                 "version = :version, state = :state, phase = :phase, revision = :revision, "
                 "data = :data, refs = :refs, deadlines = :deadlines, updated_at = :updated_at, "
                 "head_hash = :head_hash",
                 use(r.version), use(r.state), use(r.phase), use(r.revision), use(r.data),
                 use(r.refs), use(r.deadlines), use(r.updated_at), use(r.head_hash));
  // A step that stays in its state (a note, an escalation, a lapse) leaves the state and phase
  // columns, and so their indexes' pages, untouched: one page write less each.
  prepare_update(update_request_same_state_,
                 "version = :version, revision = :revision, data = :data, refs = :refs, "
                 "deadlines = :deadlines, updated_at = :updated_at, head_hash = :head_hash",
                 use(r.version), use(r.revision), use(r.data), use(r.refs), use(r.deadlines),
                 use(r.updated_at), use(r.head_hash));
  if (d.sqlite()) {
    // The last row of the table's b-tree, one descent (a MAX(rowid) wrapped in another
    // function would scan the whole table instead).
    Prepare(select_last_history_rowid_, "SELECT rowid FROM history ORDER BY rowid DESC LIMIT 1",
            into(last_history_rowid_));
    Prepare(select_history_head_, "SELECT history_head FROM requests WHERE id = :id",
            into(prev_rowid_), use(r.id));
  }
  Prepare(select_revision_, "SELECT revision FROM requests WHERE id = :id",
          into(stored_revision_, stored_revision_ind_), use(r.id));
  Prepare(insert_idempotency_,
          "INSERT INTO idempotency (actor, idem_key, fingerprint, response, created_at) "
          "VALUES (:actor, :key, :fingerprint, :response, :created_at) "
          "ON CONFLICT (actor, idem_key) DO NOTHING",
          use(idem_actor_), use(idem_key_), use(idem_fingerprint_), use(idem_response_),
          use(idem_created_at_));
  // CONTRACT §8: a step that set parties (rare: creation, an assigning transition) rewrites
  // the request's rows of the party index; every other step leaves them alone.
  Prepare(update_parties_, "UPDATE requests SET parties = :parties WHERE id = :id", use(r.parties),
          use(r.id));
  Prepare(delete_party_rows_, "DELETE FROM request_parties WHERE request_id = :id", use(r.id));
  Prepare(insert_party_row_,
          "INSERT INTO request_parties (authority, request_id) VALUES (:authority, :id) "
          "ON CONFLICT (authority, request_id) DO NOTHING",
          use(party_authority_), use(r.id));
  // A deadline whose due time and pause state are unchanged keeps its claim; one that was
  // restarted, extended, paused or resumed is claimable afresh (a lapsed one never is). A step
  // upserts the rows of the clocks it changed, and all of them when it moves the request, so
  // the copies of its workflow, state and phase (schema 8: the overdue list's indexes) follow
  // each transition and migration. `rev` is the revision that last wrote the row.
  Prepare(upsert_deadline_,
          "INSERT INTO deadlines (request_id, name, started_at, due_at, paused, remaining, "
          "extended, lapsed, lapsed_at, rev, workflow, state, phase) VALUES (:request_id, :name, "
          ":started_at, :due_at, :paused, :remaining, :extended, :lapsed, :lapsed_at, :rev, "
          ":workflow, :state, :phase) ON CONFLICT (request_id, "
          "name) DO UPDATE SET started_at = excluded.started_at, due_at = excluded.due_at, "
          "paused = excluded.paused, remaining = excluded.remaining, "
          "extended = excluded.extended, lapsed = excluded.lapsed, "
          "lapsed_at = excluded.lapsed_at, rev = excluded.rev, workflow = excluded.workflow, "
          "state = excluded.state, phase = excluded.phase, "
          "claimed_by = CASE WHEN deadlines.due_at = excluded.due_at AND "
          "deadlines.paused = excluded.paused THEN deadlines.claimed_by END, "
          "claimed_until = CASE WHEN deadlines.due_at = excluded.due_at AND "
          "deadlines.paused = excluded.paused THEN deadlines.claimed_until END",
          use(r.id), use(deadline_name_), use(deadline_started_at_), use(deadline_due_at_),
          use(deadline_paused_), use(deadline_remaining_), use(deadline_extended_),
          use(deadline_lapsed_), use(deadline_lapsed_at_), use(r.revision), use(r.workflow),
          use(r.state), use(r.phase));
  // A mutation without its clocks before rewrites every row: those it did not write are the
  // deadlines it stopped.
  Prepare(delete_stale_deadlines_,
          "DELETE FROM deadlines WHERE request_id = :request_id AND rev <> :rev", use(r.id),
          use(r.revision));
  // With them, the deadlines it stopped are deleted by name.
  Prepare(delete_deadline_, "DELETE FROM deadlines WHERE request_id = :request_id AND name = :name",
          use(r.id), use(deadline_name_));
  Prepare(select_subscriptions_,
          "SELECT id, events, workflows, authority FROM subscriptions WHERE active = 1 "
          "ORDER BY id",
          into(sub_id_), into(sub_events_), into(sub_workflows_), into(sub_authority_));
}

std::vector<ActiveSubscription> ApplyWriter::LoadSubscriptions() {
  std::vector<ActiveSubscription> out;
  select_subscriptions_.execute();
  while (select_subscriptions_.fetch()) {
    ActiveSubscription s;
    s.id = sub_id_;
    s.filter.events = StringListFromJson(sub_events_);
    s.filter.workflows = StringListFromJson(sub_workflows_);
    s.filter.active = true;
    s.filter.authority = sub_authority_;
    out.push_back(std::move(s));
  }
  FinishRead(dialect_, select_subscriptions_);
  return out;
}

Status ApplyWriter::Write(const Mutation& m, const std::vector<ActiveSubscription>& subscriptions,
                          bool* dirty) {
  *dirty = false;
  if (m.history.request_id != m.request.id || m.history.seq != m.request.revision) {
    return InternalError("store: mutation of request " + m.request.id +
                         " is inconsistent (history seq must equal the new revision)");
  }
  // SQLite: the rowid the history row gets, which its request row then names. Rowids given to
  // rows later rolled back to a savepoint stay unused.
  history_rowid_ = ++last_history_rowid_;
  prev_rowid_ = 0;
  if (auto bulk = bulk_written_.find(&m); bulk != bulk_written_.end()) {
    request_ = std::move(bulk->second);  // what the party and deadline statements read
  } else {
    ROGATORY_RETURN_IF_ERROR(WriteRequest(m));
  }
  *dirty = true;
  if (m.idempotency) {
    idem_actor_ = m.idempotency->actor;
    idem_key_ = m.idempotency->key;
    idem_fingerprint_ = m.idempotency->fingerprint;
    idem_response_ = m.idempotency->response;
    idem_created_at_ = ToUnixMicros(m.idempotency->created_at);
    insert_idempotency_.execute(true);
    if (insert_idempotency_.get_affected_rows() == 0) {
      return AlreadyExistsError("idempotency key already used");
    }
  }
  HistoryRow& history = history_rows_.Add();
  ToRow(m.history, &history);
  history.rowid = history_rowid_;
  history.prev_rowid = prev_rowid_;
  if (m.parties_changed) WriteParties(m);
  WriteDeadlines(m);
  WriteOutbox(m, subscriptions);
  if (!defer_rows_) FlushRows();
  return stats_.Write(m);
}

void ApplyWriter::UpdateRequestsInBulk(const std::vector<const Mutation*>& batch) {
  bulk_written_.clear();
  if (!dialect_.postgres() || batch.size() < 2) return;
  std::unordered_map<std::string_view, int> steps_of;
  for (const Mutation* m : batch) ++steps_of[m->request.id];
  // All or none: the batch writes its requests in id order (SqlStore::RunBatch), and a step
  // left to its own UPDATE would lock its row after the bulk's, out of that order. Creations
  // insert new rows and lock nothing another batch waits for.
  std::vector<const Mutation*> steps;
  for (const Mutation* m : batch) {
    if (m->expected_revision == 0) continue;
    if (m->idempotency || steps_of[m->request.id] != 1 || m->history.request_id != m->request.id ||
        m->history.seq != m->request.revision) {
      return;
    }
    steps.push_back(m);
  }
  if (steps.size() < 2) return;
  std::vector<BulkRequestUpdate::Updated> updated;
  bulk_update_.Run(steps, &updated);
  for (BulkRequestUpdate::Updated& u : updated) bulk_written_.emplace(u.step, std::move(u.row));
}

Status ApplyWriter::WriteRequest(const Mutation& m) {
  ToRow(m.request, &request_);
  if (m.expected_revision == 0) {
    insert_request_.execute(true);
    if (insert_request_.get_affected_rows() == 0) {
      return AlreadyExistsError("request " + m.request.id + " exists");
    }
    if (dialect_.sqlite()) last_writes_.Update(m.request.id).history_head = history_rowid_;
    return OkStatus();
  }
  expected_revision_ = m.expected_revision;
  if (dialect_.sqlite()) {
    // The row the step's history row follows: the request's last until this step, as this
    // writer last wrote it or read from the database.
    if (std::optional<long long> head = last_writes_.HistoryHead(m.request.id)) {
      prev_rowid_ = *head;
    } else {
      select_history_head_.execute(true);
      FinishRead(dialect_, select_history_head_);
    }
  }
  // The history says where the request was: same state before and after, and not a migration
  // to another version (where the same state name may sit in another phase).
  soci::statement& update = StaysInState(m) ? update_request_same_state_ : update_request_;
  update.execute(true);
  if (update.get_affected_rows() == 1) {
    if (dialect_.sqlite()) last_writes_.Update(m.request.id).history_head = history_rowid_;
    return OkStatus();
  }
  // Refused: say why (the failure path only).
  stored_revision_ind_ = soci::i_null;
  const bool found = select_revision_.execute(true) && stored_revision_ind_ == soci::i_ok;
  FinishRead(dialect_, select_revision_);
  if (!found) return NotFoundError("request " + m.request.id + " not found");
  return AbortedError("request " + m.request.id + " is at revision " +
                      std::to_string(stored_revision_) + ", not " +
                      std::to_string(m.expected_revision));
}

void ApplyWriter::WriteParties(const Mutation& m) {
  if (m.expected_revision != 0) {
    update_parties_.execute(true);
    delete_party_rows_.execute(true);
  }
  for (const auto& [side, authority] : m.request.parties) {
    party_authority_ = authority;
    insert_party_row_.execute(true);
  }
}

void ApplyWriter::WriteDeadlines(const Mutation& m) {
  // Issue 16: rewriting an unchanged row of a lapsed clock rewrote its entries in six indexes
  // at every step. With the clocks before the step, a row is skipped when its clock and the
  // request's place (workflow, state, phase) are as before.
  const std::vector<DeadlineState>* before =
      m.expected_revision != 0 && m.deadlines_before ? &*m.deadlines_before : nullptr;
  const bool stays = before != nullptr && StaysInState(m);
  for (const DeadlineState& d : m.request.deadlines) {
    if (stays) {
      const DeadlineState* old = FindClock(*before, d.name);
      if (old != nullptr && *old == d) continue;
    }
    deadline_name_ = d.name;
    deadline_started_at_ = ToUnixMicros(d.started_at);
    deadline_due_at_ = ToUnixMicros(d.due_at);
    deadline_paused_ = d.paused ? 1 : 0;
    deadline_remaining_ = d.remaining.count();
    deadline_extended_ = d.extended ? 1 : 0;
    deadline_lapsed_ = d.lapsed ? 1 : 0;
    deadline_lapsed_at_ = d.lapsed ? ToUnixMicros(d.lapsed_at) : 0;
    upsert_deadline_.execute(true);
  }
  // A new request has no older rows to remove.
  if (m.expected_revision == 0) return;
  if (before == nullptr) {
    delete_stale_deadlines_.execute(true);
    return;
  }
  for (const DeadlineState& d : *before) {
    if (FindClock(m.request.deadlines, d.name) != nullptr) continue;
    deadline_name_ = d.name;
    delete_deadline_.execute(true);
  }
}

void ApplyWriter::WriteOutbox(const Mutation& m,
                              const std::vector<ActiveSubscription>& subscriptions) {
  if (subscriptions.empty() || !m.Notifies()) return;
  // The engine builds it for this store (BuildsNotifications is false); a caller that asks for
  // it on demand gets it built here.
  std::optional<Notification> built;
  const Notification& n = m.notification ? *m.notification : built.emplace(NotificationOf(m));
  for (const ActiveSubscription& s : subscriptions) {
    if (!s.filter.Receives(n, m.request)) continue;
    OutboxRow& o = outbox_rows_.Add();
    wrote_outbox_ = true;
    o.subscription_id = s.id;
    o.request_id = m.request.id;
    o.revision = m.request.revision;
    o.type = n.type;
    o.payload = n.Body();  // rendered once, only for a step somebody subscribed to
    o.at = ToUnixMicros(m.history.at);
  }
}

}  // namespace rogatory::store_internal
