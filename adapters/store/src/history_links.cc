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

// kHistoryColumns of `h` for a walk's row, or for a hole (no row of the request at the expected
// seq where the walk went: h is NULL) the request id and empty values, so no column is NULL;
// then the hole flag: set for a hole, and for a step past entry 1.
// The history row a walk's step names, if it is its request's at the expected seq.
std::string JoinWalkedRow(const char* join) {
  return std::string(" ") + join +
         " history AS h ON h.rowid = walk.rid AND h.request_id = walk.rq AND h.seq = walk.left";
}

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
// (rowid, expected seq, request id) of each rowid reached. It goes on only through rows of its
// own request at the expected seq (the revision, then one less each step), so it never visits a
// row twice and ends at the first missing, foreign or misplaced row, or at entry 1: one step past
// it (seq 0) when entry 1 still links to an earlier row.
std::string Walk(const std::string& requests) {
  return "WITH RECURSIVE walk(rid, left, rq) AS (SELECT history_head, revision, id FROM requests" +
         requests + " UNION ALL SELECT h.prev_rowid, walk.left - 1, walk.rq FROM walk" +
         JoinWalkedRow("JOIN") + " WHERE walk.left > 1 OR (walk.left = 1 AND h.prev_rowid <> 0)) ";
}

std::string LinkedHistory(const std::string& requests) {
  return Walk(requests) + "SELECT " + WalkColumns() + " FROM walk" + JoinWalkedRow("LEFT JOIN");
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

std::string FirstHoledWalkSql() {
  return Walk("") + "SELECT walk.rq, walk.left FROM walk" + JoinWalkedRow("LEFT JOIN") +
         " WHERE h.rowid IS NULL OR walk.left < 1 ORDER BY walk.rq LIMIT 1";
}

std::string FirstUnlinkedHistoryRowSql() {
  return Walk("") +
         "SELECT CAST(request_id AS TEXT), CAST(seq AS INTEGER) FROM history"
         " WHERE rowid NOT IN (SELECT rid FROM walk) ORDER BY rowid LIMIT 1";
}

}  // namespace rogatory::store_internal
