// CONTRACT §9: reading the statistics counters (a sum over the whole months a query covers from
// the monthly roll-ups and over its partial months' days, never a scan of the requests) and
// replacing them all after a rebuild.
#include <map>
#include <tuple>

#include "rogatory/stats_range.h"
#include "sql_store_impl.h"

namespace rogatory::store_internal {

using soci::into;
using soci::use;

namespace {

// The last day any query can name: every YYYY-MM-DD sorts before it.
constexpr char kAfterEveryDay[] = "9999-99-99";

bool Stale(soci::session& sql) {
  int stale = 0;
  soci::indicator ind = soci::i_null;
  sql << "SELECT stale FROM stats_state WHERE id = 1", into(stale, ind);
  return ind == soci::i_ok && stale != 0;
}

// Adds to `sums` the counters of `table` (stats_cells by `column` day, or stats_months by
// month) for q's scope and workflow with `column` in [lo, hi].
void SumCounters(Connection& c, const StatsQuery& q, const std::string& table,
                 const std::string& column, const std::string& lo, const std::string& hi,
                 std::map<std::tuple<std::string, int, std::string, std::string>, int64_t>* sums) {
  std::string workflow, kind, key;
  int version = 0;
  long long n = 0;
  soci::statement sum(c.sql());
  const std::string head =
      "SELECT workflow, version, kind, cell_key, CAST(SUM(n) AS BIGINT) FROM " + table +
      " WHERE scope = :scope AND ";
  const std::string tail =
      column + " >= :lo AND " + column + " <= :hi GROUP BY workflow, version, kind, cell_key";
  if (q.workflow.empty()) {
    Prepare(sum, head + tail, into(workflow), into(version), into(kind), into(key), into(n),
            use(q.scope), use(lo), use(hi));
  } else {
    Prepare(sum, head + "workflow = :workflow AND " + tail, into(workflow), into(version),
            into(kind), into(key), into(n), use(q.scope), use(q.workflow), use(lo), use(hi));
  }
  sum.execute();
  while (sum.fetch()) (*sums)[{workflow, version, kind, key}] += n;
  FinishRead(c.dialect(), sum);
}

// Inserts `counters` into `table`: stats_cells, keyed by `column` day, or stats_months, keyed by
// month (a month key carries its month in StatsCellKey::day, as StatsMonthKey makes it).
void InsertCounters(Connection& c, const std::string& table, const std::string& column,
                    const std::map<StatsCellKey, int64_t>& counters) {
  StatsCellKey k;
  long long n = 0;
  soci::statement insert(c.sql());
  Prepare(insert,
          "INSERT INTO " + table + " (scope, workflow, version, " + column +
              ", kind, cell_key, n) VALUES (:scope, :workflow, :version, :" + column +
              ", :kind, :cell_key, :n)",
          use(k.scope), use(k.workflow), use(k.version), use(k.day), use(k.kind), use(k.key),
          use(n));
  for (const auto& [key, count] : counters) {
    k = key;
    n = count;
    insert.execute(true);
  }
}

}  // namespace

Result<std::vector<StatsCell>> SqlStore::QueryStats(const StatsQuery& q) {
  return WithConnection(
      ReadPool(), "read statistics", [&](Connection& c) -> Result<std::vector<StatsCell>> {
        if (Stale(c.sql())) {
          return FailedPreconditionError(
              "statistics: this database was made before statistics were kept; run "
              "`rogatory stats --rebuild` once to count its requests");
        }
        // Whole months from the roll-ups, partial months' days from the day counters.
        std::map<std::tuple<std::string, int, std::string, std::string>, int64_t> sums;
        const StatsRangeParts parts = SplitStatsRange(q.from_day, q.to_day);
        if (parts.has_months) {
          SumCounters(c, q, "stats_months", "month", parts.from_month, parts.to_month, &sums);
        }
        for (const auto& [lo, hi] : parts.day_ranges) {
          SumCounters(c, q, "stats_cells", "day", lo, hi, &sums);
        }
        std::vector<StatsCell> out;
        for (const auto& [k, n] : sums) {
          if (n == 0) continue;
          out.push_back(
              StatsCell{std::get<0>(k), std::get<1>(k), std::get<2>(k), std::get<3>(k), n});
        }
        const std::string from = q.from_day;
        const std::string to = q.to_day.empty() ? std::string(kAfterEveryDay) : q.to_day;
        // Clocks past due that the scheduler has not lapsed yet (normally none or a few): from
        // the running-due index to the requests' statistics rows, counted once per request.
        const long long now_us = ToUnixMicros(q.now);
        std::string workflow;
        int version = 0;
        long long count = 0;
        // On PostgreSQL each due request's row is read by key (a LATERAL subquery, kept apart by
        // OFFSET 0). Written as IN, the planner estimated 31,000 due clocks where 88 were and
        // hashed them against a scan of every statistics row: 226 ms at a million requests,
        // against 12 ms by key. A scheduler days behind (200,000 clocks due) makes the lookups
        // cost more than that scan (1.1 s against 0.4 s): slower, never wrong.
        const bool pg = c.dialect().postgres();
        std::string sql =
            pg ? "SELECT s.workflow, s.version, COUNT(*) FROM (SELECT DISTINCT d.request_id FROM "
                 "deadlines d WHERE d.paused = 0 AND d.lapsed = 0 AND d.due_at <= :now) AS due "
                 "CROSS JOIN LATERAL (SELECT s.workflow, s.version FROM stats_requests s WHERE "
                 "s.request_id = due.request_id AND s.lapsed = 0 AND s.day >= :from_day AND "
                 "s.day <= :to_day"
               : "SELECT s.workflow, s.version, COUNT(*) FROM stats_requests s WHERE s.request_id "
                 "IN (SELECT d.request_id FROM deadlines d WHERE d.paused = 0 AND d.lapsed = 0 AND "
                 "d.due_at <= :now) AND s.lapsed = 0 AND s.day >= :from_day AND s.day <= :to_day";
        if (!q.workflow.empty()) sql += " AND s.workflow = :workflow";
        if (!q.scope.empty()) {
          sql +=
              " AND s.request_id IN (SELECT p.request_id FROM request_parties p WHERE "
              "p.authority = :scope)";
        }
        if (pg) sql += " OFFSET 0) AS s";
        sql += " GROUP BY s.workflow, s.version";
        soci::statement due(c.sql());
        due.exchange(into(workflow));
        due.exchange(into(version));
        due.exchange(into(count));
        due.exchange(use(now_us));
        due.exchange(use(from));
        due.exchange(use(to));
        if (!q.workflow.empty()) due.exchange(use(q.workflow));
        if (!q.scope.empty()) due.exchange(use(q.scope));
        due.alloc();
        due.prepare(sql);
        due.define_and_bind();
        due.execute();
        while (due.fetch()) {
          out.push_back(StatsCell{workflow, version, "overdue_running", "", count});
        }
        FinishRead(c.dialect(), due);
        return out;
      });
}

Status SqlStore::ReplaceStats(const std::vector<StatsRecord>& records) {
  return WithConnection(WritePool(), "rebuild statistics", [&](Connection& c) -> Status {
    WriteTransaction tx(c);
    c.sql() << "DELETE FROM stats_cells";
    c.sql() << "DELETE FROM stats_months";
    c.sql() << "DELETE FROM stats_requests";
    std::string id, text;
    soci::statement insert_record(c.sql());
    std::string workflow, day;
    int version = 0, lapsed = 0;
    Prepare(insert_record,
            "INSERT INTO stats_requests (request_id, workflow, version, day, lapsed, record) "
            "VALUES (:id, :workflow, :version, :day, :lapsed, :record)",
            use(id), use(workflow), use(version), use(day), use(lapsed), use(text));
    std::map<StatsCellKey, int64_t> cells;
    for (const StatsRecord& r : records) {
      id = r.request_id;
      workflow = r.workflow;
      version = r.version;
      day = r.created_day;
      lapsed = r.lapsed_now ? 1 : 0;
      text = StatsRecordToText(r);
      insert_record.execute(true);
      for (const auto& [key, n] : StatsDelta(nullptr, &r)) cells[key] += n;
    }
    std::map<StatsCellKey, int64_t> months;
    for (const auto& [key, count] : cells) {
      if (count != 0) months[StatsMonthKey(key)] += count;
    }
    InsertCounters(c, "stats_cells", "day", cells);
    InsertCounters(c, "stats_months", "month", months);
    c.sql() << "UPDATE stats_state SET stale = 0 WHERE id = 1";
    tx.Commit();
    return OkStatus();
  });
}

}  // namespace rogatory::store_internal
