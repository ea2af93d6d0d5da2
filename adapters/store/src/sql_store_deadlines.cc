// Deadline claims for the scheduler, and the overdue gauge.
#include <soci/soci.h>

#include "sql_store_impl.h"

namespace rogatory::store_internal {

using soci::into;
using soci::use;

Result<std::vector<DueDeadline>> SqlStore::ClaimDueDeadlines(TimePoint now,
                                                             const std::string& owner,
                                                             Duration lease, int limit) {
  if (limit <= 0) return std::vector<DueDeadline>();
  return WithConnection(
      WritePool(), "claim due deadlines", [&](Connection& c) -> Result<std::vector<DueDeadline>> {
        const long long now_us = ToUnixMicros(now);
        const long long until_us = ToUnixMicros(now + lease);
        WriteTransaction tx(c, KeptRows::kUntouched);
        std::string request_id, name;
        long long due_at = 0;
        // PostgreSQL: rows another node is claiming right now are skipped, not waited for; a row
        // whose lease lapsed (its claimer died) is claimable again.
        soci::statement select(c.sql());
        Prepare(
            select,
            "SELECT request_id, name, due_at FROM deadlines WHERE paused = 0 AND "
            "lapsed = 0 AND due_at <= :now AND (claimed_until IS NULL OR claimed_until <= :now2) "
            "ORDER BY due_at, request_id, name LIMIT :limit" +
                c.dialect().SkipLocked("deadlines"),
            into(request_id), into(name), into(due_at), use(now_us), use(now_us), use(limit));
        std::vector<DueDeadline> due;
        select.execute();
        while (select.fetch()) due.push_back({request_id, name, FromUnixMicros(due_at)});
        FinishRead(c.dialect(), select);
        if (due.empty()) return due;
        soci::statement claim(c.sql());
        Prepare(claim,
                "UPDATE deadlines SET claimed_by = :owner, claimed_until = :until "
                "WHERE request_id = :request_id AND name = :name",
                use(owner), use(until_us), use(request_id), use(name));
        for (const DueDeadline& d : due) {
          request_id = d.request_id;
          name = d.name;
          claim.execute(true);
        }
        tx.Commit();
        return due;
      });
}

Result<int64_t> SqlStore::CountOverdueDeadlines(TimePoint now) {
  return WithConnection(
      ReadPool(), "count overdue deadlines", [&](Connection& c) -> Result<int64_t> {
        const long long now_us = ToUnixMicros(now);
        long long n = 0;
        // Clocks the scheduler has yet to lapse; lapsed ones are listed by `overdue=true`.
        c.sql() << "SELECT COUNT(*) FROM deadlines WHERE paused = 0 AND lapsed = 0 AND "
                   "due_at < :now",
            into(n), use(now_us);
        return static_cast<int64_t>(n);
      });
}

}  // namespace rogatory::store_internal
