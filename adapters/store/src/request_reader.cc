#include "request_reader.h"

#include <algorithm>
#include <iterator>

#include "connection.h"
#include "history_links.h"

namespace rogatory::store_internal {

using soci::into;
using soci::use;

void IntoRequestRow(soci::statement& st, RequestRow& r) {
  st.exchange(into(r.id));
  st.exchange(into(r.workflow));
  st.exchange(into(r.version));
  st.exchange(into(r.state));
  st.exchange(into(r.phase));
  st.exchange(into(r.revision));
  st.exchange(into(r.data));
  st.exchange(into(r.refs));
  st.exchange(into(r.deadlines));
  st.exchange(into(r.created_at));
  st.exchange(into(r.updated_at));
  st.exchange(into(r.head_hash));
  st.exchange(into(r.parties));
}

RequestReader::RequestReader(soci::session& sql, const Dialect& d)
    : dialect_(d),
      get_request_(sql),
      get_history_(sql),
      request_exists_(sql),
      find_idempotency_(sql),
      sql_(sql) {
  IntoRequestRow(get_request_, request_);
  Prepare(get_request_, std::string("SELECT ") + kRequestColumns + " FROM requests WHERE id = :id",
          use(id_));
  HistoryRow& h = history_;
  // SQLite (schema 12): the rows walked from the request's last, then the hole flag
  // (history_links.h); PostgreSQL reads by its key, never a hole.
  Prepare(get_history_,
          d.sqlite() ? LinkedHistoryOfRequestSql()
                     : std::string("SELECT ") + kHistoryColumns +
                           ", 0 FROM history WHERE request_id = :id ORDER BY seq",
          into(h.request_id), into(h.seq), into(h.event), into(h.from_state), into(h.to_state),
          into(h.actor), into(h.at), into(h.data), into(h.comment), into(h.prev_hash), into(h.hash),
          into(h.authority), into(h.hole), use(id_));
  Prepare(request_exists_, "SELECT COUNT(*) FROM requests WHERE id = :id", into(exists_), use(id_));
  Prepare(find_idempotency_,
          "SELECT fingerprint, response, created_at FROM idempotency "
          "WHERE actor = :actor AND idem_key = :key",
          into(idem_.fingerprint), into(idem_.response), into(idem_created_at_), use(actor_),
          use(key_));
}

Result<Request> RequestReader::GetRequest(const RequestId& id) {
  id_ = id;
  const bool found = get_request_.execute(true);
  FinishRead(dialect_, get_request_);
  if (!found) return NotFoundError("request " + id + " not found");
  return FromRow(request_);
}

Status RequestReader::ReadHistoryByScan(const RequestId& id, std::vector<HistoryEntry>* out) {
  if (history_by_scan_ == nullptr) {
    HistoryRow& h = history_;
    history_by_scan_ = std::make_unique<soci::statement>(sql_);
    Prepare(*history_by_scan_, HistoryOfRequestByScanSql(), into(h.request_id), into(h.seq),
            into(h.event), into(h.from_state), into(h.to_state), into(h.actor), into(h.at),
            into(h.data), into(h.comment), into(h.prev_hash), into(h.hash), into(h.authority),
            use(scan_id_));
  }
  scan_id_ = id;
  Status damaged;
  history_by_scan_->execute();
  while (history_by_scan_->fetch()) {
    Result<HistoryEntry> e = FromRow(history_);
    if (!e.ok()) {
      damaged = e.status();
      break;
    }
    out->push_back(std::move(e).value());
  }
  FinishRead(dialect_, *history_by_scan_);
  return damaged;
}

Result<std::vector<HistoryEntry>> RequestReader::GetHistory(const RequestId& id) {
  id_ = id;
  std::vector<HistoryEntry> out;
  Status damaged;
  bool hole = false;
  get_history_.execute();
  while (get_history_.fetch()) {
    if (history_.hole != 0) {
      hole = true;
      break;
    }
    Result<HistoryEntry> e = FromRow(history_);
    if (!e.ok()) {
      damaged = e.status();
      break;
    }
    out.push_back(std::move(e).value());
  }
  FinishRead(dialect_, get_history_);
  if (hole) ROGATORY_RETURN_IF_ERROR(ReadHistoryByScan(id, &out));
  if (!damaged.ok()) return damaged;
  if (out.empty()) {
    // Every request has its creation entry: no history means no request (checked to be sure).
    request_exists_.execute(true);
    FinishRead(dialect_, request_exists_);
    if (exists_ == 0) return NotFoundError("request " + id + " not found");
  }
  return out;
}

void RequestReader::PrepareHistoryRange() {
  if (history_range_ != nullptr) return;
  HistoryRow& h = history_;
  history_range_ = std::make_unique<soci::statement>(sql_);
  Prepare(*history_range_,
          dialect_.sqlite() ? LinkedHistoryOfRangeSql()
                            : std::string("SELECT ") + kHistoryColumns +
                                  ", 0 FROM history WHERE request_id >= :first AND request_id <= "
                                  ":last ORDER BY request_id, seq",
          into(h.request_id), into(h.seq), into(h.event), into(h.from_state), into(h.to_state),
          into(h.actor), into(h.at), into(h.data), into(h.comment), into(h.prev_hash), into(h.hash),
          into(h.authority), into(h.hole), use(first_), use(last_));
}

Result<std::vector<HistoryEntry>> RequestReader::GetHistoryRange(const RequestId& first,
                                                                 const RequestId& last) {
  PrepareHistoryRange();
  first_ = first;
  last_ = last;
  std::vector<HistoryEntry> out;
  Status damaged;
  std::vector<RequestId> holed;  // requests whose walk has a hole, read by scan below
  history_range_->execute();
  while (history_range_->fetch()) {
    if (history_.hole != 0) {
      if (holed.empty() || holed.back() != history_.request_id) {
        holed.push_back(history_.request_id);
      }
      continue;
    }
    if (!holed.empty() && holed.back() == history_.request_id) continue;  // its walk's rows
    Result<HistoryEntry> e = FromRow(history_);
    if (!e.ok()) {
      damaged = e.status();
      break;
    }
    out.push_back(std::move(e).value());
  }
  FinishRead(dialect_, *history_range_);
  if (!damaged.ok()) return damaged;
  for (const RequestId& id : holed) {
    // In place of the walk's rows: after every row of an earlier request id.
    std::vector<HistoryEntry> rows;
    ROGATORY_RETURN_IF_ERROR(ReadHistoryByScan(id, &rows));
    const auto at = std::partition_point(out.begin(), out.end(),
                                         [&](const HistoryEntry& e) { return e.request_id <= id; });
    out.insert(at, std::make_move_iterator(rows.begin()), std::make_move_iterator(rows.end()));
  }
  return out;
}

Status RequestReader::ScanAll(int parts, const std::function<void(const RequestHead&)>& head,
                              const std::function<void(int, const StoredHistoryEntry&)>& entry) {
  if (!dialect_.sqlite()) return InternalError("store: only SQLite scans its tables in one pass");
  if (sqlite_scan_ == nullptr) sqlite_scan_ = std::make_unique<SqliteHistoryScan>(sql_);
  return sqlite_scan_->ScanAll(parts, head, entry);
}

Status RequestReader::VisitHistoryRange(
    const RequestId& first, const RequestId& last,
    const std::function<void(const StoredHistoryEntry&)>& visit) {
  if (dialect_.sqlite()) {
    if (sqlite_scan_ == nullptr) sqlite_scan_ = std::make_unique<SqliteHistoryScan>(sql_);
    return sqlite_scan_->Visit(first, last, visit);
  }
  PrepareHistoryRange();
  first_ = first;
  last_ = last;
  const HistoryRow& h = history_;
  StoredHistoryEntry view;
  history_range_->execute();
  while (history_range_->fetch()) {
    view.request_id = h.request_id;
    view.seq = h.seq;
    view.event = h.event;
    view.from_state = h.from_state;
    view.to_state = h.to_state;
    view.actor = h.actor;
    view.at_us = h.at;
    view.data = h.data;
    view.comment = h.comment;
    view.prev_hash = h.prev_hash;
    view.hash = h.hash;
    view.authority = h.authority;
    visit(view);
  }
  FinishRead(dialect_, *history_range_);
  return OkStatus();
}

std::optional<IdempotencyRecord> RequestReader::FindIdempotency(const std::string& actor,
                                                                const std::string& key) {
  actor_ = actor;
  key_ = key;
  const bool found = find_idempotency_.execute(true);
  FinishRead(dialect_, find_idempotency_);
  if (!found) return std::nullopt;
  IdempotencyRecord record = idem_;
  record.actor = actor;
  record.key = key;
  record.created_at = FromUnixMicros(idem_created_at_);
  return record;
}

}  // namespace rogatory::store_internal
