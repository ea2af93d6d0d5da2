// The statistics half of Apply (CONTRACT §9, rogatory/stats.h): reads the request's record,
// writes the next one and adds the difference to the day counters and their monthly roll-ups,
// in the step's transaction.
#ifndef ROGATORY_ADAPTERS_STORE_STATS_WRITER_H_
#define ROGATORY_ADAPTERS_STORE_STATS_WRITER_H_

#include <soci/soci.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dialect.h"
#include "last_writes.h"
#include "rogatory/store.h"

namespace rogatory::store_internal {

class StatsWriter {
 public:
  // `last_writes` (kept by the caller, which outlives this) holds the records this connection
  // last wrote: a step whose request's record it knows does not read it back (SQLite).
  StatsWriter(soci::session& sql, const Dialect& dialect, LastWrites* last_writes);
  StatsWriter(const StatsWriter&) = delete;
  StatsWriter& operator=(const StatsWriter&) = delete;

  // Updates m.request's record and the counters. Internal when the stored record is
  // unreadable. Throws on a database error.
  Status Write(const Mutation& m);

  // PostgreSQL: reads the stored records of the requests `batch` steps (not creations) in one
  // query, for the Writes that follow in the same transaction: one round trip for the batch
  // instead of one per step. Each record read is used once; a second step of the same request
  // starts from the record the first one wrote (LastWrites: this transaction's writes). Does
  // nothing on SQLite. Throws on a database error.
  void Prefetch(const std::vector<const Mutation*>& batch);
  // Forgets what Prefetch read (each transaction starts without).
  void ClearPrefetched() { prefetched_.clear(); }

  // With `defer` (a batch of several steps), Write updates the record at once but queues its
  // counter differences, and Flush adds the whole batch's, summed per counter, in key order:
  // one upsert per counter the batch touched instead of one per step, and two batches on
  // PostgreSQL writer connections side by side lock the counters they share in the same order
  // (they cannot deadlock on them). Without it Write adds its own differences.
  void Defer(bool defer) { defer_ = defer; }
  // How many differences are queued; Truncate(n) drops those queued after the first n (a step
  // rolled back to its savepoint, or a whole transaction with 0).
  size_t queued() const { return queued_.size(); }
  void Truncate(size_t n) {
    if (n < queued_.size()) queued_.resize(n);
  }
  // Adds the queued differences and empties the queue. Throws on a database error.
  void Flush();

 private:
  // Adds each difference to its day counter, then to its month's roll-up (summed per month).
  void AddCells(const std::map<StatsCellKey, int64_t>& cells);
  // Sets the bound key and difference that the two upserts read.
  void Bind(const StatsCellKey& key, int64_t n);

  std::string request_id_, record_text_, record_workflow_, record_day_;
  std::string next_text_;  // the record after the step, compared with the stored one
  int record_version_ = 0, record_lapsed_ = 0;
  soci::indicator record_ind_ = soci::i_null;
  std::string scope_, workflow_, day_, month_, kind_, key_;
  int version_ = 0;
  long long n_ = 0;

  // Prefetch's records by request id; no value: the request has none stored.
  std::map<std::string, std::optional<std::string>> prefetched_;
  std::string prefetch_ids_, prefetch_id_, prefetch_text_;  // bound to select_records_

  bool defer_ = false;
  std::vector<std::pair<StatsCellKey, int64_t>> queued_;

  const Dialect dialect_;
  LastWrites* const last_writes_;
  soci::statement select_record_, select_records_, upsert_record_, upsert_cell_, upsert_month_;
};

}  // namespace rogatory::store_internal

#endif  // ROGATORY_ADAPTERS_STORE_STATS_WRITER_H_
