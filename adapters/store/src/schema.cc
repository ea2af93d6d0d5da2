// Timestamps are int64 unix microseconds, JSON is stored as text and booleans as 0/1 integers,
// so one schema text serves both backends.
#include "schema.h"

#include <soci/soci.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <string>
#include <vector>

#include "rogatory/sql_store.h"

namespace rogatory::store_internal {
namespace {

// Version 1: DESIGN.md's data sketch. In the text, {key} is a text column that is compared and
// sorted (PostgreSQL: bytewise, whatever the locale, as SQLite and the memory store compare),
// {serial} an auto-numbered 64-bit primary key, and {keyed} the options of a table whose primary
// key is the table (SQLite: WITHOUT ROWID, one b-tree write per insert instead of two).
// clang-format off
const char* const kVersion1[] = {
    "CREATE TABLE definitions ("
    " workflow {key} NOT NULL, version INTEGER NOT NULL, source TEXT NOT NULL,"
    " loaded_at BIGINT NOT NULL, PRIMARY KEY (workflow, version)){keyed}",

    // `deadlines` mirrors the request's deadline rows as JSON, so a request reads back from one
    // row; the deadline rows serve the due and overdue queries and the claims.
    "CREATE TABLE requests ("
    " id {key} NOT NULL PRIMARY KEY, workflow {key} NOT NULL, version INTEGER NOT NULL,"
    " state {key} NOT NULL, phase {key} NOT NULL, revision BIGINT NOT NULL,"
    " data TEXT NOT NULL, refs TEXT NOT NULL, deadlines TEXT NOT NULL,"
    " created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, head_hash TEXT NOT NULL){keyed}",
    "CREATE INDEX requests_by_workflow ON requests (workflow, id)",
    "CREATE INDEX requests_by_state ON requests (state, id)",
    "CREATE INDEX requests_by_phase ON requests (phase, id)",

    // Written once, never updated: each hash covers the previous one (history.h).
    "CREATE TABLE history ("
    " request_id {key} NOT NULL, seq BIGINT NOT NULL, event TEXT NOT NULL,"
    " from_state TEXT NOT NULL, to_state TEXT NOT NULL, actor TEXT NOT NULL, at BIGINT NOT NULL,"
    " data TEXT NOT NULL, comment TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL,"
    " PRIMARY KEY (request_id, seq)){keyed}",

    // `rev`: the request revision that last wrote the row; a step that does not say its clocks
    // before (Mutation::deadlines_before) rewrites every row and deletes the rows it did not
    // write (the deadlines it stopped). claimed_by/claimed_until: a scheduler node's lease.
    "CREATE TABLE deadlines ("
    " request_id {key} NOT NULL, name {key} NOT NULL, started_at BIGINT NOT NULL,"
    " due_at BIGINT NOT NULL, paused INTEGER NOT NULL, remaining BIGINT NOT NULL,"
    " extended INTEGER NOT NULL, rev BIGINT NOT NULL, claimed_by TEXT, claimed_until BIGINT,"
    " PRIMARY KEY (request_id, name)){keyed}",
    "CREATE INDEX deadlines_running_due ON deadlines (due_at) WHERE paused = 0",

    "CREATE TABLE subscriptions ("
    " id {key} NOT NULL PRIMARY KEY, url TEXT NOT NULL, secret TEXT NOT NULL,"
    " events TEXT NOT NULL, workflows TEXT NOT NULL, active INTEGER NOT NULL,"
    " created_at BIGINT NOT NULL){keyed}",

    "CREATE TABLE outbox ("
    " id {serial}, subscription_id {key} NOT NULL, request_id {key} NOT NULL,"
    " revision BIGINT NOT NULL, event_type TEXT NOT NULL, payload TEXT NOT NULL,"
    " status TEXT NOT NULL, attempts INTEGER NOT NULL, last_error TEXT NOT NULL,"
    " next_attempt_at BIGINT NOT NULL, created_at BIGINT NOT NULL, claimed_by TEXT,"
    " claimed_until BIGINT)",
    // Every index here costs a page write per step (outbox rows are inserted pending), so only
    // what the dispatcher needs covers new rows: pending rows in id order (claims) and the
    // oldest pending row of each (subscription, request) pair (delivery order). Listing by
    // subscription has its own index; dead rows (the dead-letter list) a partial one that
    // insertion does not touch; delivered rows are listed by walking the primary key.
    "CREATE INDEX outbox_pending ON outbox (id) WHERE status = 'pending'",
    "CREATE INDEX outbox_pending_order ON outbox (subscription_id, request_id, id)"
    " WHERE status = 'pending'",
    "CREATE INDEX outbox_by_subscription ON outbox (subscription_id, id)",
    "CREATE INDEX outbox_dead ON outbox (id) WHERE status = 'dead'",

    "CREATE TABLE idempotency ("
    " actor {key} NOT NULL, idem_key {key} NOT NULL, fingerprint TEXT NOT NULL,"
    " response TEXT NOT NULL, created_at BIGINT NOT NULL, PRIMARY KEY (actor, idem_key)){keyed}",
};

// Version 2: each subscription's pending rows in id order, for claims that cap what one
// subscription may take (so that one subscription's backlog cannot starve the others). It
// replaces the index of all pending rows in id order, which only uncapped claims walked, so a
// step still writes as many index pages as before.
const char* const kVersion2[] = {
    "CREATE INDEX outbox_pending_subscription ON outbox (subscription_id, id)"
    " WHERE status = 'pending'",
    "DROP INDEX outbox_pending",
};

// Version 3: where each definition came from ("file:PATH", "api:ACTOR"), shown by
// GET /v1/workflows on every node (definitions are deployed through the API since issue 10).
const char* const kVersion3[] = {
    "ALTER TABLE definitions ADD COLUMN origin TEXT NOT NULL DEFAULT ''",
};

// Version 4 (CONTRACT §7): a lapsed clock stays on the request as a deadline row marked
// `lapsed`. The running-due index leaves lapsed rows out (the scheduler never claims them and
// the overdue gauge does not count them), and a partial index of the lapsed rows in request
// order lets the overdue list walk them.
const char* const kVersion4[] = {
    "ALTER TABLE deadlines ADD COLUMN lapsed INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE deadlines ADD COLUMN lapsed_at BIGINT NOT NULL DEFAULT 0",
    "DROP INDEX deadlines_running_due",
    "CREATE INDEX deadlines_running_due ON deadlines (due_at) WHERE paused = 0 AND lapsed = 0",
    "CREATE INDEX deadlines_lapsed ON deadlines (request_id) WHERE lapsed = 1",
};

// Version 5 (CONTRACT §8, authorities): each request's parties as JSON (read with the request),
// an index of them leading by authority so "the requests authority A is party to" is an index
// walk in id order, and each history entry's authority. Each subscription's authority: that of
// the admin who created it ('' for a global admin); such a subscription receives only events of
// requests that authority is a party to, and only that authority's admins manage it.
const char* const kVersion5[] = {
    "ALTER TABLE requests ADD COLUMN parties TEXT NOT NULL DEFAULT '{}'",
    "CREATE TABLE request_parties ("
    " authority {key} NOT NULL, request_id {key} NOT NULL,"
    " PRIMARY KEY (authority, request_id)){keyed}",
    "CREATE INDEX request_parties_by_request ON request_parties (request_id)",
    "ALTER TABLE history ADD COLUMN authority TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE subscriptions ADD COLUMN authority {key} NOT NULL DEFAULT ''",
};

// Version 6 (issue 16, a million requests): every list filter of GET /v1/requests is an index
// walk in id order. Two filters together get their own index (workflow and state, workflow and
// phase), where one filter's index alone walked every row of a state shared by several workflows
// to find the few of one. The two deadline indexes cover what the overdue list and the
// scheduler's claim read (request id, name, the lease), so a due or lapsed row is checked in the
// index without reading its table row (37,900 due clocks took 0.4-2 s through the table).
const char* const kVersion6[] = {
    "CREATE INDEX requests_by_workflow_state ON requests (workflow, state, id)",
    "CREATE INDEX requests_by_workflow_phase ON requests (workflow, phase, id)",
    "DROP INDEX deadlines_running_due",
    "CREATE INDEX deadlines_running_due ON deadlines"
    " (due_at, request_id, name, claimed_until, paused, lapsed) WHERE paused = 0 AND lapsed = 0",
    "DROP INDEX deadlines_lapsed",
    "CREATE INDEX deadlines_lapsed ON deadlines (request_id, lapsed) WHERE lapsed = 1",
};

// Version 7 (CONTRACT §9, statistics; docs/statistics.md): each request's statistics record
// and the counters, per scope ('' = every request, else a party authority), workflow, version
// and creation day, kept by each step's transaction. A database that already holds requests is
// marked stale: statistics are refused until `rogatory stats --rebuild` recomputes them from
// the histories (the migration itself cannot: it needs the workflow definitions).
const char* const kVersion7[] = {
    // workflow, version, day and lapsed repeat the record's, for the count of running clocks
    // past due (joined from the deadlines' running-due index without reading the records).
    "CREATE TABLE stats_requests ("
    " request_id {key} NOT NULL PRIMARY KEY, workflow {key} NOT NULL, version INTEGER NOT NULL,"
    " day {key} NOT NULL, lapsed INTEGER NOT NULL, record TEXT NOT NULL){keyed}",
    "CREATE TABLE stats_cells ("
    " scope {key} NOT NULL, workflow {key} NOT NULL, version INTEGER NOT NULL,"
    " day {key} NOT NULL, kind {key} NOT NULL, cell_key {key} NOT NULL, n BIGINT NOT NULL,"
    " PRIMARY KEY (scope, workflow, version, day, kind, cell_key)){keyed}",
    "CREATE TABLE stats_state (id INTEGER NOT NULL PRIMARY KEY, stale INTEGER NOT NULL)",
    "INSERT INTO stats_state (id, stale) SELECT 1, CASE WHEN EXISTS (SELECT 1 FROM requests) "
    "THEN 1 ELSE 0 END",
};

// Version 8 (issue 16, the overdue list at a million requests): each deadline row carries its
// request's workflow, state and phase (rewritten by every step, which upserts every deadline row
// of the request), so "overdue, in id order, under these filters" is a walk of one index on the
// deadline rows: a lapsed-clock index per list filter, in request id order (small: only lapsed
// rows, which a step rarely writes), and the running-due index covering the filter columns so
// that the few due clocks are checked there. The copies are filled from the requests before the
// indexes are built.
const char* const kVersion8[] = {
    "DROP INDEX deadlines_running_due",
    "ALTER TABLE deadlines ADD COLUMN workflow {key} NOT NULL DEFAULT ''",
    "ALTER TABLE deadlines ADD COLUMN state {key} NOT NULL DEFAULT ''",
    "ALTER TABLE deadlines ADD COLUMN phase {key} NOT NULL DEFAULT ''",
    "UPDATE deadlines SET workflow = requests.workflow, state = requests.state,"
    " phase = requests.phase FROM requests WHERE requests.id = deadlines.request_id",
    "CREATE INDEX deadlines_running_due ON deadlines"
    " (due_at, request_id, name, claimed_until, paused, lapsed, workflow, state, phase)"
    " WHERE paused = 0 AND lapsed = 0",
    "CREATE INDEX deadlines_lapsed_by_workflow ON deadlines (workflow, request_id, lapsed)"
    " WHERE lapsed = 1",
    "CREATE INDEX deadlines_lapsed_by_state ON deadlines (state, request_id, phase, lapsed)"
    " WHERE lapsed = 1",
    "CREATE INDEX deadlines_lapsed_by_phase ON deadlines (phase, request_id, lapsed)"
    " WHERE lapsed = 1",
    "CREATE INDEX deadlines_lapsed_by_workflow_state ON deadlines"
    " (workflow, state, request_id, phase, lapsed) WHERE lapsed = 1",
    "CREATE INDEX deadlines_lapsed_by_workflow_phase ON deadlines"
    " (workflow, phase, request_id, lapsed) WHERE lapsed = 1",
};

// Version 9 (issue 15, statistics at 1 M): the day counters rolled up per month, kept in the
// same transaction as the day counters, so a call sums whole months from here and only its
// partial months' days from stats_cells (at 1 M over a year, ~30 times fewer rows for an
// all-time call). Built from the day counters of a version-7 database. The month comes last in
// the key, so a call's sum per (workflow, version, kind, key) reads the rows in key order and
// needs no sort (at 1 M, sorting the 5,940 month rows cost more than reading them).
const char* const kVersion9[] = {
    "CREATE TABLE stats_months ("
    " scope {key} NOT NULL, workflow {key} NOT NULL, version INTEGER NOT NULL,"
    " kind {key} NOT NULL, cell_key {key} NOT NULL, month {key} NOT NULL, n BIGINT NOT NULL,"
    " PRIMARY KEY (scope, workflow, version, kind, cell_key, month)){keyed}",
    "INSERT INTO stats_months (scope, workflow, version, kind, cell_key, month, n)"
    " SELECT scope, workflow, version, kind, cell_key, SUBSTR(day, 1, 7), CAST(SUM(n) AS BIGINT)"
    " FROM stats_cells GROUP BY scope, workflow, version, kind, cell_key, SUBSTR(day, 1, 7)"
    " HAVING SUM(n) <> 0",
};

// Version 10 (issue 16 point 2), SQLite only: claims find each (subscription, request) pair's
// oldest pending delivery by walking the subscription's pending rows in id order
// (TakeHeadsByWalk in sql_store_webhooks.cc), so the index that answered it is dropped: it was
// the one index a step wrote at a random place (one leaf page per step; SQLite's own cost of a
// 16-step batch fell by a quarter without it, BM_RawSqliteBatch16). PostgreSQL keeps it: there
// the walk would bring every pending row to the client on every claim, and a step's cost is its
// round trips, not its pages.
const char* const kVersion10[] = {
    "DROP INDEX IF EXISTS outbox_pending_order",
};

// Version 11 (issue 16 point 2), SQLite only: the history becomes a rowid table, each row
// appended at the end in insertion order, its (request_id, seq) key a separate unique index.
// Clustered by request (WITHOUT ROWID) each step wrote whole history rows into a random leaf
// page; now it writes the last table page and one small index entry (16 callers: 1.10-1.20x
// the steps per second, store 15% smaller; docs/performance.md, session 18). A request's
// history is still one index range plus a row lookup per entry, and `audit verify` reads the
// table front to back in one pass (audit_one_pass.cc) instead of in key order. Every row is
// copied once on upgrade. PostgreSQL's tables already are heaps in insertion order.
const char* const kVersion11[] = {
    "CREATE TABLE history_in_insertion_order ("
    " request_id {key} NOT NULL, seq BIGINT NOT NULL, event TEXT NOT NULL,"
    " from_state TEXT NOT NULL, to_state TEXT NOT NULL, actor TEXT NOT NULL, at BIGINT NOT NULL,"
    " data TEXT NOT NULL, comment TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL,"
    " authority TEXT NOT NULL DEFAULT '', PRIMARY KEY (request_id, seq))",
    "INSERT INTO history_in_insertion_order (request_id, seq, event, from_state, to_state, actor,"
    " at, data, comment, prev_hash, hash, authority)"
    " SELECT request_id, seq, event, from_state, to_state, actor, at, data, comment, prev_hash,"
    " hash, authority FROM history",
    "DROP TABLE history",
    "ALTER TABLE history_in_insertion_order RENAME TO history",
};

// Version 12 (issue 16 point 2), SQLite only: the history loses its (request_id, seq) index.
// The index put one random page into every step's commit, beside the request's own page. Now
// each request row names its last history row (`history_head`) and each history row the one
// before it (`prev_rowid`), so a step writes only its own row and its request's (which it
// rewrites anyway); a history read walks back from the head, one rowid lookup per entry
// (history_links.h). The rowid is a column (`hid INTEGER PRIMARY KEY`) so that VACUUM keeps
// it, as the links need. The table is copied once more in rowid order, keeping every rowid,
// each row's link looked up in the old table's key index as it is copied, and each request's
// head the same way before that index goes with its table (one write of each row, no index
// built). PostgreSQL keeps its key: there a step's cost is its round trips.
const char* const kVersion12[] = {
    "ALTER TABLE requests ADD COLUMN history_head BIGINT NOT NULL DEFAULT 0",
    "CREATE TABLE history_linked ("
    " request_id {key} NOT NULL, seq BIGINT NOT NULL, event TEXT NOT NULL,"
    " from_state TEXT NOT NULL, to_state TEXT NOT NULL, actor TEXT NOT NULL, at BIGINT NOT NULL,"
    " data TEXT NOT NULL, comment TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL,"
    " authority TEXT NOT NULL DEFAULT '', prev_rowid BIGINT NOT NULL DEFAULT 0,"
    " hid INTEGER PRIMARY KEY)",
    "INSERT INTO history_linked (hid, request_id, seq, event, from_state, to_state, actor,"
    " at, data, comment, prev_hash, hash, authority, prev_rowid)"
    " SELECT h.rowid, h.request_id, h.seq, h.event, h.from_state, h.to_state, h.actor, h.at,"
    " h.data, h.comment, h.prev_hash, h.hash, h.authority,"
    " COALESCE((SELECT p.rowid FROM history AS p"
    " WHERE p.request_id = h.request_id AND p.seq = h.seq - 1), 0)"
    " FROM history AS h ORDER BY h.rowid",
    "UPDATE requests SET history_head = COALESCE((SELECT h.rowid FROM history AS h"
    " WHERE h.request_id = requests.id AND h.seq = requests.revision), 0)",
    "DROP TABLE history",
    "ALTER TABLE history_linked RENAME TO history",
};
// clang-format on

void Replace(std::string* text, const std::string& from, const std::string& to) {
  for (size_t at = text->find(from); at != std::string::npos; at = text->find(from, at)) {
    text->replace(at, from.size(), to);
    at += to.size();
  }
}

std::string Expand(std::string text, const Dialect& d) {
  Replace(&text, "{key}", d.KeyText());
  Replace(&text, "{serial}", d.SerialPrimaryKey());
  Replace(&text, "{keyed}", d.sqlite() ? " WITHOUT ROWID" : "");
  return text;
}

// The statements that take the schema from version v-1 to v.
std::vector<std::string> Migration(int v, const Dialect& d) {
  std::vector<std::string> out;
  if (v == 1) {
    for (const char* text : kVersion1) out.push_back(Expand(text, d));
  }
  if (v == 2) {
    for (const char* text : kVersion2) out.push_back(Expand(text, d));
  }
  if (v == 3) {
    for (const char* text : kVersion3) out.push_back(Expand(text, d));
  }
  if (v == 4) {
    for (const char* text : kVersion4) out.push_back(Expand(text, d));
  }
  if (v == 5) {
    for (const char* text : kVersion5) out.push_back(Expand(text, d));
  }
  if (v == 6) {
    for (const char* text : kVersion6) out.push_back(Expand(text, d));
  }
  if (v == 7) {
    for (const char* text : kVersion7) out.push_back(Expand(text, d));
  }
  if (v == 8) {
    for (const char* text : kVersion8) out.push_back(Expand(text, d));
  }
  if (v == 9) {
    for (const char* text : kVersion9) out.push_back(Expand(text, d));
  }
  if (v == 10 && d.sqlite()) {
    for (const char* text : kVersion10) out.push_back(Expand(text, d));
  }
  if (v == 11 && d.sqlite()) {
    for (const char* text : kVersion11) out.push_back(Expand(text, d));
  }
  if (v == 12 && d.sqlite()) {
    for (const char* text : kVersion12) out.push_back(Expand(text, d));
  }
  return out;
}

Status NewerSchema(int version) {
  return FailedPreconditionError("store: the database schema is version " +
                                 std::to_string(version) + ", newer than this binary supports (" +
                                 std::to_string(kStoreSchemaVersion) + "); upgrade rogatory");
}

}  // namespace

Status CheckSchema(soci::session& sql) {
  int current = 0;
  soci::indicator ind = soci::i_null;
  try {
    sql << "SELECT MAX(version) FROM schema_version", soci::into(current, ind);
  } catch (const soci::soci_error&) {
    ind = soci::i_null;  // no schema_version table
  }
  if (ind != soci::i_ok) {
    return FailedPreconditionError("store: the database holds no rogatory schema");
  }
  if (current > kStoreSchemaVersion) return NewerSchema(current);
  if (current < kStoreSchemaVersion) {
    return FailedPreconditionError("store: the database schema is version " +
                                   std::to_string(current) + ", older than this binary's (" +
                                   std::to_string(kStoreSchemaVersion) +
                                   "); open it once with `rogatory serve` to migrate it");
  }
  return OkStatus();
}

Status MigrateSchema(soci::session& sql, const Dialect& d) {
  sql << d.BeginWrite();
  try {
    if (d.postgres()) {
      // Nodes opening one database at once take turns (the key is arbitrary but fixed).
      sql << "SELECT pg_advisory_xact_lock(7262017001)";
    }
    sql << "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)";
    int current = 0;
    soci::indicator ind = soci::i_null;
    sql << "SELECT MAX(version) FROM schema_version", soci::into(current, ind);
    if (ind == soci::i_null) current = 0;
    if (current > kStoreSchemaVersion) {
      sql << "ROLLBACK";
      return FailedPreconditionError("store: the database schema is version " +
                                     std::to_string(current) +
                                     ", newer than this binary supports (" +
                                     std::to_string(kStoreSchemaVersion) + "); upgrade rogatory");
    }
    // An upgrade can take minutes (schema 12 copies the history: 222 s at a million requests on
    // SQLite) and nothing answers meanwhile: say so. A new database is not an upgrade.
    const bool upgrade = current > 0 && current < kStoreSchemaVersion;
    const auto started = std::chrono::steady_clock::now();
    if (upgrade) {
      spdlog::info(
          "store: upgrading the database schema from version {} to {} in one transaction "
          "(minutes on a large database; docs/operations.md, \"Upgrading\")",
          current, kStoreSchemaVersion);
    }
    for (int v = current + 1; v <= kStoreSchemaVersion; ++v) {
      for (const std::string& statement : Migration(v, d)) sql << statement;
    }
    if (current < kStoreSchemaVersion) {
      sql << "DELETE FROM schema_version";
      sql << "INSERT INTO schema_version (version) VALUES (" << kStoreSchemaVersion << ")";
    }
    sql << "COMMIT";
    if (upgrade) {
      const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
      spdlog::info("store: database schema upgraded to version {} in {:.1f} s", kStoreSchemaVersion,
                   took.count());
    }
  } catch (...) {
    try {
      sql << "ROLLBACK";
    } catch (...) {
    }
    throw;
  }
  return OkStatus();
}

}  // namespace rogatory::store_internal
