// What an SQLite writer connection last wrote for each request: the rowid of the request's last
// history row and its statistics record. A step names the first as its history row's
// predecessor and needs the second to count its statistics; both are otherwise read back from
// the database at every step (two statements and a parse of the record: about 6% of the
// instructions of a durable call over HTTP, docs/performance.md, session 24).
//
// Kept only while nothing but this connection's own steps changed the database: SQLite's data
// version (SQLITE_FCNTL_DATA_VERSION) moves at any commit to the file, by this connection or
// any other, in this process or another (`rogatory stats --rebuild`, a second server). It is read
// after each commit of the steps, and a transaction that finds it moved at its start forgets
// everything. A transaction's own writes stay pending until it commits: a rollback, to a savepoint
// or of everything, drops them. The store's other transactions on the writer connection that write
// only what is not kept here (claims of deliveries and deadlines, delivery attempts) say so
// (CarryOver), so that a server sending webhooks keeps what it kept.
#ifndef ROGATORY_ADAPTERS_STORE_LAST_WRITES_H_
#define ROGATORY_ADAPTERS_STORE_LAST_WRITES_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "kept_tally.h"
#include "rogatory/stats.h"

namespace rogatory::store_internal {

// Used by one connection's writer, so by one thread at a time: not thread-safe.
class LastWrites {
 public:
  // What is known of one request. Each part may be unknown (it is then read from the database).
  struct Entry {
    std::optional<long long> history_head;  // rowid of its last history row
    std::optional<StatsRecord> stats;       // its statistics record
    std::string stats_text;                 // that record as stored (StatsRecordToText)
  };

  // Keeps at most `capacity` committed requests, the oldest admitted going first; 0 keeps none
  // between transactions (what a transaction wrote is still found within it). `counters`, when
  // given, counts the lookups that found what they asked for, those that did not, and the times
  // Begin forgot everything.
  explicit LastWrites(size_t capacity, KeptTally* counters = nullptr)
      : capacity_(capacity), counters_(counters) {}

  // At the start of a write transaction, with the database's data version read inside it:
  // drops what is pending and, when the version is not the one Committed saw, everything.
  void Begin(uint32_t data_version);
  // After the transaction committed, with the data version read then: what was pending is
  // kept.
  void Committed(uint32_t data_version);
  // A commit outside the steps (the outbox, deadline claims) that changed nothing kept here moved
  // the version from `before` to `after`: what is kept stays valid if it was at `before`.
  void CarryOver(uint32_t before, uint32_t after) {
    if (data_version_ == before) data_version_ = after;
  }
  // The transaction rolled back: what was pending is dropped.
  void RolledBack() { pending_.clear(); }
  // A savepoint's mark, and a rollback to it (drops what was pending since).
  size_t Mark() const { return pending_.size(); }
  void RollBackTo(size_t mark) {
    if (mark < pending_.size()) pending_.resize(mark);
  }

  // The rowid of request `id`'s last history row, when known (this transaction's writes first).
  // Counted as a head hit or miss.
  std::optional<long long> HistoryHead(const std::string& id) const;
  // The entry that holds request `id`'s statistics record (this transaction's first), or nullptr.
  // Counted as a record hit or miss.
  const Entry* Stats(const std::string& id) const;
  // The pending entry of `id` for the current step to fill in: the one this step began, or a
  // new one that knows nothing yet. When committed, an entry replaces what was kept of its
  // request, so a part the step did not fill in is read from the database next time.
  Entry& Update(const std::string& id);

  // How many committed requests are kept (tests).
  size_t size() const { return kept_.size(); }

 private:
  std::optional<long long> FindHistoryHead(const std::string& id) const;
  const Entry* FindStats(const std::string& id) const;

  const size_t capacity_;
  KeptTally* const counters_;             // may be null
  std::optional<uint32_t> data_version_;  // as Committed saw it
  std::unordered_map<std::string, Entry> kept_;
  std::deque<std::string> admitted_;  // each key of kept_ once, oldest first
  // This transaction's entries in the order written; a later one of the same request wins.
  std::vector<std::pair<std::string, Entry>> pending_;
};

}  // namespace rogatory::store_internal

#endif  // ROGATORY_ADAPTERS_STORE_LAST_WRITES_H_
