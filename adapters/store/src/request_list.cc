// The overdue list (`overdue=true`, CONTRACT §7). A request is overdue when one of its clocks
// has lapsed, or runs and is due by `now`. Since schema 8 each deadline row carries its request's
// workflow, state and phase, so without a party filter a page is two index walks on the deadline
// rows alone: the lapsed clocks (a stable set) through the lapsed index of the query's filters,
// in id order from the cursor, stopping after a page; and the running clocks due by `now` (few
// when the scheduler keeps up) from the due-time index, each checked there, the first page of
// them in id order. The two are merged; only the page's requests are read, by their key.
//
// With a party filter (or the caller's authority, CONTRACT §8) the party index drives, and the
// list picks its regime as before schema 8:
// - few clocks due: the due-time indexes name them all; read those requests in id order (cost:
//   the number due);
// - many due: a walk of the candidates in id order, each checked against its own deadline rows,
//   finds a page within a few thousand steps.
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

// Runs `sql` on `st`, whose exchanges are set, leaving it on its first row (if any).
void Run(soci::statement& st, const std::string& sql) {
  st.alloc();
  st.prepare(sql);
  st.define_and_bind();
  st.execute();
}

// Runs `sql` on `st`, whose request columns are bound to `r`, and appends each row's request to
// `out`; returns how many. Internal when a row does not decode (the rows before it are kept).
Result<int> FetchRequests(Connection& c, soci::statement& st, RequestRow& r, const std::string& sql,
                          std::vector<Request>* out) {
  Run(st, sql);
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

// Runs `sql` on `st`, whose one column is bound to `id`, and returns every row's id.
std::vector<std::string> FetchIds(Connection& c, soci::statement& st, std::string& id,
                                  const std::string& sql) {
  Run(st, sql);
  std::vector<std::string> ids;
  while (st.fetch()) ids.push_back(id);
  FinishRead(c.dialect(), st);
  return ids;
}

// Appends the requests named by `ids` to `out`, each read by its key.
Status AppendByKey(Connection& c, const std::vector<std::string>& ids, std::vector<Request>* out) {
  for (const std::string& id : ids) {
    ROGATORY_ASSIGN_OR_RETURN(Request r, c.reader().GetRequest(id));
    out->push_back(std::move(r));
  }
  return OkStatus();
}

// Appends FROM and WHERE with q's filters to `sql`, exchanging their values on `st`; returns the
// column that orders the walk. Each filter in use appears, so SQLite and PostgreSQL pick its
// index: one filter's (workflow, state, phase), or two filters' (workflow with state or phase).
const char* AppendFilters(Binds& b, soci::statement& st, std::string& sql) {
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
  if (!q.workflow.empty()) {
    sql += " AND workflow = :workflow";
    st.exchange(use(q.workflow));
  }
  if (!q.state.empty()) {
    sql += " AND state = :state";
    st.exchange(use(q.state));
  }
  if (q.phase) {
    sql += " AND phase = :phase";
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
//
// On PostgreSQL a filtered page first takes its ids from the filter's index alone, then reads
// those rows by key. Asked for whole rows in id order, PostgreSQL walked the primary key and
// checked the filter on each row whenever it expected the matches to be spread evenly over the
// ids, which they are not: on a million requests the drafts are the newest, and a first page of
// `phase=drafting` read 303,282 rows (245 ms); a rare state, every row. Ids alone come from the
// filter's index without touching the table, a plan the planner prices far below any walk of the
// primary key whatever it guesses about the spread (1.6 ms). SQLite already walks the filter's
// index.
Status ReadRows(Connection& c, Binds& b, std::vector<Request>* out) {
  RequestRow r;
  soci::statement st(c.sql());
  IntoRequestRow(st, r);
  const RequestQuery& q = b.q;
  const bool ids_first = c.dialect().postgres() && b.driver.empty() &&
                         (!q.workflow.empty() || !q.state.empty() || q.phase.has_value());
  std::string sql = std::string("SELECT ") + kRequestColumns;
  if (ids_first) {
    sql += " FROM requests WHERE id IN (SELECT id";
    AppendFilters(b, st, sql);
    sql += " ORDER BY id LIMIT :limit) ORDER BY id";
  } else {
    const std::string id = AppendFilters(b, st, sql);
    sql += " ORDER BY " + id + " LIMIT :limit";
  }
  st.exchange(use(b.rows));
  return FetchRequests(c, st, r, sql, out).status();
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
  const std::vector<std::string> ids = FetchIds(c, st, id, sql);
  ROGATORY_RETURN_IF_ERROR(AppendByKey(c, ids, out));
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
  // The party filter leaves most due ids out, so the rounds start large and grow fast (each
  // reads the due-time index once).
  int n = std::max(16 * b.rows, 1024);
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
    ROGATORY_ASSIGN_OR_RETURN(const int found, ReadFilteredDue(c, b, n, bound, out));
    if (found == b.rows || bound.empty()) return OkStatus();
    b.after = bound;
    b.rows -= found;
    n *= 4;
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
  AppendFilters(b, st, sql);
  sql += " LIMIT :cap) AS candidates";
  st.exchange(use(cap));
  Run(st, sql);
  st.fetch();
  FinishRead(c.dialect(), st);
  return n;
}

// Walks up to b.walk candidates in id order from b.after, each checked against its deadline rows,
// appending the overdue ones to `ids` until it has b.rows of them. Returns true when nothing is
// left to check after them (the list ended, or `ids` is full); otherwise `*walked` is the last id
// checked, and the ids after it are still to be looked at.
bool WalkCandidates(Connection& c, Binds& b, std::vector<std::string>* ids, std::string* walked) {
  std::string id;
  int overdue = 0;
  soci::statement st(c.sql());
  st.exchange(into(id));
  st.exchange(into(overdue));
  // A correlated scalar subquery, probed by the deadlines' key for each candidate: PostgreSQL
  // turned the same test written as EXISTS into one hashed scan of every deadline (244 ms).
  std::string sql = std::string("SELECT request_id, COALESCE((SELECT MAX(CASE WHEN ") +
                    kRowOverdue +
                    " THEN 1 ELSE 0 END) FROM deadlines d WHERE d.request_id = requests.id), 0)";
  st.exchange(use(b.now));
  const std::string order = AppendFilters(b, st, sql);
  sql += " ORDER BY " + std::string(order) + " LIMIT :walk";
  st.exchange(use(b.walk));
  Run(st, sql);
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

// The lapsed-clock index (schema 8) that holds q's filters ahead of the request id, so that the
// lapsed clocks matching them are one walk in id order. A state and a phase together use the
// state's index, whose rows carry the phase.
const char* LapsedIndex(const RequestQuery& q) {
  if (!q.workflow.empty() && !q.state.empty()) return "deadlines_lapsed_by_workflow_state";
  if (!q.workflow.empty() && q.phase) return "deadlines_lapsed_by_workflow_phase";
  if (!q.workflow.empty()) return "deadlines_lapsed_by_workflow";
  if (!q.state.empty()) return "deadlines_lapsed_by_state";
  if (q.phase) return "deadlines_lapsed_by_phase";
  return "deadlines_lapsed";
}

// Appends q's filters on the deadline rows' copies of the request's columns (schema 8); `n`
// tells the placeholders of one statement's second use apart.
void AppendDeadlineFilters(Binds& b, soci::statement& st, std::string& sql, const char* n) {
  const RequestQuery& q = b.q;
  if (!q.workflow.empty()) {
    sql += std::string(" AND workflow = :workflow") + n;
    st.exchange(use(q.workflow));
  }
  if (!q.state.empty()) {
    sql += std::string(" AND state = :state") + n;
    st.exchange(use(q.state));
  }
  if (q.phase) {
    sql += std::string(" AND phase = :phase") + n;
    st.exchange(use(b.phase));
  }
}

// Appends up to b.rows overdue requests after b.after matching q's workflow, state and phase
// (no party) to `out`, in id order, from the deadline rows alone: the first b.rows requests with
// a lapsed clock (one walk of the filters' lapsed index), merged with the first b.rows with a
// running clock due by `now` (read from the due-time index, which covers the filter columns;
// a sort of the due rows that match, not of every clock). PostgreSQL keeps the due rows' scan on
// the due-time index behind an OFFSET 0 fence (it would rather walk the deadlines' key in id
// order, reading every clock before the first due one).
Status ReadOverdueByDeadlines(Connection& c, Binds& b, std::vector<Request>* out) {
  const bool lite = c.dialect().sqlite();
  std::string id;
  soci::statement st(c.sql());
  st.exchange(into(id));
  std::string sql = "SELECT request_id FROM (SELECT DISTINCT request_id FROM deadlines";
  if (lite) sql += std::string(" INDEXED BY ") + LapsedIndex(b.q);
  sql += " WHERE lapsed = 1 AND request_id > :after";
  st.exchange(use(b.after));
  AppendDeadlineFilters(b, st, sql, "1");
  sql += " ORDER BY request_id LIMIT :rows) AS lapsed UNION SELECT request_id FROM (";
  st.exchange(use(b.rows));
  // DISTINCT: two clocks of one request due are one row of the page.
  std::string due = lite ? "SELECT DISTINCT request_id FROM deadlines INDEXED BY"
                           " deadlines_running_due"
                         : "SELECT request_id FROM deadlines";
  due += " WHERE paused = 0 AND lapsed = 0 AND due_at <= :now AND request_id > :after2";
  st.exchange(use(b.now));
  st.exchange(use(b.after));
  AppendDeadlineFilters(b, st, due, "2");
  sql += lite ? due + " ORDER BY request_id LIMIT :rows2) AS running"
              : "SELECT DISTINCT request_id FROM (" + due +
                    " OFFSET 0) AS due_rows ORDER BY request_id LIMIT :rows2) AS running";
  st.exchange(use(b.rows));
  sql += " ORDER BY request_id LIMIT :rows3";
  st.exchange(use(b.rows));
  return AppendByKey(c, FetchIds(c, st, id, sql), out);
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
  } else if (b.driver.empty()) {
    ROGATORY_RETURN_IF_ERROR(ReadOverdueByDeadlines(c, b, &rows));
  } else if (FewDue(c, b)) {
    ROGATORY_RETURN_IF_ERROR(ReadDueRows(c, b, &rows));
  } else {
    // A party that leaves few candidates is walked whole: checking each against its deadline
    // rows costs less than checking every due id in the party index. PostgreSQL counts in the
    // index but checks rows the visibility map does not cover in the table (390 ms for 40,000),
    // so it walks whole only smaller ones.
    int cap = (c.dialect().sqlite() ? 20 : 2) * b.walk;
    const long long candidates = CountCandidates(c, b, cap);
    if (candidates < cap) b.walk = static_cast<int>(candidates) + 1;
    std::vector<std::string> ids;
    std::string walked;
    const bool done = WalkCandidates(c, b, &ids, &walked);
    ROGATORY_RETURN_IF_ERROR(AppendByKey(c, ids, &rows));
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
