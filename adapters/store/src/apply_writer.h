// The write half of Apply: one Mutation's rows, written with statements prepared once per
// connection, inside a transaction the caller (the group commit) opens and ends.
#ifndef ROGATORY_ADAPTERS_STORE_APPLY_WRITER_H_
#define ROGATORY_ADAPTERS_STORE_APPLY_WRITER_H_

#include <soci/soci.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "bulk_insert.h"
#include "bulk_request_update.h"
#include "dialect.h"
#include "last_writes.h"
#include "rogatory/store.h"
#include "row_codec.h"
#include "sqlite_handle.h"
#include "stats_writer.h"

namespace rogatory::store_internal {

// What a subscription needs for the outbox fan-out.
struct ActiveSubscription {
  std::string id;
  Subscription filter;  // events, workflows and authority, for Subscription::Receives
};

// One outbox row as Apply inserts it (status pending, no attempt yet).
struct OutboxRow {
  std::string subscription_id, request_id, type, payload;
  long long revision = 0, at = 0;
};

class ApplyWriter {
 public:
  // SQLite: `last_writes` is how many requests' last history rowid and statistics record the
  // writer keeps after committing them (LastWrites; SqlStoreOptions::request_cache). PostgreSQL
  // keeps none.
  // `kept_tally`, when given, counts what LastWrites saved.
  ApplyWriter(soci::session& sql, const Dialect& d, size_t last_writes,
              KeptTally* kept_tally = nullptr);
  ApplyWriter(const ApplyWriter&) = delete;
  ApplyWriter& operator=(const ApplyWriter&) = delete;

  // Transaction control. Begin takes SQLite's write lock at once. Begin and Rollback drop any
  // rows still queued for FlushRows.
  void Begin() {
    DropQueuedRows(0, 0, 0);
    stats_.ClearPrefetched();
    bulk_written_.clear();
    wrote_outbox_ = false;
    begin_.execute(true);
    // PostgreSQL keeps nothing between transactions: its version is never read.
    last_writes_.Begin(dialect_.sqlite() ? DataVersion() : 0);
    // Under the write lock: the history's last rowid, after which this transaction's rows go.
    if (dialect_.sqlite()) {
      last_history_rowid_ = 0;  // an empty table returns no row
      select_last_history_rowid_.execute(true);
      FinishRead(dialect_, select_last_history_rowid_);
    }
  }
  void Commit() {
    commit_.execute(true);
    last_writes_.Committed(dialect_.sqlite() ? DataVersion() : 0);
  }
  void Rollback() {
    last_writes_.RolledBack();
    DropQueuedRows(0, 0, 0);
    stats_.ClearPrefetched();
    bulk_written_.clear();
    rollback_.execute(true);
  }
  // One savepoint at a time, around a mutation that may be refused after its first write.
  void Savepoint() {
    savepoint_history_ = history_rows_.size();
    savepoint_outbox_ = outbox_rows_.size();
    savepoint_stats_ = stats_.queued();
    savepoint_last_writes_ = last_writes_.Mark();
    savepoint_.execute(true);
  }
  void ReleaseSavepoint() { release_.execute(true); }
  void RollbackToSavepoint() {
    DropQueuedRows(savepoint_history_, savepoint_outbox_, savepoint_stats_);
    last_writes_.RollBackTo(savepoint_last_writes_);
    rollback_to_.execute(true);
    release_.execute(true);
  }

  // With `defer` (a batch of several mutations), Write queues each mutation's history and
  // outbox rows and its statistics counters' differences, and FlushRows inserts the whole
  // batch's in bulk before COMMIT (the counters summed, in key order: StatsWriter::Defer);
  // without it, Write writes them itself (so a failing row is the failing mutation's).
  void DeferRows(bool defer) {
    defer_rows_ = defer;
    stats_.Defer(defer);
  }
  // Reads the statistics records of a batch's requests in one query (StatsWriter::Prefetch).
  void PrefetchStats(const std::vector<const Mutation*>& batch) { stats_.Prefetch(batch); }
  // PostgreSQL, a batch of several steps: writes the requests of its steps (not creations) with
  // BulkRequestUpdate, one statement per chunk instead of one per step, when every step can go
  // so (no idempotency key, each request once); Write then leaves those requests as they are.
  // A step whose revision did not match goes Write's own way and is refused there with its
  // reason. Does nothing on SQLite. Throws on a database error.
  void UpdateRequestsInBulk(const std::vector<const Mutation*>& batch);
  // Writes the queued history and outbox rows and counters. Throws on a database error.
  void FlushRows() {
    history_rows_.Flush();
    outbox_rows_.Flush();
    stats_.Flush();
  }

