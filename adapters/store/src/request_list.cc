// The overdue list has two regimes, and each needs a different walk to stay an index walk:
// - few clocks due (a scheduler that keeps up): the due-time index names them all; read those
//   requests in id order (cost: the number due);
// - many due (2% of a million requests overdue is 20,000): reading every due row per page grows
//   with them, while a walk of the candidates in id order, each checked against its own deadline
//   rows, finds a page within a few thousand steps.
// A cheap capped count of the due rows picks the regime; a walk that finds too few (a selective
// filter) hands over to the due-time index from where it stopped, so the page is exact either way.
#include "request_list.h"

#include <soci/soci.h>

#include <algorithm>
#include <string>
#include <vector>

#include "request_reader.h"
#include "row_codec.h"

namespace rogatory::store_internal {
namespace {

using soci::into;
using soci::use;

// The values a list query binds. SOCI binds by reference, so they live as long as the call.
struct Binds {
  explicit Binds(const RequestQuery& query) : q(query) {}
  const RequestQuery& q;
  std::string after;
  std::string phase;
  std::string driver;  // the authority whose party index drives the walk, if any
  std::string also;    // a second authority the request must have as a party
  long long now = 0;
  int rows = 0;
  int walk = 0;
};

// The overdue condition on one deadline row (Request::IsOverdue, CONTRACT §7).
constexpr char kRowOverdue[] = "(lapsed = 1 OR (paused = 0 AND due_at <= :now))";

// Appends FROM and WHERE with q's filters to `sql`, exchanging their values on `st`; returns the
// column that orders the walk. Each filter in use appears, so SQLite and PostgreSQL pick its
// index: one filter's (workflow, state, phase), or two filters' (workflow with state or phase).
// `checks_only`: the rows come from elsewhere (the due-time index), so on SQLite each filter is
// written `+column` to keep the planner from walking that filter's index over every request.
const char* AppendFilters(Binds& b, bool lite, bool checks_only, soci::statement& st,
                          std::string& sql) {
  const RequestQuery& q = b.q;
  const char* id = "id";
  if (!b.driver.empty()) {
    // CONTRACT §8: the party index drives the query (CROSS JOIN keeps SQLite from choosing
    // another order). `requests.id > :after_r` repeats the cursor for the requests side:
    // PostgreSQL does not carry an inequality across the join, and its generic plan (a merge
    // join) otherwise walked the requests key from the first id to `after`.
    sql +=
        " FROM request_parties CROSS JOIN requests WHERE requests.id = request_id"
        " AND authority = :party AND request_id > :after AND requests.id > :after_r";
    st.exchange(use(b.driver));
    st.exchange(use(b.after));
    st.exchange(use(b.after));
    if (!b.also.empty() && b.also != b.driver) {
      sql +=
          " AND EXISTS (SELECT 1 FROM request_parties p2 WHERE p2.authority = :also"
          " AND p2.request_id = requests.id)";
      st.exchange(use(b.also));
    }
    id = "request_id";
  } else {
    sql += " FROM requests WHERE id > :after";
    st.exchange(use(b.after));
  }
  const std::string check = checks_only && lite ? "+" : "";
  if (!q.workflow.empty()) {
    sql += " AND " + check + "workflow = :workflow";
    st.exchange(use(q.workflow));
  }
  if (!q.state.empty()) {
    sql += " AND " + check + "state = :state";
    st.exchange(use(q.state));
  }
  if (q.phase) {
    sql += " AND " + check + "phase = :phase";
    st.exchange(use(b.phase));
  }
  return id;
}

// The first :n running clocks due by :now after the cursor named `after`, in id order: read
// through the index by due time, then the first n sorted (a sort of n rows, not of every due
// id). PostgreSQL would rather walk the deadlines' primary key in id order, filtering, which
// reads every clock before the first due one (14 ms at 330,000 requests, against 2.5 ms); the
// OFFSET 0 fence keeps the inner scan on the due-time index.
std::string RunningDue(bool lite, const std::string& after, const char* n) {
  if (lite) {
    return "SELECT request_id FROM deadlines INDEXED BY deadlines_running_due"
           " WHERE paused = 0 AND lapsed = 0 AND due_at <= :now AND request_id > :" +
           after + " ORDER BY request_id LIMIT :" + n;
  }
  return "SELECT request_id FROM (SELECT request_id FROM deadlines WHERE paused = 0 AND"
         " lapsed = 0 AND due_at <= :now AND request_id > :" +
         after + " OFFSET 0) AS due_rows ORDER BY request_id LIMIT :" + n;
}

// The first :n lapsed clocks after the cursor named `after`, in id order (an index in id order).
std::string LapsedIds(bool lite, const std::string& after, const char* n) {
  return std::string("SELECT request_id FROM deadlines") +
         (lite ? " INDEXED BY deadlines_lapsed" : "") +
         " WHERE lapsed = 1 AND request_id > :" + after + " ORDER BY request_id LIMIT :" + n;
}

// The due-time indexes' ids after the cursor, each index's first n in id order (:now, the
// cursor, n, the cursor, n bound by the caller).
std::string DueIds(bool lite, const char* running_name, const char* lapsed_name) {
  return "SELECT request_id FROM (" + RunningDue(lite, running_name, "n") +
         ") AS running UNION SELECT request_id FROM (" + LapsedIds(lite, lapsed_name, "n2") +
         ") AS lapsed";
}

// Appends up to b.rows requests after b.after matching q's filters to `out`, in id order.
Status ReadRows(Connection& c, Binds& b, std::vector<Request>* out) {
  RequestRow r;
  soci::statement st(c.sql());
  IntoRequestRow(st, r);
  std::string sql = std::string("SELECT ") + kRequestColumns;
  const std::string id = AppendFilters(b, c.dialect().sqlite(), false, st, sql);
  sql += " ORDER BY " + id + " LIMIT :limit";
  st.exchange(use(b.rows));
  st.alloc();
  st.prepare(sql);
  st.define_and_bind();
  st.execute();
  Status damaged;
  while (st.fetch()) {
    Result<Request> request = FromRow(r);
    if (!request.ok()) {
      damaged = request.status();
      break;
    }
    out->push_back(std::move(request).value());
  }
  FinishRead(c.dialect(), st);
  return damaged;
}

// One round of ReadDueRows without a filter: the first b.rows requests among the due ids (up
// to `bound`, if set), each read by its key.
Result<int> ReadUnfilteredDue(Connection& c, Binds& b, int& n, std::string& bound,
                              std::vector<Request>* out) {
  const bool lite = c.dialect().sqlite();
  RequestRow r;
  soci::statement st(c.sql());
  IntoRequestRow(st, r);
  std::string sql = std::string("SELECT ") + kRequestColumns;
  const std::string id = AppendFilters(b, lite, true, st, sql);
  const std::string due = DueIds(lite, "after2", "after3");
  sql += lite ? " AND " + id + " IN (" + due + ")" : " AND " + id + " = ANY(ARRAY(" + due + "))";
  st.exchange(use(b.now));
  st.exchange(use(b.after));
  st.exchange(use(n));
  st.exchange(use(b.after));
  st.exchange(use(n));
  if (!bound.empty()) {
    sql += " AND " + id + " <= :bound";
    st.exchange(use(bound));
  }
  sql += " ORDER BY " + id + " LIMIT :limit";
  st.exchange(use(b.rows));
  st.alloc();
  st.prepare(sql);
  st.define_and_bind();
  st.execute();
  int found = 0;
  Status damaged;
  while (st.fetch()) {
    Result<Request> request = FromRow(r);
    if (!request.ok()) {
      damaged = request.status();
      break;
    }
    out->push_back(std::move(request).value());
    ++found;
  }
  FinishRead(c.dialect(), st);
  if (!damaged.ok()) return damaged;
  return found;
}

// One round of ReadDueRows with filters: the due ids in id order, each checked in the filters'
// own indexes (requests by workflow, state, phase; the party index), never in the requests
// table, whose rows are large and, at a million requests, mostly not in memory (checking 19,000
// due ids there took seconds); only the matching requests are then read by their key.
Result<int> ReadFilteredDue(Connection& c, Binds& b, int& n, std::string& bound,
                            std::vector<Request>* out) {
  const RequestQuery& q = b.q;
  const bool by_request = !q.workflow.empty() || !q.state.empty() || q.phase;
  std::string id;
  soci::statement st(c.sql());
  st.exchange(into(id));
  std::string sql = "SELECT due.request_id FROM (" +
                    DueIds(c.dialect().sqlite(), "after2", "after3") + ") AS due";
  st.exchange(use(b.now));
  st.exchange(use(b.after));
  st.exchange(use(n));
  st.exchange(use(b.after));
  st.exchange(use(n));
  // CROSS JOIN: the due ids are the outer loop (SQLite keeps that order).
  if (by_request) sql += " CROSS JOIN requests AS r";
  if (!b.driver.empty()) sql += " CROSS JOIN request_parties AS p";
  sql += " WHERE 1 = 1";
  if (by_request) sql += " AND r.id = due.request_id";
  if (!q.workflow.empty()) {
    sql += " AND r.workflow = :workflow";
    st.exchange(use(q.workflow));
  }
  if (!q.state.empty()) {
    sql += " AND r.state = :state";
    st.exchange(use(q.state));
  }
  if (q.phase) {
    sql += " AND r.phase = :phase";
    st.exchange(use(b.phase));
  }
  if (!b.driver.empty()) {
    sql += " AND p.authority = :party AND p.request_id = due.request_id";
    st.exchange(use(b.driver));
    if (!b.also.empty() && b.also != b.driver) {
      sql +=
          " AND EXISTS (SELECT 1 FROM request_parties p2 WHERE p2.authority = :also"
          " AND p2.request_id = due.request_id)";
      st.exchange(use(b.also));
    }
  }
  if (!bound.empty()) {
    sql += " AND due.request_id <= :bound";
    st.exchange(use(bound));
  }
  sql += " ORDER BY due.request_id LIMIT :limit";
  st.exchange(use(b.rows));
  st.alloc();
  st.prepare(sql);
  st.define_and_bind();
  st.execute();
  std::vector<std::string> ids;
  while (st.fetch()) ids.push_back(id);
  FinishRead(c.dialect(), st);
  for (const std::string& match : ids) {
    ROGATORY_ASSIGN_OR_RETURN(Request r, c.reader().GetRequest(match));
    out->push_back(std::move(r));
  }
  return static_cast<int>(ids.size());
}

// Appends up to b.rows overdue requests after b.after matching q's filters to `out`, in id
// order, found through the due-time indexes. Each round takes the first `n` ids of each index
// after the cursor (a bounded sort, not every due id), reads the requests among them up to the
// last id both lists are complete to, and grows `n` while a selective filter leaves the page
// short. Each planner is steered there: SQLite, without statistics on due_at's spread, would
// rather walk the deadlines' primary key from `after` (every clock), so it is told the indexes;
// PostgreSQL gets the ids as an array to look up (it merge-joined the whole requests key).
Status ReadDueRows(Connection& c, Binds& b, std::vector<Request>* out) {
  const bool lite = c.dialect().sqlite();
  // Without a filter each due id is a request of the page; with one, most are not, so the
  // rounds start larger and grow faster (each reads the due-time index once).
  const RequestQuery& q = b.q;
  const bool filtered = !b.driver.empty() || !q.workflow.empty() || !q.state.empty() || q.phase;
  int n = filtered ? std::max(16 * b.rows, 1024) : std::max(2 * b.rows, 64);
  for (;;) {
    // The last id both indexes are complete to: the n-th of either, if it has that many.
    std::string bound;
    {
      std::string last;
      for (const bool running : {true, false}) {
        int rows = 0;
        const std::string sql =
            running ? RunningDue(lite, "after", "n") : LapsedIds(lite, "after", "n");
        soci::rowset<std::string> got =
            running ? (c.sql().prepare << sql, use(b.now), use(b.after), use(n))
                    : (c.sql().prepare << sql, use(b.after), use(n));
        for (const std::string& id : got) {
          last = id;
          ++rows;
        }
        if (rows == n && (bound.empty() || last < bound)) bound = last;
      }
    }
    int found = 0;
    if (filtered) {
      ROGATORY_ASSIGN_OR_RETURN(found, ReadFilteredDue(c, b, n, bound, out));
    } else {
      ROGATORY_ASSIGN_OR_RETURN(found, ReadUnfilteredDue(c, b, n, bound, out));
    }
    if (found == b.rows || bound.empty()) return OkStatus();
    b.after = bound;
    b.rows -= found;
    n *= filtered ? 4 : 2;
  }
}

// True when each due-time index holds fewer than b.walk rows after b.after: reading the ids
// they name is then cheap and exact. Counting stops at b.walk, so this costs at most that many
// index steps however many clocks are due.
// Each count is ordered as its index is, so that PostgreSQL walks the index rather than
// scanning the table (its statistics lag behind the lapsing of clocks: it chose a sequential
// scan of every deadline, 138 ms, to count 267 rows).
bool FewDue(Connection& c, Binds& b) {
  const bool lite = c.dialect().sqlite();
  long long running = 0;
  long long lapsed = 0;
  c.sql() << std::string("SELECT COUNT(*) FROM (SELECT 1 FROM deadlines") +
                 (lite ? " INDEXED BY deadlines_running_due" : "") +
                 " WHERE paused = 0 AND lapsed = 0 AND due_at <= :now AND request_id > :after"
                 " ORDER BY due_at LIMIT :cap) AS due",
      into(running), use(b.now), use(b.after), use(b.walk);
  if (running >= b.walk) return false;
  c.sql()
      << std::string("SELECT COUNT(*) FROM (SELECT 1 FROM deadlines") +
             (lite ? " INDEXED BY deadlines_lapsed" : "") +
             " WHERE lapsed = 1 AND request_id > :after ORDER BY request_id LIMIT :cap) AS lapsed",
      into(lapsed), use(b.after), use(b.walk);
  return lapsed < b.walk;
}

// How many requests after b.after match q's filters, counted in the filters' index up to `cap`.
long long CountCandidates(Connection& c, Binds& b, int& cap) {
  long long n = 0;
  soci::statement st(c.sql());
  st.exchange(into(n));
  std::string sql = "SELECT COUNT(*) FROM (SELECT 1";
  AppendFilters(b, c.dialect().sqlite(), false, st, sql);
  sql += " LIMIT :cap) AS candidates";
  st.exchange(use(cap));
  st.alloc();
  st.prepare(sql);
  st.define_and_bind();
  st.execute(true);
  return n;
}

// Walks up to b.walk candidates in id order from b.after, each checked against its deadline rows,
// appending the overdue ones to `ids` until it has b.rows of them. Returns true when nothing is
// left to check after them (the list ended, or `ids` is full); otherwise `*walked` is the last id
// checked, and the ids after it are still to be looked at.
bool WalkCandidates(Connection& c, Binds& b, std::vector<std::string>* ids, std::string* walked) {
  const bool lite = c.dialect().sqlite();
  const RequestQuery& q = b.q;
  std::string id;
  int overdue = 0;
  soci::statement st(c.sql());
  st.exchange(into(id));
  st.exchange(into(overdue));
  std::string sql;
  // Without a filter the deadline rows themselves are the candidates (a request without a clock
  // is never overdue): their primary key walked in request order, a few small rows per request.
  const bool by_deadlines = b.driver.empty() && q.workflow.empty() && q.state.empty() && !q.phase;
  if (by_deadlines) {
    sql = std::string("SELECT request_id, CASE WHEN ") + kRowOverdue +
          " THEN 1 ELSE 0 END FROM deadlines WHERE request_id > :after"
          " ORDER BY request_id, name LIMIT :walk";
    st.exchange(use(b.now));
    st.exchange(use(b.after));
  } else {
    sql = "SELECT ";
    // A correlated scalar subquery, probed by the deadlines' key for each candidate: PostgreSQL
    // turned the same test written as EXISTS into one hashed scan of every deadline (244 ms).
    const std::string probe =
        "COALESCE((SELECT MAX(CASE WHEN d.lapsed = 1 OR (d.paused = 0 AND d.due_at <= :now) THEN "
        "1 ELSE 0 END) FROM deadlines d WHERE d.request_id = requests.id), 0)";
    st.exchange(use(b.now));
    std::string from;
    const std::string order = AppendFilters(b, lite, false, st, from);
    sql += (b.driver.empty() ? "id" : "request_id") + std::string(", ") + probe + from +
           " ORDER BY " + order + " LIMIT :walk";
  }
  st.exchange(use(b.walk));
  st.alloc();
  st.prepare(sql);
  st.define_and_bind();
  st.execute();
  int rows = 0;
  std::string last;  // the candidate being read
  bool last_overdue = false;
  bool full = false;
  while (st.fetch()) {
    ++rows;
    if (id != last) {
      if (last_overdue) ids->push_back(last);
      if (static_cast<int>(ids->size()) == b.rows) {
        full = true;
        break;
      }
      *walked = last;  // every row of `last` has been read
      last = id;
      last_overdue = false;
    }
    last_overdue = last_overdue || overdue == 1;
  }
  FinishRead(c.dialect(), st);
  if (full) return true;
  if (rows < b.walk) {  // the walk reached the end: `last` was read whole
    if (last_overdue) ids->push_back(last);
    return true;
  }
  // Stopped by the bound: `last` may have rows unread (a deadline walk), so it is left to the
  // due-time index; a request candidate is whole, but left too for one rule.
  if (walked->empty()) *walked = b.after;
  return false;
}

}  // namespace

Result<RequestPage> ListRequestPage(Connection& c, const RequestQuery& q, int overdue_walk) {
  const int limit = std::clamp(q.limit, 1, 1000);
  Binds b(q);
  b.walk = std::max(1, overdue_walk);
  b.after = q.after;
  b.phase = q.phase ? PhaseName(*q.phase) : "";
  b.now = ToUnixMicros(q.now);
  b.rows = limit + 1;  // one more tells whether there is a next page
  // CONTRACT §8: the party (or the caller's authority) drives; a second one is checked per row.
  b.driver = q.party.empty() ? q.visible_to : q.party;
  b.also = q.party.empty() ? q.party : q.visible_to;
  std::vector<Request> rows;
  if (!q.overdue_only) {
    ROGATORY_RETURN_IF_ERROR(ReadRows(c, b, &rows));
  } else if (FewDue(c, b)) {
    ROGATORY_RETURN_IF_ERROR(ReadDueRows(c, b, &rows));
  } else if (!c.dialect().sqlite() && b.driver.empty() && q.workflow.empty() && q.state.empty() &&
             !q.phase) {
    // PostgreSQL reads the deadline rows of a walk from the table (2,000 took 39 ms), while the
    // due-time indexes answer from the index alone: without a filter they give the page at once.
    ROGATORY_RETURN_IF_ERROR(ReadDueRows(c, b, &rows));
  } else {
    // A filter that leaves few candidates (a small workflow, a state) is walked whole: checking
    // each against its deadline rows costs less than checking every due id in the filter's index
    // (at a million requests, 37,000 lapsed clocks took 0.3 s for a workflow with none of them).
    const bool filtered = !b.driver.empty() || !q.workflow.empty() || !q.state.empty() || q.phase;
    if (filtered) {
      // PostgreSQL counts in the index but checks rows the visibility map does not cover in
      // the table (390 ms for 40,000), so it walks whole only smaller filters.
      int cap = (c.dialect().sqlite() ? 20 : 2) * b.walk;
      const long long candidates = CountCandidates(c, b, cap);
      if (candidates < cap) b.walk = static_cast<int>(candidates) + 1;
    }
    std::vector<std::string> ids;
    std::string walked;
    const bool done = WalkCandidates(c, b, &ids, &walked);
    for (const std::string& id : ids) {
      ROGATORY_ASSIGN_OR_RETURN(Request r, c.reader().GetRequest(id));
      rows.push_back(std::move(r));
    }
    if (!done) {
      b.after = walked;
      b.rows -= static_cast<int>(ids.size());
      ROGATORY_RETURN_IF_ERROR(ReadDueRows(c, b, &rows));
    }
  }
  RequestPage page;
  if (rows.size() > static_cast<size_t>(limit)) {
    rows.resize(static_cast<size_t>(limit));
    page.next = rows.back().id;
  }
  page.items = std::move(rows);
  return page;
}

}  // namespace rogatory::store_internal
