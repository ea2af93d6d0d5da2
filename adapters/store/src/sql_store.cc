// Opening the store, definitions and the request reads.
#include <soci/soci.h>

#include <algorithm>
#include <filesystem>

#include "commit_stages.h"
#include "request_reader.h"
#include "row_codec.h"
#include "schema.h"
#include "sql_store_impl.h"

namespace rogatory::store_internal {

using soci::into;
using soci::use;

WriteTransaction::WriteTransaction(Connection& conn) : conn_(conn) {
  conn_.sql() << conn_.dialect().BeginWrite();
}

WriteTransaction::~WriteTransaction() {
  if (!open_) return;
  try {
    conn_.sql() << "ROLLBACK";
  } catch (...) {  // the connection is gone: so is the transaction
  }
}

void WriteTransaction::Commit() {
  conn_.sql() << "COMMIT";
  open_ = false;
}

SqlStore::SqlStore(const StoreUrl& url, const SqlStoreOptions& options)
    : dialect_{url.backend}, url_(url), options_(options) {
  const bool sqlite_memory = dialect_.sqlite() && url.target == ":memory:";
  if (dialect_.sqlite() && !sqlite_memory && options.background_checkpoints) {
    checkpointer_ =
        std::make_unique<Checkpointer>(options.checkpoint_pages, std::chrono::milliseconds(1000));
  }
  auto factory = [url, options, checkpointer = checkpointer_.get()] {
    std::unique_ptr<Connection> conn = OpenConnection(url, options);
    if (checkpointer != nullptr) checkpointer->Watch(*conn);
    return conn;
  };
  writers_ = std::make_unique<ConnectionPool>(
      factory, dialect_.sqlite() ? 1 : std::max(1, options.writer_connections));
  if (!sqlite_memory) {
    readers_ = std::make_unique<ConnectionPool>(factory, std::max(1, options.read_connections));
  }
  committer_ = std::make_unique<GroupCommitter>(
      options.max_batch, dialect_.sqlite() ? 1 : std::max(1, options.writer_connections),
      options.max_gather, [this](std::vector<GroupCommitter::Item*>& batch) { RunBatch(batch); });
}

Result<std::unique_ptr<Store>> SqlStore::Open(const StoreUrl& url, const SqlStoreOptions& options) {
  std::unique_ptr<SqlStore> store(new SqlStore(url, options));
  // The schema is brought up to date on the writer connection, which also proves the database
  // can be reached now.
  Status migrated = store->WithConnection(
      *store->writers_, "open", [&](Connection& c) { return MigrateSchema(c.sql(), c.dialect()); });
  if (!migrated.ok()) return migrated;
  if (store->checkpointer_ != nullptr) {
    try {
      store->checkpointer_->Start(OpenConnection(url, options));
    } catch (...) {
      return Status(StatusCode::kUnavailable, StatusFromCurrentException("open").message());
    }
  }
  return std::unique_ptr<Store>(std::move(store));
}

Status SqlStore::SaveDefinition(const WorkflowDefinition& def, const std::string& origin) {
  const std::string what = "save definition " + def.id + " version " + std::to_string(def.version);
  return WithConnection(WritePool(), what, [&](Connection& c) -> Status {
    const long long now = ToUnixMicros(SystemClock().Now());
    soci::statement insert =
        (c.sql().prepare << "INSERT INTO definitions (workflow, version, source, loaded_at, "
                            "origin) VALUES (:workflow, :version, :source, :loaded_at, :origin) "
                            "ON CONFLICT (workflow, version) DO NOTHING",
         use(def.id), use(def.version), use(def.source), use(now), use(origin));
    insert.execute(true);
    if (insert.get_affected_rows() == 1) return OkStatus();
    std::string stored;
    c.sql() << "SELECT source FROM definitions WHERE workflow = :workflow AND version = :version",
        into(stored), use(def.id), use(def.version);
    if (stored == def.source) return OkStatus();
    return AlreadyExistsError("workflow " + def.id + " version " + std::to_string(def.version) +
                              " was recorded before with different content");
  });
}

Result<std::vector<StoredDefinition>> SqlStore::ListDefinitions() {
  return WithConnection(
      ReadPool(), "list definitions", [&](Connection& c) -> Result<std::vector<StoredDefinition>> {
        std::vector<StoredDefinition> out;
        StoredDefinition row;
        long long loaded_at = 0;
        soci::statement st =
            (c.sql().prepare << "SELECT workflow, version, origin, loaded_at "
                                "FROM definitions ORDER BY workflow, version",
             into(row.workflow), into(row.version), into(row.origin), into(loaded_at));
        st.execute();
        while (st.fetch()) {
          row.loaded_at = FromUnixMicros(loaded_at);
          out.push_back(row);
        }
        FinishRead(dialect_, st);
        return out;
      });
}

Result<StoredDefinition> SqlStore::GetStoredDefinition(const std::string& workflow,
                                                       std::optional<int> version) {
  return WithConnection(
      ReadPool(), "get definition " + workflow, [&](Connection& c) -> Result<StoredDefinition> {
        StoredDefinition row;
        long long loaded_at = 0;
        const int wanted = version.value_or(0);
        // Without a version: the highest one (0 never names a version).
        soci::statement st =
            (c.sql().prepare << "SELECT workflow, version, source, origin, loaded_at FROM "
                                "definitions WHERE workflow = :workflow AND (version = :version "
                                "OR :any = 1) ORDER BY version DESC LIMIT 1",
             into(row.workflow), into(row.version), into(row.source), into(row.origin),
             into(loaded_at), use(workflow), use(wanted), use(version ? 0 : 1));
        st.execute();
        const bool found = st.fetch();
        FinishRead(dialect_, st);
        if (!found) {
          return NotFoundError("no definition of workflow '" + workflow + "'" +
                               (version ? " version " + std::to_string(*version) : std::string()));
        }
        row.loaded_at = FromUnixMicros(loaded_at);
        return row;
      });
}

Result<Request> SqlStore::GetRequest(const RequestId& id) {
  StageTimer timer(CommitStage::kRead);
  return WithConnection(ReadPool(), "get request " + id,
                        [&](Connection& c) { return c.reader().GetRequest(id); });
}

Result<std::vector<HistoryEntry>> SqlStore::GetHistory(const RequestId& id) {
  return WithConnection(ReadPool(), "get history of request " + id,
                        [&](Connection& c) { return c.reader().GetHistory(id); });
}

Result<std::optional<IdempotencyRecord>> SqlStore::FindIdempotency(const std::string& actor,
                                                                   const std::string& key) {
  return WithConnection(ReadPool(), "find idempotency record",
                        [&](Connection& c) -> Result<std::optional<IdempotencyRecord>> {
                          return c.reader().FindIdempotency(actor, key);
                        });
}

Result<RequestPage> SqlStore::ListRequests(const RequestQuery& q) {
  return WithConnection(ReadPool(), "list requests", [&](Connection& c) -> Result<RequestPage> {
    const int limit = std::clamp(q.limit, 1, 1000);
    const int fetch = limit + 1;  // one more tells whether there is a next page
    const long long now = ToUnixMicros(q.now);
    const std::string phase = q.phase ? PhaseName(*q.phase) : "";
    RequestRow r;
    soci::statement st(c.sql());
    IntoRequestRow(st, r);
    // Only the filters in use appear in the query, so each can use its index.
    std::string sql = std::string("SELECT ") + kRequestColumns;
    // CONTRACT §8: with a party (or the caller's authority) the party index drives the query:
    // its rows of that authority, in request id order from `after`, each joined to its request
    // (CROSS JOIN keeps SQLite from choosing another order), so a page costs `limit` index
    // steps however many requests others have. A second authority is a point lookup per row.
    const std::string& driver = q.party.empty() ? q.visible_to : q.party;
    const std::string& also = q.party.empty() ? q.party : q.visible_to;
    if (!driver.empty()) {
      // `requests.id > :after` repeats the cursor for the requests side: PostgreSQL does not
      // carry an inequality across the join, and its generic plan (a merge join) otherwise
      // walked the requests key from the first id to `after` (100+ ms mid-list at 1 M rows).
      sql +=
          " FROM request_parties CROSS JOIN requests WHERE requests.id = request_id"
          " AND authority = :party AND request_id > :after AND requests.id > :after_r";
      st.exchange(use(driver));
      st.exchange(use(q.after));
      st.exchange(use(q.after));
      if (!also.empty() && also != driver) {
        sql +=
            " AND EXISTS (SELECT 1 FROM request_parties p2 WHERE p2.authority = :also"
            " AND p2.request_id = requests.id)";
        st.exchange(use(also));
      }
    } else {
      sql += " FROM requests WHERE id > :after";
      st.exchange(use(q.after));
    }
    // With overdue_only the overdue deadline rows drive the query (few, found through
    // deadlines_running_due), and the other filters only check the requests they name: the
    // unary + keeps SQLite from walking a filter's index over every request instead.
    const char* const check = q.overdue_only && dialect_.sqlite() ? "+" : "";
    if (!q.workflow.empty()) {
      sql += std::string(" AND ") + check + "workflow = :workflow";
      st.exchange(use(q.workflow));
    }
    if (!q.state.empty()) {
      sql += std::string(" AND ") + check + "state = :state";
      st.exchange(use(q.state));
    }
    if (q.phase) {
      sql += std::string(" AND ") + check + "phase = :phase";
      st.exchange(use(phase));
    }
    if (q.overdue_only) {
      // Overdue as Request::IsOverdue: a running deadline due at or before now, or a lapsed one
      // (CONTRACT §7), read from the deadline rows through their two partial indexes joined
      // with UNION. Each planner is steered to that: SQLite, without statistics on due_at's
      // spread, would rather walk the deadlines' primary key from `after` (every clock), so it is
      // told the indexes; PostgreSQL overestimates the due rows (paused clocks keep a past
      // due_at) and would merge-join the whole requests key, so it gets the ids as an array to
      // look up.
      const bool lite = dialect_.sqlite();
      const std::string due =
          std::string("SELECT request_id FROM deadlines") +
          (lite ? " INDEXED BY deadlines_running_due" : "") +
          " WHERE paused = 0 AND lapsed = 0 AND due_at <= :now AND request_id > :after2"
          " UNION SELECT request_id FROM deadlines" +
          (lite ? " INDEXED BY deadlines_lapsed" : "") +
          " WHERE lapsed = 1 AND request_id > :after3";
      sql += lite ? " AND id IN (" + due + ")" : " AND id = ANY(ARRAY(" + due + "))";
      st.exchange(use(now));
      st.exchange(use(q.after));
      st.exchange(use(q.after));
    }
    sql += driver.empty() ? " ORDER BY id LIMIT :limit" : " ORDER BY request_id LIMIT :limit";
    st.exchange(use(fetch));
    st.alloc();
    st.prepare(sql);
    st.define_and_bind();
    st.execute();
    RequestPage page;
    Status damaged;
    while (st.fetch()) {
      if (page.items.size() == static_cast<size_t>(limit)) {
        page.next = page.items.back().id;
        break;
      }
      Result<Request> request = FromRow(r);
      if (!request.ok()) {
        damaged = request.status();
        break;
      }
      page.items.push_back(std::move(request).value());
    }
    FinishRead(dialect_, st);
    if (!damaged.ok()) return damaged;
    return page;
  });
}

}  // namespace rogatory::store_internal
