#include "sqlite_history_scan.h"

#include <soci/sqlite3/soci-sqlite3.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include "history_links.h"
#include "row_codec.h"
#include "sqlite_handle.h"

namespace rogatory::store_internal {

struct SqliteHistoryScan::Handles {
  sqlite_api::sqlite3* db = nullptr;
  sqlite_api::sqlite3_stmt* stmt = nullptr;
  sqlite_api::sqlite3_stmt* by_scan = nullptr;  // a holed request's rows (history_links.h)
};

namespace {

std::string_view Text(sqlite_api::sqlite3_stmt* st, int column) {
  const auto* text = reinterpret_cast<const char*>(sqlite_api::sqlite3_column_text(st, column));
  if (text == nullptr) return {};
  return std::string_view(text, static_cast<size_t>(sqlite_api::sqlite3_column_bytes(st, column)));
}

Status SqliteError(sqlite_api::sqlite3* db, const char* what) {
  return InternalError(std::string("store: ") + what + ": " + sqlite_api::sqlite3_errmsg(db));
}

// Prepares `query` into `*st` for the connection's life (`what` names it in an error).
Status PreparePersistent(sqlite_api::sqlite3* db, const std::string& query,
                         sqlite_api::sqlite3_stmt** st, const char* what) {
  if (sqlite_api::sqlite3_prepare_v3(db, query.c_str(), -1, SQLITE_PREPARE_PERSISTENT, st,
                                     nullptr) != SQLITE_OK) {
    return SqliteError(db, what);
  }
  return OkStatus();
}

// Fills `e` with the current row of a statement selecting kHistoryColumns.
void ReadHistoryRow(sqlite_api::sqlite3_stmt* st, StoredHistoryEntry* e) {
  e->request_id = Text(st, 0);
  e->seq = sqlite_api::sqlite3_column_int64(st, 1);
  e->event = Text(st, 2);
  e->from_state = Text(st, 3);
  e->to_state = Text(st, 4);
  e->actor = Text(st, 5);
  e->at_us = sqlite_api::sqlite3_column_int64(st, 6);
  e->data = Text(st, 7);
  e->comment = Text(st, 8);
  e->prev_hash = Text(st, 9);
  e->hash = Text(st, 10);
  e->authority = Text(st, 11);
}

// Steps `query` to its end, calling `row` with the statement at each row.
template <typename Fn>
Status StepAll(sqlite_api::sqlite3* db, const std::string& query, const char* what, Fn&& row) {
  sqlite_api::sqlite3_stmt* st = nullptr;
  if (sqlite_api::sqlite3_prepare_v2(db, query.c_str(), -1, &st, nullptr) != SQLITE_OK) {
    return SqliteError(db, what);
  }
  int rc;
  while ((rc = sqlite_api::sqlite3_step(st)) == SQLITE_ROW) row(st);
  Status status = rc == SQLITE_DONE ? OkStatus() : SqliteError(db, what);
  sqlite_api::sqlite3_finalize(st);
  return status;
}

}  // namespace

SqliteHistoryScan::SqliteHistoryScan(soci::session& sql) : handles_(std::make_unique<Handles>()) {
  handles_->db = SqliteHandle(sql);
}

SqliteHistoryScan::~SqliteHistoryScan() {
  sqlite_api::sqlite3_finalize(handles_->stmt);
  sqlite_api::sqlite3_finalize(handles_->by_scan);
}

Status SqliteHistoryScan::VisitByScan(const std::string& id,
                                      const std::function<void(const StoredHistoryEntry&)>& visit) {
  sqlite_api::sqlite3* db = handles_->db;
  if (handles_->by_scan == nullptr) {
    ROGATORY_RETURN_IF_ERROR(PreparePersistent(db, HistoryOfRequestByScanSql(), &handles_->by_scan,
                                               "prepare the history read by request id"));
  }
  sqlite_api::sqlite3_stmt* st = handles_->by_scan;
  sqlite_api::sqlite3_bind_text(st, 1, id.data(), static_cast<int>(id.size()), SQLITE_STATIC);
  StoredHistoryEntry e;
  int rc;
  while ((rc = sqlite_api::sqlite3_step(st)) == SQLITE_ROW) {
    ReadHistoryRow(st, &e);
    visit(e);
  }
  Status status = rc == SQLITE_DONE ? OkStatus() : SqliteError(db, "read a history by request id");
  sqlite_api::sqlite3_reset(st);
  sqlite_api::sqlite3_clear_bindings(st);
  return status;
}

Status SqliteHistoryScan::Visit(const RequestId& first, const RequestId& last,
                                const std::function<void(const StoredHistoryEntry&)>& visit) {
  sqlite_api::sqlite3* db = handles_->db;
  if (handles_->stmt == nullptr) {
    ROGATORY_RETURN_IF_ERROR(PreparePersistent(db, LinkedHistoryOfRangeSql(), &handles_->stmt,
                                               "prepare the history range read"));
  }
  sqlite_api::sqlite3_stmt* st = handles_->stmt;
  sqlite_api::sqlite3_bind_text(st, 1, first.data(), static_cast<int>(first.size()), SQLITE_STATIC);
  sqlite_api::sqlite3_bind_text(st, 2, last.data(), static_cast<int>(last.size()), SQLITE_STATIC);
  StoredHistoryEntry e;
  std::string holed;  // the request whose walk had a hole: its rows came by scan instead
  Status status;
  int rc;
  while ((rc = sqlite_api::sqlite3_step(st)) == SQLITE_ROW) {
    ReadHistoryRow(st, &e);
    if (sqlite_api::sqlite3_column_int64(st, 12) != 0) {  // a hole, before the request's rows
      holed.assign(e.request_id);
      status = VisitByScan(holed, visit);
      if (!status.ok()) break;
      continue;
    }
    if (!holed.empty() && e.request_id == holed) continue;
    visit(e);
  }
  if (status.ok() && rc != SQLITE_DONE) status = SqliteError(db, "read a history range");
  // Reset at once: a statement left on a row keeps its read snapshot (see FinishRead).
  sqlite_api::sqlite3_reset(st);
  sqlite_api::sqlite3_clear_bindings(st);
  return status;
}

namespace {

// Reads history rows with rowids in [first, last] on `db`, handing each to `entry`.
Status ScanRowids(sqlite_api::sqlite3* db, int64_t first, int64_t last,
                  const std::function<void(const StoredHistoryEntry&)>& entry) {
  sqlite_api::sqlite3_stmt* st = nullptr;
  const std::string query = std::string("SELECT ") + kHistoryColumns +
                            ", rowid, prev_rowid FROM history WHERE rowid BETWEEN ?1 AND ?2";
  if (sqlite_api::sqlite3_prepare_v2(db, query.c_str(), -1, &st, nullptr) != SQLITE_OK) {
    return SqliteError(db, "prepare the history scan");
  }
  sqlite_api::sqlite3_bind_int64(st, 1, first);
  sqlite_api::sqlite3_bind_int64(st, 2, last);
  StoredHistoryEntry e;
  int rc;
  while ((rc = sqlite_api::sqlite3_step(st)) == SQLITE_ROW) {
    // A key column of another storage class (a request id stored as a BLOB, a seq as text)
    // compares otherwise in SQL than its bytes here, so the reads by key would not see the
    // row where this scan does: the one pass gives up, and the page walk judges the store.
    if (sqlite_api::sqlite3_column_type(st, 0) != SQLITE_TEXT ||
        sqlite_api::sqlite3_column_type(st, 1) != SQLITE_INTEGER) {
      sqlite_api::sqlite3_finalize(st);
      return InternalError("store: a history row's key is not stored as text and integer");
    }
    ReadHistoryRow(st, &e);
    e.rowid = sqlite_api::sqlite3_column_int64(st, 12);
    e.prev_rowid = sqlite_api::sqlite3_column_int64(st, 13);
    entry(e);
  }
  Status status = rc == SQLITE_DONE ? OkStatus() : SqliteError(db, "read the history");
  sqlite_api::sqlite3_finalize(st);
  return status;
}

// The same on a read-only connection of its own to `file`, in a read transaction of its own.
// No mutex: the connection lives and dies on the calling thread.
Status ScanRowidsOnOwnConnection(const std::string& file, int64_t first, int64_t last,
                                 const std::function<void(const StoredHistoryEntry&)>& entry) {
  sqlite_api::sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX;
  if (sqlite_api::sqlite3_open_v2(file.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    Status s = SqliteError(db, "open the database to read the history");
    sqlite_api::sqlite3_close(db);
    return s;
  }
  sqlite_api::sqlite3_busy_timeout(db, 10000);
  Status status = sqlite_api::sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr) == SQLITE_OK
                      ? ScanRowids(db, first, last, entry)
                      : SqliteError(db, "begin a read of the history");
  sqlite_api::sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  sqlite_api::sqlite3_close(db);
  return status;
}

// Ends the heads' read transaction and joins the part readers however ScanAll leaves.
struct ScanEnd {
  sqlite_api::sqlite3* db;
  std::vector<std::thread>& readers;
  ~ScanEnd() {
    // A read-only transaction: ending it cannot lose anything.
    sqlite_api::sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    for (std::thread& t : readers) t.join();
  }
};

}  // namespace

Status SqliteHistoryScan::ScanAll(
    int parts, const std::function<void(const RequestHead&)>& head,
    const std::function<void(int, const StoredHistoryEntry&)>& entry) {
  sqlite_api::sqlite3* db = handles_->db;
  // The file this connection has open ("" in memory: there the parts are read on it).
  const char* name = sqlite_api::sqlite3_db_filename(db, "main");
  const std::string file = name != nullptr ? name : "";
  parts = std::max(1, parts);
  std::vector<Status> part_status(static_cast<size_t>(parts));
  Status status;
  {
    if (sqlite_api::sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK) {
      return SqliteError(db, "begin the audit's read");
    }
    std::vector<std::thread> readers;
    ScanEnd end{db, readers};  // at the end of this block, however it is left
    int64_t first = 1, last = 0;
    status = StepAll(db, "SELECT MIN(rowid), MAX(rowid) FROM history", "read the history's extent",
                     [&](sqlite_api::sqlite3_stmt* st) {
                       if (sqlite_api::sqlite3_column_type(st, 0) == SQLITE_NULL) return;
                       first = sqlite_api::sqlite3_column_int64(st, 0);
                       last = sqlite_api::sqlite3_column_int64(st, 1);
                     });
    // Equal rowid ranges: rows are appended in rowid order, so each range is a stretch of the
    // table's pages.
    const int64_t width = last >= first ? (last - first) / parts + 1 : 1;
    auto range = [&](int p, int64_t* lo, int64_t* hi) {
      *lo = first + width * p;
      *hi = p == parts - 1 ? last : std::min(last, *lo + width - 1);
    };
    if (status.ok() && !file.empty() && last >= first) {
      readers.reserve(static_cast<size_t>(parts));
      for (int p = 0; p < parts; ++p) {
        try {
          readers.emplace_back([&, p] {
            int64_t lo, hi;
            range(p, &lo, &hi);
            part_status[static_cast<size_t>(p)] = ScanRowidsOnOwnConnection(
                file, lo, hi, [&](const StoredHistoryEntry& e) { entry(p, e); });
          });
        } catch (const std::system_error&) {
          part_status[static_cast<size_t>(p)] =
              InternalError("store: cannot start a thread to read the history");
        }
      }
    }
    if (status.ok()) {
      RequestHead r;
      bool odd_key = false;  // as for the history rows (ScanRowids)
      status = StepAll(db, "SELECT id, revision, head_hash, history_head FROM requests",
                       "read the requests", [&](sqlite_api::sqlite3_stmt* st) {
                         if (odd_key) return;
                         if (sqlite_api::sqlite3_column_type(st, 0) != SQLITE_TEXT ||
                             sqlite_api::sqlite3_column_type(st, 1) != SQLITE_INTEGER) {
                           odd_key = true;
                           return;
                         }
                         r.id.assign(Text(st, 0));
                         r.revision = sqlite_api::sqlite3_column_int64(st, 1);
                         r.head_hash.assign(Text(st, 2));
                         r.last_rowid = sqlite_api::sqlite3_column_int64(st, 3);
                         head(r);
                       });
      if (status.ok() && odd_key) {
        status = InternalError("store: a request row's key is not stored as text and integer");
      }
    }
    if (status.ok() && file.empty() && last >= first) {
      for (int p = 0; p < parts && status.ok(); ++p) {
        int64_t lo, hi;
        range(p, &lo, &hi);
        status = ScanRowids(db, lo, hi, [&](const StoredHistoryEntry& e) { entry(p, e); });
      }
    }
  }
  for (const Status& s : part_status) {
    if (status.ok() && !s.ok()) status = s;
  }
  return status;
}

}  // namespace rogatory::store_internal
