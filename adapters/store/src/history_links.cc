#include "history_links.h"

#include "row_codec.h"

namespace rogatory::store_internal {

std::string HistoryColumnsOfH() {
  std::string out = "h.";
  for (const char* c = kHistoryColumns; *c != '\0'; ++c) {
    out += *c;
    if (*c == ' ') out += "h.";
  }
  return out;
}

namespace {

// kHistoryColumns of `h` for a walk's row, or for a hole (no row where the walk went: h is
// NULL) the request id and empty values, so no column is NULL; then the hole flag: set for a
// hole, and for a row found past the revision's count (the request row says fewer entries
// than its history links).
std::string WalkColumns() {
  std::string out = "COALESCE(h.request_id, walk.rq)";
  const std::string columns = kHistoryColumns;
  size_t start = columns.find(", ") + 2;
  while (start < columns.size()) {
    size_t end = columns.find(", ", start);
    if (end == std::string::npos) end = columns.size();
    const std::string name = columns.substr(start, end - start);
    const bool number = name == "seq" || name == "at";
    out += ", COALESCE(h." + name + (number ? ", 0)" : ", '')");
    start = end + 2;
  }
  return out + ", (h.rowid IS NULL OR walk.left < 1) AS hole";
}

// The walk from the heads of the requests `requests` (a WHERE clause on the requests table):
// (rowid, rows left to read, request id) of each rowid reached. It goes on only through rows of
// its own request, so it ends at the first missing or foreign row, or at the revision's count:
// one step past it (left 0) when the row there still links to an earlier one.
std::string Walk(const std::string& requests) {
  return "WITH RECURSIVE walk(rid, left, rq) AS (SELECT history_head, revision, id FROM requests" +
         requests +
         " UNION ALL SELECT h.prev_rowid, walk.left - 1, walk.rq FROM walk"
         " JOIN history AS h ON h.rowid = walk.rid AND h.request_id = walk.rq"
         " WHERE walk.left > 1 OR (walk.left = 1 AND h.prev_rowid <> 0)) ";
}

std::string LinkedHistory(const std::string& requests) {
  return Walk(requests) + "SELECT " + WalkColumns() +
         " FROM walk LEFT JOIN history AS h ON h.rowid = walk.rid AND h.request_id = walk.rq";
}

}  // namespace

std::string LinkedHistoryOfRequestSql() {
  return LinkedHistory(" WHERE id = :id") + " ORDER BY hole DESC, h.seq";
}

std::string LinkedHistoryOfRangeSql() {
  return LinkedHistory(" WHERE id >= :first AND id <= :last") +
         " ORDER BY walk.rq, hole DESC, h.seq";
}

std::string HistoryOfRequestByScanSql() {
  return std::string("SELECT ") + kHistoryColumns +
         " FROM history WHERE request_id = :id ORDER BY seq";
}

std::string FirstUnlinkedHistoryRowSql() {
  return Walk("") +
         "SELECT CAST(request_id AS TEXT), CAST(seq AS INTEGER) FROM history"
         " WHERE rowid NOT IN (SELECT rid FROM walk) ORDER BY rowid LIMIT 1";
}

}  // namespace rogatory::store_internal
