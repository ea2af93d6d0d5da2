#include "connection.h"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <utility>

#include "apply_writer.h"
#include "commit_stages.h"
#include "request_reader.h"
#include "sqlite_handle.h"
#include "wal_write_buffer.h"

namespace rogatory::store_internal {
namespace {

const char* SyncPragma(SqliteSync s) {
  switch (s) {
    case SqliteSync::kOff:
      return "PRAGMA synchronous = OFF";
    case SqliteSync::kNormal:
      return "PRAGMA synchronous = NORMAL";
    case SqliteSync::kFull:
      return "PRAGMA synchronous = FULL";
    case SqliteSync::kExtra:
      return "PRAGMA synchronous = EXTRA";
  }
  return "PRAGMA synchronous = FULL";
}

// SQLite's own busy handler (sqlite3_busy_timeout) with the same schedule of sleeps, timed when
// commit stages are collected: `arg` carries the timeout in milliseconds.
int BusyHandler(void* arg, int count) {
  static constexpr int kDelays[] = {1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100};
  static constexpr int kCount = sizeof kDelays / sizeof kDelays[0];
  const auto timeout = static_cast<int>(reinterpret_cast<intptr_t>(arg));
  int slept = 0;
  for (int i = 0; i < count && i < kCount; ++i) slept += kDelays[i];
  if (count >= kCount) slept += (count - kCount + 1) * kDelays[kCount - 1];
  int delay = kDelays[count < kCount ? count : kCount - 1];
  if (slept >= timeout) return 0;
  if (slept + delay > timeout) delay = timeout - slept;
  StageTimer timer(CommitStage::kBusySleep);
  std::this_thread::sleep_for(std::chrono::milliseconds(delay));
  return 1;
}

// SQLite's automatic checkpoint (what `PRAGMA wal_autocheckpoint` installs), timed.
int CheckpointHook(void* arg, sqlite_api::sqlite3* db, const char* name, int pages) {
  if (pages >= static_cast<int>(reinterpret_cast<intptr_t>(arg))) {
    StageTimer timer(CommitStage::kCheckpoint);
    sqlite_api::sqlite3_wal_checkpoint(db, name);
  }
  return 0;
}

std::unique_ptr<soci::session> OpenSqlite(const std::string& path, const SqlStoreOptions& options) {
  // SQLite counts its memory use under a global mutex on every allocation and free (~70 of
  // each per transition, about 5% of a step's instructions); nothing here reads the counts.
  // Only possible before SQLite initialises: later it is refused (SQLITE_MISUSE), harmlessly.
  static const int memstatus_off = sqlite_api::sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)memstatus_off;
  // One write call per commit instead of two per WAL frame (wal_write_buffer.h).
  static const int buffered = InstallWalWriteBuffer();
  (void)buffered;
  // SOCI's sqlite3 backend takes a bare path as the database name when it holds no '='.
  auto sql = std::make_unique<soci::session>(soci::sqlite3, path);
  sqlite_api::sqlite3* const db = SqliteHandle(*sql);
  const auto timeout_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(options.busy_timeout).count();
  sqlite_api::sqlite3_busy_handler(db, BusyHandler,
                                   reinterpret_cast<void*>(static_cast<intptr_t>(timeout_ms)));
  if (path != ":memory:") {
    std::string mode;
    *sql << "PRAGMA journal_mode = WAL", soci::into(mode);
    // SQLite's automatic checkpoint, timed; a background Checkpointer replaces it (Watch).
    sqlite_api::sqlite3_wal_hook(
        db, CheckpointHook,
        reinterpret_cast<void*>(static_cast<intptr_t>(std::max(1, options.checkpoint_pages))));
  }
  *sql << SyncPragma(options.sqlite_synchronous);
  // Savepoints' statement journals and sort scratch stay in memory.
  *sql << "PRAGMA temp_store = MEMORY";
  return sql;
}

}  // namespace

Connection::Connection(const Dialect& dialect, std::unique_ptr<soci::session> sql,
                       size_t last_writes)
    : dialect_(dialect), last_writes_capacity_(last_writes), sql_(std::move(sql)) {}

Connection::~Connection() {
  reader_.reset();
  writer_.reset();
}

ApplyWriter& Connection::writer() {
  if (writer_ == nullptr)
    writer_ = std::make_unique<ApplyWriter>(*sql_, dialect_, last_writes_capacity_, kept_tally_);
  return *writer_;
}

RequestReader& Connection::reader() {
  if (reader_ == nullptr) reader_ = std::make_unique<RequestReader>(*sql_, dialect_);
  return *reader_;
}

std::unique_ptr<Connection> OpenConnection(const StoreUrl& url, const SqlStoreOptions& options) {
  Dialect d{url.backend};
  if (url.backend == Backend::kSqlite) {
    return std::make_unique<Connection>(d, OpenSqlite(url.target, options),
                                        static_cast<size_t>(std::max(0, options.request_cache)));
  }
  auto sql = std::make_unique<soci::session>(soci::postgresql, url.target);
  // NOTICEs ("relation ... already exists, skipping") would go to stderr.
  *sql << "SET client_min_messages = warning";
  // Every statement here reads or writes a few index ranges in milliseconds. PostgreSQL compiles
  // a query with LLVM once its estimated cost passes jit_above_cost, which a misestimated plan
  // of such a query can: 20 ms of compiling for a 12 ms query, up to 550 ms seen at a million
  // requests (docs/performance.md).
  *sql << "SET jit = off";
  if (options.pg_history_walk) {
    *sql << "SET max_parallel_workers_per_gather = 0";
    *sql << "SET random_page_cost = 1.1";
  }
  return std::make_unique<Connection>(d, std::move(sql));
}

ConnectionPool::ConnectionPool(Factory factory, int capacity)
    : factory_(std::move(factory)), capacity_(capacity < 1 ? 1 : capacity) {}

ConnectionPool::~ConnectionPool() = default;

ConnectionPool::Lease ConnectionPool::Acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return !idle_.empty() || open_ < capacity_; });
  if (!idle_.empty()) {
    std::unique_ptr<Connection> conn = std::move(idle_.back());
    idle_.pop_back();
    return Lease(this, std::move(conn));
  }
  ++open_;
  lock.unlock();
  try {
    return Lease(this, factory_());
  } catch (...) {
    lock.lock();
    --open_;
    cv_.notify_one();
    throw;
  }
}

void ConnectionPool::Release(std::unique_ptr<Connection> conn) {
  const bool lost = conn->Lost();
  if (lost) conn.reset();  // closed outside the lock
  std::lock_guard<std::mutex> lock(mu_);
  if (lost) {
    --open_;
  } else {
    idle_.push_back(std::move(conn));
  }
  cv_.notify_one();
}

}  // namespace rogatory::store_internal
