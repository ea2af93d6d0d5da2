// CONTRACT §9: reading the statistics counters (a sum over the days a query covers, never a scan
// of the requests) and replacing them all after a rebuild.
#include <map>

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

}  // namespace

Result<std::vector<StatsCell>> SqlStore::QueryStats(const StatsQuery& q) {
  return WithConnection(
      ReadPool(), "read statistics", [&](Connection& c) -> Result<std::vector<StatsCell>> {
        if (Stale(c.sql())) {
          return FailedPreconditionError(
              "statistics: this database was made before statistics were kept; run "
              "`rogatory stats --rebuild` once to count its requests");
        }
        const std::string from = q.from_day;
        const std::string to = q.to_day.empty() ? std::string(kAfterEveryDay) : q.to_day;
        std::vector<StatsCell> out;
        StatsCell cell;
        long long n = 0;
        soci::statement sum(c.sql());
        const std::string head =
            "SELECT workflow, version, kind, cell_key, CAST(SUM(n) AS BIGINT) FROM stats_cells "
            "WHERE scope = :scope AND ";
        const std::string tail =
            "day >= :from_day AND day <= :to_day GROUP BY workflow, version, kind, cell_key "
            "HAVING SUM(n) <> 0";
        if (q.workflow.empty()) {
          Prepare(sum, head + tail, into(cell.workflow), into(cell.version), into(cell.kind),
                  into(cell.key), into(n), use(q.scope), use(from), use(to));
        } else {
          Prepare(sum, head + "workflow = :workflow AND " + tail, into(cell.workflow),
                  into(cell.version), into(cell.kind), into(cell.key), into(n), use(q.scope),
                  use(q.workflow), use(from), use(to));
        }
        sum.execute();
        while (sum.fetch()) {
          cell.n = n;
          out.push_back(cell);
        }
        FinishRead(c.dialect(), sum);
        // Clocks past due that the scheduler has not lapsed yet (normally none or a few): from
        // the running-due index to the requests' statistics rows, counted once per request.
        const long long now_us = ToUnixMicros(q.now);
        std::string workflow;
        int version = 0;
        long long count = 0;
        std::string sql =
            "SELECT s.workflow, s.version, COUNT(*) FROM stats_requests s WHERE s.request_id IN "
            "(SELECT d.request_id FROM deadlines d WHERE d.paused = 0 AND d.lapsed = 0 AND "
            "d.due_at <= :now) AND s.lapsed = 0 AND s.day >= :from_day AND s.day <= :to_day";
        if (!q.workflow.empty()) sql += " AND s.workflow = :workflow";
        if (!q.scope.empty()) {
          sql +=
              " AND s.request_id IN (SELECT p.request_id FROM request_parties p WHERE "
              "p.authority = :scope)";
        }
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
    StatsCellKey k;
    long long n = 0;
    soci::statement insert_cell(c.sql());
    Prepare(insert_cell,
            "INSERT INTO stats_cells (scope, workflow, version, day, kind, cell_key, n) VALUES "
            "(:scope, :workflow, :version, :day, :kind, :cell_key, :n)",
            use(k.scope), use(k.workflow), use(k.version), use(k.day), use(k.kind), use(k.key),
            use(n));
    for (const auto& [key, count] : cells) {
      k = key;
      n = count;
      insert_cell.execute(true);
    }
    c.sql() << "UPDATE stats_state SET stale = 0 WHERE id = 1";
    tx.Commit();
    return OkStatus();
  });
}

}  // namespace rogatory::store_internal
