// Opening the store, definitions and the request reads.
#include <soci/soci.h>

#include <algorithm>
#include <filesystem>

#include "apply_writer.h"
#include "commit_stages.h"
#include "history_links.h"
#include "request_list.h"
#include "request_reader.h"
#include "row_codec.h"
#include "schema.h"
#include "sql_store_impl.h"
#include "sqlite_handle.h"

namespace rogatory::store_internal {

using soci::into;
using soci::use;

WriteTransaction::WriteTransaction(Connection& conn, KeptRows kept) : conn_(conn) {
  conn_.sql() << conn_.dialect().BeginWrite();
  // Read under the write lock, after SQLite looked for other connections' commits.
  if (kept == KeptRows::kUntouched && conn_.dialect().sqlite()) {
    version_at_begin_ = SqliteDataVersion(conn_.sql());
  }
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
  // Only this commit moved the version since the lock was taken, and it wrote nothing the
  // writer keeps: tell it, or its next step would forget everything.
  if (version_at_begin_) {
    if (ApplyWriter* w = conn_.writer_if_open()) {
      w->CarryOver(*version_at_begin_, SqliteDataVersion(conn_.sql()));
    }
  }
}

SqlStore::SqlStore(const StoreUrl& url, const SqlStoreOptions& options)
    : dialect_{url.backend}, url_(url), options_(options) {
  const bool sqlite_memory = dialect_.sqlite() && url.target == ":memory:";
  if (dialect_.sqlite() && !sqlite_memory && options.background_checkpoints) {
    checkpointer_ =
        std::make_unique<Checkpointer>(options.checkpoint_pages, std::chrono::milliseconds(1000));
  }
  if (dialect_.sqlite() && options.request_cache > 0) {
    request_cache_ = std::make_unique<RequestCache>(static_cast<size_t>(options.request_cache));
    kept_tally_ = std::make_unique<KeptTally>();
  }
  auto factory = [url, options, checkpointer = checkpointer_.get(),
                  kept_tally = kept_tally_.get()] {
    std::unique_ptr<Connection> conn = OpenConnection(url, options);
    if (checkpointer != nullptr) checkpointer->Watch(*conn);
    conn->CountKeptIn(kept_tally);
    return conn;
  };
  writers_ = std::make_unique<ConnectionPool>(
      factory, dialect_.sqlite() ? 1 : std::max(1, options.writer_connections));
  if (!sqlite_memory) {
    readers_ = std::make_unique<ConnectionPool>(factory, std::max(1, options.read_connections));
  }
  committer_ = std::make_unique<GroupCommitter>(
      options.max_batch, dialect_.sqlite() ? 1 : std::max(1, options.writer_connections),
      options.max_gather,
      [this](std::vector<GroupCommitter::Item*>& batch, GroupCommitter::Joiner* joiner) {
        RunBatch(batch, joiner);
      },
      // SQLite: one writer, so a batch may take in callers while it runs; PostgreSQL's batches
      // are sorted by request id for their lock order and must not grow out of it.
      dialect_.sqlite());
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

std::optional<Request> SqlStore::LastCommitted(const RequestId& id) {
  if (request_cache_ == nullptr) return std::nullopt;
  std::optional<Request> kept = request_cache_->Get(id);
  KeptTally::Count(kept.has_value(), kept_tally_->request_hits, kept_tally_->request_misses);
  return kept;
}

std::optional<StoreKeptCounters> SqlStore::KeptCounters() const {
  if (kept_tally_ == nullptr) return std::nullopt;
  return kept_tally_->Snapshot();
}

Result<std::vector<HistoryEntry>> SqlStore::GetHistory(const RequestId& id) {
  return WithConnection(ReadPool(), "get history of request " + id,
                        [&](Connection& c) { return c.reader().GetHistory(id); });
}

Result<std::vector<RequestHead>> SqlStore::ListRequestHeads(const RequestId& after, int limit) {
  return WithConnection(
      ReadPool(), "list request heads", [&](Connection& c) -> Result<std::vector<RequestHead>> {
        std::vector<RequestHead> out;
        std::string id, head_hash;
        long long revision = 0;
        soci::statement st(c.sql());
        Prepare(st,
                "SELECT id, revision, head_hash FROM requests WHERE id > :after ORDER BY id "
                "LIMIT :limit",
                into(id), into(revision), into(head_hash), use(after), use(limit));
        st.execute();
        while (st.fetch()) out.push_back(RequestHead{id, revision, head_hash, 0});
        FinishRead(c.dialect(), st);
        return out;
      });
}

Result<std::vector<HistoryEntry>> SqlStore::GetHistoryRange(const RequestId& first,
                                                            const RequestId& last) {
  return WithConnection(ReadPool(), "read history range",
                        [&](Connection& c) { return c.reader().GetHistoryRange(first, last); });
}

Status SqlStore::VisitHistoryRange(const RequestId& first, const RequestId& last,
                                   const std::function<void(const StoredHistoryEntry&)>& visit) {
  return WithConnection(ReadPool(), "read history range", [&](Connection& c) {
    return c.reader().VisitHistoryRange(first, last, visit);
  });
}

Status SqlStore::ScanAll(int parts, const std::function<void(const RequestHead&)>& head,
                         const std::function<void(int, const StoredHistoryEntry&)>& entry) {
  return WithConnection(ReadPool(), "scan the requests and their history",
                        [&](Connection& c) { return c.reader().ScanAll(parts, head, entry); });
}

Result<std::optional<BrokenLink>> SqlStore::FindEntryOutsideEveryHistory() {
  // PostgreSQL reads a request's history by its key: every row of its id is in it.
  if (!dialect_.sqlite()) return std::optional<BrokenLink>();
  return WithConnection(
      ReadPool(), "look for history rows no request reaches",
      [&](Connection& c) -> Result<std::optional<BrokenLink>> {
        std::string request_id;
        long long seq = 0;
        // First a walk that breaks off: its history read by request id verified, so a link
        // was edited (or a row put where its links do not lead).
        soci::statement holed(c.sql());
        Prepare(holed, FirstHoledWalkSql(), into(request_id), into(seq));
        bool found = holed.execute(true);
        FinishRead(c.dialect(), holed);
        if (found) {
          const std::string what =
              seq >= 1 ? "history seq " + std::to_string(seq) + " is not where its links lead"
                       : "history seq 1 links to a row before it";
          return std::optional<BrokenLink>(
              BrokenLink{request_id, std::max<long long>(seq, 1),
                         "request " + request_id + " " + what + " (a link was edited)"});
        }
        soci::statement st(c.sql());
        Prepare(st, FirstUnlinkedHistoryRowSql(), into(request_id), into(seq));
        found = st.execute(true);
        FinishRead(c.dialect(), st);
        if (!found) return std::optional<BrokenLink>();
        return std::optional<BrokenLink>(BrokenLink{
            request_id, seq,
            "history entry " + std::to_string(seq) + " of request " + request_id +
                " is reached by no link from a request's last entry (a row was added or a link"
                " edited)"});
      });
}

void SqlStore::BeginFullScan() {
  if (!dialect_.sqlite() || url_.target == ":memory:") return;
  std::lock_guard<std::mutex> lock(prefetch_mu_);
  if (prefetcher_ == nullptr) prefetcher_ = std::make_unique<FilePrefetcher>(url_.target);
}

void SqlStore::EndFullScan() {
  std::lock_guard<std::mutex> lock(prefetch_mu_);
  prefetcher_.reset();
}

Result<std::optional<IdempotencyRecord>> SqlStore::FindIdempotency(const std::string& actor,
                                                                   const std::string& key) {
  return WithConnection(ReadPool(), "find idempotency record",
                        [&](Connection& c) -> Result<std::optional<IdempotencyRecord>> {
                          return c.reader().FindIdempotency(actor, key);
                        });
}

Result<RequestPage> SqlStore::ListRequests(const RequestQuery& q) {
  return WithConnection(ReadPool(), "list requests", [&](Connection& c) {
    return ListRequestPage(c, q, options_.overdue_walk);
  });
}

}  // namespace rogatory::store_internal
