#include "bulk_request_update.h"

#include <algorithm>
#include <unordered_set>

namespace rogatory::store_internal {

using soci::into;
using soci::use;

soci::statement& BulkRequestUpdate::Statement(size_t n) {
  std::unique_ptr<soci::statement>& kept = statements_[n - 1];
  if (kept != nullptr) return *kept;
  // Kept only once prepared: after a failed preparation the next call prepares afresh.
  auto st = std::make_unique<soci::statement>(sql_);
  // The VALUES list's parameters carry no type of their own: each is cast to its column's.
  // `locked` takes the rows' locks in id order before the update (a row lock is taken as the
  // sorted rows come out), as the one-step-at-a-time path does: two nodes' batches never wait
  // for each other in a circle, whatever plan the update gets.
  std::string query =
      "WITH v (id, expected, version, state, phase, revision, data, refs, "
      "deadlines, updated_at, head_hash) AS (VALUES ";
  for (size_t i = 0; i < n; ++i) {
    const std::string k = std::to_string(i);
    if (i > 0) query += ", ";
    query += "(CAST(:id" + k + " AS TEXT), CAST(:expected" + k + " AS BIGINT), CAST(:version" + k +
             " AS INTEGER), CAST(:state" + k + " AS TEXT), CAST(:phase" + k +
             " AS TEXT), CAST(:revision" + k + " AS BIGINT), CAST(:data" + k +
             " AS TEXT), CAST(:refs" + k + " AS TEXT), CAST(:deadlines" + k +
             " AS TEXT), CAST(:updated_at" + k + " AS BIGINT), CAST(:head_hash" + k + " AS TEXT))";
    Row& row = bound_[i];
    RequestRow& r = row.request;
    st->exchange(use(r.id));
    st->exchange(use(row.expected));
    st->exchange(use(r.version));
    st->exchange(use(r.state));
    st->exchange(use(r.phase));
    st->exchange(use(r.revision));
    st->exchange(use(r.data));
    st->exchange(use(r.refs));
    st->exchange(use(r.deadlines));
    st->exchange(use(r.updated_at));
    st->exchange(use(r.head_hash));
  }
  query +=
      "), locked AS MATERIALIZED (SELECT q.id FROM requests AS q WHERE q.id IN (SELECT id "
      "FROM v) ORDER BY q.id FOR UPDATE OF q) "
      "UPDATE requests AS r SET version = v.version, state = v.state, phase = v.phase, "
      "revision = v.revision, data = v.data, refs = v.refs, deadlines = v.deadlines, "
      "updated_at = v.updated_at, head_hash = v.head_hash FROM v, locked AS l "
      "WHERE r.id = l.id AND v.id = l.id AND r.revision = v.expected RETURNING r.id";
  returned_.resize(kBulkRows);
  st->exchange(into(returned_));
  st->alloc();
  st->prepare(query);
  st->define_and_bind();
  kept = std::move(st);
  return *kept;
}

void BulkRequestUpdate::Run(const std::vector<const Mutation*>& steps,
                            std::vector<Updated>* updated) {
  updated->clear();
  std::unordered_set<std::string> ids;
  for (size_t done = 0; done < steps.size();) {
    const size_t n = std::min(kBulkRows, steps.size() - done);
    for (size_t i = 0; i < n; ++i) {
      const Mutation& m = *steps[done + i];
      ToRow(m.request, &bound_[i].request);
      bound_[i].expected = m.expected_revision;
    }
    returned_.resize(kBulkRows);
    soci::statement& st = Statement(n);
    ids.clear();
    if (st.execute(true)) {
      ids.insert(returned_.begin(), returned_.end());
      while (st.fetch()) ids.insert(returned_.begin(), returned_.end());
    }
    for (size_t i = 0; i < n; ++i) {
      const Mutation* m = steps[done + i];
      if (ids.count(m->request.id) != 0) {
        updated->push_back(Updated{m, std::move(bound_[i].request)});  // ToRow refills it
      }
    }
    done += n;
  }
}

}  // namespace rogatory::store_internal
