// The audit's range read of history rows on SQLite through the C API: each column a view of
// SQLite's own row buffer, where SOCI would copy every column into a string first.
#ifndef ROGATORY_ADAPTERS_STORE_SQLITE_HISTORY_SCAN_H_
#define ROGATORY_ADAPTERS_STORE_SQLITE_HISTORY_SCAN_H_

#include <soci/soci.h>

#include <functional>
#include <memory>
#include <string>

#include "rogatory/audit.h"
#include "rogatory/history.h"
#include "rogatory/request.h"
#include "rogatory/status.h"

namespace rogatory::store_internal {

class SqliteHistoryScan {
 public:
  // Prepares the range read on `sql`'s SQLite connection (which must outlive this).
  explicit SqliteHistoryScan(soci::session& sql);
  ~SqliteHistoryScan();
  SqliteHistoryScan(const SqliteHistoryScan&) = delete;
  SqliteHistoryScan& operator=(const SqliteHistoryScan&) = delete;

  // Calls `visit` with each history row of the request ids in [first, last], by request id
  // then seq (each request's rows walked from its head; where a walk has a hole, found by
  // request id instead: history_links.h), and resets the statement (no read snapshot stays open).
  // Internal on an SQLite error.
  Status Visit(const RequestId& first, const RequestId& last,
               const std::function<void(const StoredHistoryEntry&)>& visit);

  // Calls `head` with every request head, and `entry` with every history row in `parts` rowid
  // ranges (see HistoryRangeReader::ScanAll). The heads and the largest history rowid are read
  // in one read transaction on this connection; the ranges up to that rowid are then read on
  // read-only connections of their own to the same file, one thread each, while the heads are
  // read (in memory: every range on this connection, in that transaction). Rows are only ever
  // appended, each above the largest rowid, so the ranges hold exactly the rows of the heads'
  // moment (VACUUM keeps rowids: the history's rowid is its `hid` column). Internal on an SQLite
  // error, or on a key column stored as another class than text (ids) or integer (seq, revision);
  // every transaction is ended and every thread joined.
  Status ScanAll(int parts, const std::function<void(const RequestHead&)>& head,
                 const std::function<void(int, const StoredHistoryEntry&)>& entry);

 private:
  // Visits a request's rows found by request id: in place of a walk with a hole.
  Status VisitByScan(const std::string& id,
                     const std::function<void(const StoredHistoryEntry&)>& visit);
  struct Handles;  // the connection and the prepared statement (SQLite's types stay in the .cc)
  std::unique_ptr<Handles> handles_;
};

}  // namespace rogatory::store_internal

#endif  // ROGATORY_ADAPTERS_STORE_SQLITE_HISTORY_SCAN_H_
