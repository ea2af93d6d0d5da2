// The write half of Apply: one Mutation's rows, written with statements prepared once per
// connection, inside a transaction the caller (the group commit) opens and ends.
#ifndef ROGATORY_ADAPTERS_STORE_APPLY_WRITER_H_
#define ROGATORY_ADAPTERS_STORE_APPLY_WRITER_H_

#include <soci/soci.h>

#include <string>
#include <vector>

#include "dialect.h"
#include "rogatory/store.h"
#include "row_codec.h"
#include "stats_writer.h"

namespace rogatory::store_internal {

// What a subscription needs for the outbox fan-out.
struct ActiveSubscription {
  std::string id;
  Subscription filter;  // events, workflows and authority, for Subscription::Receives
};

class ApplyWriter {
 public:
  ApplyWriter(soci::session& sql, const Dialect& d);
  ApplyWriter(const ApplyWriter&) = delete;
  ApplyWriter& operator=(const ApplyWriter&) = delete;

  // Transaction control. Begin takes SQLite's write lock at once.
  void Begin() { begin_.execute(true); }
  void Commit() { commit_.execute(true); }
  void Rollback() { rollback_.execute(true); }
  // One savepoint at a time, around a mutation that may be refused after its first write.
  void Savepoint() { savepoint_.execute(true); }
  void ReleaseSavepoint() { release_.execute(true); }
  void RollbackToSavepoint() {
    rollback_to_.execute(true);
    release_.execute(true);
  }

  // The active subscriptions, read inside the current transaction (once per batch).
  std::vector<ActiveSubscription> LoadSubscriptions();

  // Writes `m` in the current transaction: the request (insert, or update guarded by its
  // revision), the idempotency record, the history entry, the deadline rows (unchanged ones keep
  // their claim), an outbox row per matching subscription. A refusal comes back as a Status
  // (AlreadyExists: id or idempotency key taken; NotFound: no such request; Aborted: stale
  // revision; Internal: an inconsistent mutation); `*dirty` then says whether some of m's rows
  // were already written (the caller must roll them back). Throws on a database error.
  Status Write(const Mutation& m, const std::vector<ActiveSubscription>& subscriptions,
               bool* dirty);

 private:
  Status WriteRequest(const Mutation& m);
  void WriteDeadlines(const Mutation& m);
  void WriteParties(const Mutation& m);
  void WriteOutbox(const Mutation& m, const std::vector<ActiveSubscription>& subscriptions);

  const Dialect dialect_;

  // Bound variables: the statements read them at each execution.
  RequestRow request_;
  long long expected_revision_ = 0;
  long long stored_revision_ = 0;
  soci::indicator stored_revision_ind_ = soci::i_null;
  HistoryRow history_;
  std::string idem_actor_, idem_key_, idem_fingerprint_, idem_response_;
  long long idem_created_at_ = 0;
  std::string deadline_name_;
  long long deadline_started_at_ = 0, deadline_due_at_ = 0, deadline_remaining_ = 0;
  int deadline_paused_ = 0, deadline_extended_ = 0, deadline_lapsed_ = 0;
  long long deadline_lapsed_at_ = 0;
  std::string sub_id_, sub_events_, sub_workflows_, sub_authority_;
  std::string outbox_type_, outbox_payload_;
  long long outbox_at_ = 0;
  std::string party_authority_;

  soci::statement begin_, commit_, rollback_, savepoint_, release_, rollback_to_;
  soci::statement insert_request_, update_request_, update_request_same_state_, select_revision_;
  soci::statement insert_idempotency_, insert_history_;
  soci::statement upsert_deadline_, delete_stale_deadlines_;
  soci::statement select_subscriptions_, insert_outbox_;
  soci::statement update_parties_, delete_party_rows_, insert_party_row_;

  StatsWriter stats_;  // CONTRACT §9: the counters, one separate call per step
};

}  // namespace rogatory::store_internal

#endif  // ROGATORY_ADAPTERS_STORE_APPLY_WRITER_H_
