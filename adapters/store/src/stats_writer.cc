#include "stats_writer.h"

#include <map>
#include <optional>

#include "connection.h"
#include "rogatory/canonical_json.h"
#include "rogatory/stats_range.h"

namespace rogatory::store_internal {

using soci::into;
using soci::use;

StatsWriter::StatsWriter(soci::session& sql, const Dialect& dialect, LastWrites* last_writes)
    : dialect_(dialect),
      last_writes_(last_writes),
      select_record_(sql),
      select_records_(sql),
      upsert_record_(sql),
      upsert_cell_(sql),
      upsert_month_(sql) {
  Prepare(select_record_, "SELECT record FROM stats_requests WHERE request_id = :id",
          into(record_text_, record_ind_), use(request_id_));
  // Prefetch (PostgreSQL only): the batch's ids arrive as one JSON array of strings.
  if (dialect.postgres()) {
    Prepare(select_records_,
            "SELECT request_id, record FROM stats_requests WHERE request_id IN "
            "(SELECT jsonb_array_elements_text(CAST(:ids AS jsonb)))",
            into(prefetch_id_), into(prefetch_text_), use(prefetch_ids_));
  }
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

void StatsWriter::Prefetch(const std::vector<const Mutation*>& batch) {
  prefetched_.clear();
  // On SQLite a statement is no round trip: each step's own SELECT costs less than building
  // and reading the list.
  if (!dialect_.postgres()) return;
  prefetch_ids_ = "[";
  for (const Mutation* m : batch) {
    if (m->expected_revision == 0) continue;
    if (!prefetched_.emplace(m->request.id, std::nullopt).second) continue;
    if (prefetch_ids_.size() > 1) prefetch_ids_ += ',';
    AppendCanonicalJsonString(&prefetch_ids_, m->request.id);
  }
  prefetch_ids_ += ']';
  if (prefetched_.empty()) return;
  select_records_.execute();
  while (select_records_.fetch()) {
    auto it = prefetched_.find(prefetch_id_);
    if (it != prefetched_.end()) it->second = std::move(prefetch_text_);
  }
  FinishRead(dialect_, select_records_);
}

Status StatsWriter::Write(const Mutation& m) {
  request_id_ = m.request.id;
  const StatsRecord* before = nullptr;       // the stored record, when there is one
  const std::string* stored_text = nullptr;  // and its text
  std::optional<StatsRecord> read;           // the stored record when read from the database here
  const LastWrites::Entry* known =
      m.expected_revision != 0 ? last_writes_->Stats(m.request.id) : nullptr;
  if (known != nullptr) {
    // As this connection last wrote it, and nobody has written since (LastWrites).
    before = &*known->stats;
    stored_text = &known->stats_text;
  } else if (m.expected_revision != 0) {
    bool found = false;
    auto prefetched = prefetched_.find(m.request.id);
    if (prefetched != prefetched_.end()) {
      found = prefetched->second.has_value();
      if (found) record_text_ = std::move(*prefetched->second);
      prefetched_.erase(prefetched);  // used once: a later step of it starts from what this wrote
    } else {
      record_ind_ = soci::i_null;
      found = select_record_.execute(true) && record_ind_ == soci::i_ok;
      // Reset at once: an SQLite statement left on its row keeps a read snapshot open past the
      // commit, and this connection's next BEGIN IMMEDIATE then fails (SQLITE_BUSY_SNAPSHOT,
      // without waiting) as soon as another connection has written.
      FinishRead(dialect_, select_record_);
    }
    if (found) {
      Result<StatsRecord> r = StatsRecordFromText(record_text_);
      if (!r.ok()) {
        return InternalError("store: the statistics record of request " + m.request.id +
                             " is unreadable; run `rogatory stats --rebuild`");
      }
      read = std::move(*r);
      before = &*read;
      stored_text = &record_text_;
    }
  }
  StatsRecord after = NextStatsRecord(before, m.request, m.history, m.stats);
  std::map<StatsCellKey, int64_t> delta = StatsDelta(before, &after);
  if (defer_) {
    for (auto& [key, n] : delta) queued_.emplace_back(key, n);
  } else {
    AddCells(delta);
  }
  // Most steps (a note, a reminder, an answer that stays in its state) leave the record as it
  // was: its text, and with it the version and lapsed columns, is then not written again (one
  // statement and, among many requests, one page less per step). A record this connection kept
  // (`known`) is compared as it is, the text it wrote being the one stored: not even rendered.
  if (known != nullptr && after == *before) {
    next_text_ = *stored_text;  // copied now: Update below may move the entry it lies in
  } else {
    StatsRecordToText(after, &next_text_);
  }
  if (stored_text == nullptr || next_text_ != *stored_text) {
    record_text_ = next_text_;
    record_workflow_ = after.workflow;
    record_version_ = after.version;
    record_day_ = after.created_day;
    record_lapsed_ = after.lapsed_now ? 1 : 0;
    upsert_record_.execute(true);
  }
  // Last, once the record is written (`before` and `known` may point into what this changes).
  LastWrites::Entry& written = last_writes_->Update(m.request.id);
  written.stats = std::move(after);
  written.stats_text = next_text_;  // a copy: next_text_ keeps its buffer for the next step
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
