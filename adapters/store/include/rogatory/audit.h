// The history audit behind `rogatory audit verify`: re-checks every request's hash chain in a
// store and names the first broken link.
#ifndef ROGATORY_AUDIT_H_
#define ROGATORY_AUDIT_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "rogatory/history.h"
#include "rogatory/request.h"
#include "rogatory/status.h"
#include "rogatory/store.h"

namespace rogatory {

// Where a history stops verifying.
struct BrokenLink {
  RequestId request_id;
  int64_t seq = 0;      // the first entry that does not verify (or the request row's revision)
  std::string message;  // what is wrong, naming ids only
};

struct AuditReport {
  int64_t requests = 0;              // requests checked
  int64_t entries = 0;               // history entries checked
  std::optional<BrokenLink> broken;  // set when a chain is broken; the walk stops there
  // How the entries were checked (see AuditHistories): data texts that were not canonical and
  // were parsed and dumped again, and pages checked again decoded.
  int64_t data_redumped{};
  int64_t pages_decoded{};
  // True when the whole store was checked in one pass over its tables (see AuditHistories);
  // false when it was walked page by page.
  bool one_pass = false;
};

// What the audit needs of a request row: its id, its revision and its head hash (the hash of
// its last history entry), read without decoding the rest of the row.
struct RequestHead {
  RequestId id;
  int64_t revision = 0;
  std::string head_hash;
  // HistoryRangeReader::ScanAll only: the rowid of the request's last history row, as its row
  // names it (SQLite, schema 12).
  int64_t last_rowid = 0;
};

// A store that reads the histories of many requests in one ordered range read (the SQL stores
// do). AuditHistories uses it when the store offers it, and otherwise reads one history per
// request through Store::GetHistory.
class HistoryRangeReader {
 public:
  virtual ~HistoryRangeReader() = default;
  // Up to `limit` request heads with ids after `after` ("" for the first), in id order.
  virtual Result<std::vector<RequestHead>> ListRequestHeads(const RequestId& after, int limit) = 0;
  // Every history entry of the requests whose ids are in [first, last], ordered by request id,
  // then seq.
  virtual Result<std::vector<HistoryEntry>> GetHistoryRange(const RequestId& first,
                                                            const RequestId& last) = 0;
  // The same rows undecoded: calls `visit` with each as stored (its data the stored JSON
  // text), in the same order; each view is valid during its call only. An error only when the
  // store cannot be read.
  virtual Status VisitHistoryRange(const RequestId& first, const RequestId& last,
                                   const std::function<void(const StoredHistoryEntry&)>& visit) = 0;
  // Called before and after a walk over every history (the audit), so a store can prepare
  // for it: the SQLite store reads its file ahead, front to back, on a thread of its own while
  // the walk runs (when the file fits in half the available memory). By default nothing.
  virtual void BeginFullScan() {}
  virtual void EndFullScan() {}
  // Calls `head` with every request head (on the calling thread) with its last history row's
  // rowid, and `entry` with every history row as stored with its rowid and its link, split into
  // `parts` parts (1 to 64), each read on a thread of its own and passed with its part number (0 to
  // parts - 1; each view valid during its call only), every table read in its storage order. The
  // heads and the rows are those of one moment: the rows agree with the heads even while the store
  // is being written. An error when the store cannot be read, or when the store does not scan in
  // one pass (the default; the SQL stores scan on SQLite).
  virtual Status ScanAll(int parts, const std::function<void(const RequestHead&)>& head,
                         const std::function<void(int, const StoredHistoryEntry&)>& entry);
  // Where a store links its rows (SQLite, schema 12), called after every history verified: the
  // first request whose links break off (its history read by request id verified, so a link
  // was edited), else the first stored history row that no request's links reach (which no
  // read sees), as the broken link the audit reports; nullopt when there is none, and by
  // default. An error when the store cannot be read.
  virtual Result<std::optional<BrokenLink>> FindEntryOutsideEveryHistory();
};

// How the audit spreads its work.
struct AuditOptions {
  // Parts of the history read and checked at once in the one pass (see below), each on a
  // thread of its own; and pages checked at once on a HistoryRangeReader, each on a thread of
  // its own with its own read, while the calling thread lists the pages after them. 0: one per
  // hardware thread.
  // The report is the same for every value: pages are taken in id order and the walk stops at
  // the first broken link in that order (later pages checked meanwhile are discarded).
  int workers = 0;
};

// Walks every request in id order (pages of ListRequestHeads on a HistoryRangeReader, else of
// ListRequests), reads its history (a page's histories in
// one range read when the store is a HistoryRangeReader) and checks it with
// VerifyHistoryChain; also checks that the request row agrees with its last entry (revision and
// head hash). Returns the report, with `broken` naming the first broken link; an error only when
// the store cannot be read (or a stored row does not decode).
//
// On a HistoryRangeReader each page is first checked undecoded (VisitHistoryRange): an entry's
// data text is hashed as stored when it is already the canonical dump (IsCanonicalJsonText),
// parsed and dumped again only when it is not. A page with anything that check does not accept
// is checked again the decoded way above, so the report (requests, entries, the broken link and
// its message, or the error) is the same either way.
//
// On a store whose ScanAll works, the audit first checks everything in one pass: the request heads
// and the history rows of one moment read once in storage order (ScanAll), the history in
// `workers` parts on threads of their own, each entry's hash recomputed and every chain's links
// checked at once, in whatever order the rows come, by sums of a keyed hash drawn for the run
// (adapters/store/src/chain_ledger.h; constant memory). When
// that pass finds everything intact the report says so (`one_pass`); when anything does not
// check out it says nothing of what, and the walk above runs for the exact report.
Result<AuditReport> AuditHistories(Store& store, const AuditOptions& options = {});

}  // namespace rogatory

#endif  // ROGATORY_AUDIT_H_
