// SQLite (schema 12): the history table has no key index. Each request row names the rowid of
// its last history row (`requests.history_head`), and each history row the rowid of the row
// before it in its request's history (`history.prev_rowid`, 0 for the first): a step writes its
// own row and its request's row, and no page of an index. Reads walk a request's rows from its
// head back, one rowid lookup each. PostgreSQL keeps its (request_id, seq) key and reads by it.
#ifndef ROGATORY_ADAPTERS_STORE_HISTORY_LINKS_H_
#define ROGATORY_ADAPTERS_STORE_HISTORY_LINKS_H_

#include <string>

namespace rogatory::store_internal {

// Sets every history row's prev_rowid and every request's history_head from the (request_id,
// seq) of the rows (the end of a copy into SQLite), through an index built for the purpose and
// dropped after.
inline constexpr const char* kRebuildHistoryLinks[] = {
    "CREATE INDEX history_links_key ON history (request_id, seq)",
    "UPDATE history SET prev_rowid = COALESCE((SELECT p.rowid FROM history AS p"
    " WHERE p.request_id = history.request_id AND p.seq = history.seq - 1), 0)",
    "UPDATE requests SET history_head = COALESCE((SELECT h.rowid FROM history AS h"
    " WHERE h.request_id = requests.id AND h.seq = requests.revision), 0)",
    "DROP INDEX history_links_key",
};

// kHistoryColumns of the history table aliased `h`.
std::string HistoryColumnsOfH();

// A request's history rows, walked from its head, by seq: kHistoryColumns, then a hole flag
// (1 or 0). Each step must find a row of that request whose seq is the next expected one
// (`revision`, then one less each step), so a tampered link can neither loop nor run on past the
// request's own rows, whatever the revision says. Where a step finds none (a row deleted, a link
// or a revision edited), or entry 1 still links to an earlier row, the walk yields a row flagged
// as a hole first: the reader then reads that request's rows with HistoryOfRequestByScanSql
// instead, so a damaged history reads as it is stored by request id, as PostgreSQL's and
// schema 11's do, and the audit names the same entry with the same words.
// Binds the request id once.
std::string LinkedHistoryOfRequestSql();

// The same for every request with an id in [first, last] (two binds), by request id then seq
// (a request's hole row, if any, before its rows).
std::string LinkedHistoryOfRangeSql();

// A request's history rows found by request id, by seq (kHistoryColumns; binds the id once).
// With no index on the request id this reads the whole table: only for a history whose walk
// has a hole, which only a damaged store has.
std::string HistoryOfRequestByScanSql();

// The first request (by id) whose walk has a hole, and the seq expected there (below 1: entry 1
// links to an earlier row). Its history reads by request id; when that verifies, only a link
// was edited, and the audit reports it.
std::string FirstHoledWalkSql();

// The first history row (by rowid) that no request's walk reaches: its request id and seq. Such
// a row is no request's history and no read sees it; the audit reports it. Exact when no walk
// has a hole (FirstHoledWalkSql).
std::string FirstUnlinkedHistoryRowSql();

}  // namespace rogatory::store_internal

#endif  // ROGATORY_ADAPTERS_STORE_HISTORY_LINKS_H_
