// The hot reads (a request, its history, an idempotency record), with statements prepared once
// per connection: every Fire reads its request before it writes.
#ifndef ROGATORY_ADAPTERS_STORE_REQUEST_READER_H_
#define ROGATORY_ADAPTERS_STORE_REQUEST_READER_H_

#include <soci/soci.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dialect.h"
#include "rogatory/history.h"
#include "rogatory/store.h"
#include "row_codec.h"
#include "sqlite_history_scan.h"

namespace rogatory::store_internal {

// Adds into-exchanges for kRequestColumns, in order, to a statement being prepared.
void IntoRequestRow(soci::statement& st, RequestRow& r);

class RequestReader {
 public:
  RequestReader(soci::session& sql, const Dialect& d);
  RequestReader(const RequestReader&) = delete;
  RequestReader& operator=(const RequestReader&) = delete;

  // The request, or NotFound. Throws on a database error.
  Result<Request> GetRequest(const RequestId& id);
  // Its history oldest first, or NotFound when there is no such request.
  Result<std::vector<HistoryEntry>> GetHistory(const RequestId& id);
  // The history entries of the request ids in [first, last], by request id then seq: one range
  // read of the history's primary key (the audit reads a page of requests at once).
  Result<std::vector<HistoryEntry>> GetHistoryRange(const RequestId& first, const RequestId& last);
  // The same rows undecoded, each handed to `visit` as stored (the audit's fast check).
  Status VisitHistoryRange(const RequestId& first, const RequestId& last,
                           const std::function<void(const StoredHistoryEntry&)>& visit);
  // Every request head and every history row of one moment, the rows in `parts` parts read on
  // connections of their own. SQLite only (Internal on PostgreSQL): see
  // HistoryRangeReader::ScanAll.
  Status ScanAll(int parts, const std::function<void(const RequestHead&)>& head,
                 const std::function<void(int, const StoredHistoryEntry&)>& entry);
  std::optional<IdempotencyRecord> FindIdempotency(const std::string& actor,
                                                   const std::string& key);

 private:
  const Dialect dialect_;
  std::string id_, actor_, key_, first_, last_;
  RequestRow request_;
  HistoryRow history_;
  IdempotencyRecord idem_;
  long long idem_created_at_ = 0;
  long long exists_ = 0;
  soci::statement get_request_, get_history_, request_exists_, find_idempotency_;
  std::unique_ptr<soci::statement> history_range_;    // prepared on first use (the audit's)
  std::unique_ptr<SqliteHistoryScan> sqlite_scan_;    // the same, undecoded, on SQLite
  std::unique_ptr<soci::statement> history_by_scan_;  // prepared on first use (a hole)
  std::string scan_id_;
  void PrepareHistoryRange();
  // Appends a request's history rows found by request id (history_links.h: a walk's hole).
  Status ReadHistoryByScan(const RequestId& id, std::vector<HistoryEntry>* out);
  soci::session& sql_;
};

}  // namespace rogatory::store_internal

#endif  // ROGATORY_ADAPTERS_STORE_REQUEST_READER_H_