  // Whether a Write since Begin added an outbox row (it may since have been rolled back to a
  // savepoint: the answer errs towards yes). Read after Commit for Store::OutboxVersion.
  bool wrote_outbox() const { return wrote_outbox_; }

  // What the writer keeps of its last writes (tests).
  const LastWrites& last_writes() const { return last_writes_; }
  // A commit on this connection outside Apply that wrote none of what the writer keeps moved
  // SQLite's data version from `before` (read under its write lock) to `after`: what is kept
  // stays valid if it was at `before` (LastWrites::CarryOver).
  void CarryOver(uint32_t before, uint32_t after) { last_writes_.CarryOver(before, after); }

  // The active subscriptions, read inside the current transaction (once per batch).
  std::vector<ActiveSubscription> LoadSubscriptions();

  // Writes `m` in the current transaction: the request (insert, or update guarded by its
  // revision), the idempotency record, the history entry, the deadline rows the step changed
  // (those that keep their due time and pause state keep their claim), an outbox row per
  // matching subscription. A refusal comes back as a Status (AlreadyExists: id or idempotency
  // key taken; NotFound: no such request; Aborted: stale revision; Internal: an inconsistent
  // mutation); `*dirty` then says whether some of m's rows were already written (the caller
  // must roll them back). Throws on a database error.
  Status Write(const Mutation& m, const std::vector<ActiveSubscription>& subscriptions,
               bool* dirty);

 private:
  Status WriteRequest(const Mutation& m);
  uint32_t DataVersion() { return SqliteDataVersion(sql_); }
  void WriteDeadlines(const Mutation& m);
  void WriteParties(const Mutation& m);
  void WriteOutbox(const Mutation& m, const std::vector<ActiveSubscription>& subscriptions);
  void DropQueuedRows(size_t history, size_t outbox, size_t stats) {
    history_rows_.Truncate(history);
    outbox_rows_.Truncate(outbox);
    stats_.Truncate(stats);
  }

  const Dialect dialect_;
  soci::session& sql_;
  bool wrote_outbox_ = false;

  // Bound variables: the statements read them at each execution.
  RequestRow request_;
  long long expected_revision_ = 0;
  long long stored_revision_ = 0;
  soci::indicator stored_revision_ind_ = soci::i_null;
  std::string idem_actor_, idem_key_, idem_fingerprint_, idem_response_;
  long long idem_created_at_ = 0;
  std::string deadline_name_;
  long long deadline_started_at_ = 0, deadline_due_at_ = 0, deadline_remaining_ = 0;
  int deadline_paused_ = 0, deadline_extended_ = 0, deadline_lapsed_ = 0;
  long long deadline_lapsed_at_ = 0;
  std::string sub_id_, sub_events_, sub_workflows_, sub_authority_;
  std::string party_authority_;

  soci::statement begin_, commit_, rollback_, savepoint_, release_, rollback_to_;
  soci::statement insert_request_, update_request_, update_request_same_state_, select_revision_;
  soci::statement insert_idempotency_;
  soci::statement upsert_deadline_, delete_stale_deadlines_, delete_deadline_;
  soci::statement select_subscriptions_;
  soci::statement select_last_history_rowid_, select_history_head_;
  long long last_history_rowid_ = 0;  // SQLite: the last rowid given to a history row
  long long history_rowid_ = 0;       // bound: the current step's
  long long prev_rowid_ = 0;          // SQLite: the rowid of the request's last row before it
  soci::statement update_parties_, delete_party_rows_, insert_party_row_;
  // Declared after the statements above: the rows' statements are prepared lazily.
  BulkInsert<HistoryRow> history_rows_;
  BulkInsert<OutboxRow> outbox_rows_;
  bool defer_rows_ = false;
  size_t savepoint_history_ = 0, savepoint_outbox_ = 0, savepoint_stats_ = 0;
  size_t savepoint_last_writes_ = 0;

  BulkRequestUpdate bulk_update_;
  // The steps whose requests UpdateRequestsInBulk wrote, with the rows written.
  std::unordered_map<const Mutation*, RequestRow> bulk_written_;

  LastWrites last_writes_;  // declared before stats_, which fills it in
  StatsWriter stats_;       // CONTRACT §9: the counters, one separate call per step
};

}  // namespace rogatory::store_internal

#endif  // ROGATORY_ADAPTERS_STORE_APPLY_WRITER_H_
