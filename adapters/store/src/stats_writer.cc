#include "stats_writer.h"

#include <map>
#include <optional>

#include "connection.h"
#include "rogatory/stats_range.h"

namespace rogatory::store_internal {

using soci::into;
using soci::use;

StatsWriter::StatsWriter(soci::session& sql, const Dialect& dialect)
    : dialect_(dialect),
      select_record_(sql),
      upsert_record_(sql),
      upsert_cell_(sql),
      upsert_month_(sql) {
  Prepare(select_record_, "SELECT record FROM stats_requests WHERE request_id = :id",
          into(record_text_, record_ind_), use(request_id_));
  Prepare(upsert_record_,
          "INSERT INTO stats_requests (request_id, workflow, version, day, lapsed, record) "
          "VALUES (:id, :workflow, :version, :day, :lapsed, :record) ON CONFLICT (request_id) DO "
          "UPDATE SET version = excluded.version, lapsed = excluded.lapsed, "
          "record = excluded.record",
          use(request_id_), use(record_workflow_), use(record_version_), use(record_day_),
          use(record_lapsed_), use(record_text_));
  Prepare(upsert_cell_,
          "INSERT INTO stats_cells (scope, workflow, version, day, kind, cell_key, n) VALUES "
          "(:scope, :workflow, :version, :day, :kind, :cell_key, :n) ON CONFLICT (scope, "
          "workflow, version, day, kind, cell_key) DO UPDATE SET n = stats_cells.n + excluded.n",
          use(scope_), use(workflow_), use(version_), use(day_), use(kind_), use(key_), use(n_));
  // The same difference to the month's roll-up (schema 9), bound to the same values.
  Prepare(upsert_month_,
          "INSERT INTO stats_months (scope, workflow, version, month, kind, cell_key, n) VALUES "
          "(:scope, :workflow, :version, :month, :kind, :cell_key, :n) ON CONFLICT (scope, "
          "workflow, version, kind, cell_key, month) DO UPDATE SET n = stats_months.n + "
          "excluded.n",
          use(scope_), use(workflow_), use(version_), use(month_), use(kind_), use(key_), use(n_));
}

Status StatsWriter::Write(const Mutation& m) {
  request_id_ = m.request.id;
  std::optional<StatsRecord> before;
  if (m.expected_revision != 0) {
    record_ind_ = soci::i_null;
    const bool found = select_record_.execute(true) && record_ind_ == soci::i_ok;
    // Reset at once: an SQLite statement left on its row keeps a read snapshot open past the
    // commit, and this connection's next BEGIN IMMEDIATE then fails (SQLITE_BUSY_SNAPSHOT,
    // without waiting) as soon as another connection has written.
    FinishRead(dialect_, select_record_);
    if (found) {
      Result<StatsRecord> r = StatsRecordFromText(record_text_);
      if (!r.ok()) {
        return InternalError("store: the statistics record of request " + m.request.id +
                             " is unreadable; run `rogatory stats --rebuild`");
      }
      before = std::move(*r);
    }
  }
  const StatsRecord after =
      NextStatsRecord(before ? &*before : nullptr, m.request, m.history, m.stats);
  std::map<StatsCellKey, int64_t> delta = StatsDelta(before ? &*before : nullptr, &after);
  if (defer_) {
    for (auto& [key, n] : delta) queued_.emplace_back(key, n);
  } else {
    AddCells(delta);
  }
  request_id_ = m.request.id;
  record_workflow_ = after.workflow;
  record_version_ = after.version;
  record_day_ = after.created_day;
  record_lapsed_ = after.lapsed_now ? 1 : 0;
  StatsRecordToText(after, &record_text_);
  upsert_record_.execute(true);
  return OkStatus();
}

void StatsWriter::AddCells(const std::map<StatsCellKey, int64_t>& cells) {
  // Every day counter first, then every month's roll-up, each in key order: whatever counters
  // two transactions share, they lock them in the same order.
  std::map<StatsCellKey, int64_t> months;
  for (const auto& [key, n] : cells) {
    if (n == 0) continue;
    Bind(key, n);
    upsert_cell_.execute(true);
    months[StatsMonthKey(key)] += n;
  }
  for (const auto& [key, n] : months) {
    if (n == 0) continue;
    Bind(key, n);
    month_ = key.day;  // StatsMonthKey puts YYYY-MM in `day`
    upsert_month_.execute(true);
  }
}

void StatsWriter::Bind(const StatsCellKey& key, int64_t n) {
  scope_ = key.scope;
  workflow_ = key.workflow;
  version_ = key.version;
  day_ = key.day;
  kind_ = key.kind;
  key_ = key.key;
  n_ = n;
}

void StatsWriter::Flush() {
  std::map<StatsCellKey, int64_t> sums;
  for (auto& [key, n] : queued_) sums[std::move(key)] += n;
  queued_.clear();
  AddCells(sums);
}

}  // namespace rogatory::store_internal
