// Durable stores: SQLite (one machine) and PostgreSQL (several nodes) through SOCI, chosen by
// the `store:` URL of the deployment config (CONTRACT §2). No SOCI type appears here.
#ifndef ROGATORY_SQL_STORE_H_
#define ROGATORY_SQL_STORE_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "rogatory/status.h"
#include "rogatory/store.h"
#include "rogatory/time.h"

namespace rogatory {

// The schema version this binary creates and understands. A database whose schema is newer is
// refused (FailedPrecondition) rather than misread.
inline constexpr int kStoreSchemaVersion = 12;

// How hard SQLite flushes at each commit (PRAGMA synchronous).
enum class SqliteSync : uint8_t { kOff, kNormal, kFull, kExtra };

struct SqlStoreOptions {
  // kFull (the default) makes every acknowledged step survive a power loss: legal records need
  // it. kNormal in WAL mode survives a process crash but may lose the last commits on power loss.
  SqliteSync sqlite_synchronous = SqliteSync::kFull;
  // SQLite files: WAL checkpoints (copying committed pages into the database file and flushing
  // it) run on a background thread of their own, so no commit waits for one. false: SQLite's
  // automatic checkpoint, run inside the COMMIT that crosses `checkpoint_pages`.
  bool background_checkpoints = true;
  // SQLite files: a checkpoint starts once this many pages were appended to the WAL since the
  // last one (16 MiB of 4 KiB pages; SQLite's own default is 1000). Fewer checkpoints copy each
  // page written many times between them once, and fewer database-file flushes compete with the
  // commits' (issue 16: 16 callers ~11% faster than with 1000; docs/performance.md).
  int checkpoint_pages = 4000;
  // How long a connection waits for a lock another process holds before giving up (Unavailable).
  Duration busy_timeout = std::chrono::seconds(5);
  // Concurrent Apply calls share one database transaction (one flush to disk). Each keeps its
  // own outcome: a stale revision fails only its own call.
  bool group_commit = true;
  // Most mutations one shared transaction carries.
  int max_batch = 256;
  // Longest a batch waits for callers the previous batch served to come back with their next
  // step (never more than that batch's own run time, its waits not counted; a lone caller
  // never waits). 0: off.
  Duration max_gather = std::chrono::milliseconds(2);
  // PostgreSQL: connections that commit batches side by side (SQLite always has one writer).
  int writer_connections = 1;
  // Connections for reads (and, on PostgreSQL, for claims and other writes).
  int read_connections = 4;
  // SQLite: a missing database file is created (false: NotFound instead).
  bool create_if_missing = true;
  // Creates or migrates the schema on open (false: the schema must already be this binary's
  // version, FailedPrecondition otherwise; for tools that only read, such as `audit verify`).
  bool migrate_schema = true;
  // The overdue list (`overdue=true`) under a party filter (`party=` or the caller's authority),
  // with many clocks due, walks this many candidates in id order, each checked against its
  // deadline rows, before it turns to the due-time index; with fewer due rows than this it reads
  // them from that index at once. Either way the page is the same; this only bounds the work of
  // each (tests set it low to exercise both). Without a party the list reads the deadline rows'
  // own indexes (schema 8) and ignores this.
  int overdue_walk = 2000;
  // SQLite files with background checkpoints: after each background checkpoint that leaves the
  // WAL past `checkpoint_pages`, the writer copies the rest itself between two batches (what was
  // committed while the background one ran), so the WAL starts again from its beginning instead
  // of growing without end under steady writes; overwriting the WAL flushes about twice as fast
  // as appending to it (docs/performance.md). false: only background checkpoints (for comparison).
  bool wal_catch_up = true;
  // SQLite: how many of the requests its own Apply committed lately the store keeps in memory
  // (Store::LastCommitted), so that the engine's next step of one of them does not read it back
  // from the database; about 5 KB each with the scale benchmark's caseload. The writer also keeps,
  // for as many requests, the statistics record and the last history row's rowid its own steps
  // wrote (while no other connection or process writes the file). 0: none. PostgreSQL
  // keeps none: with several nodes a copy would often be stale, and each stale copy costs a
  // refused step.
  int request_cache = 1024;
  // PostgreSQL: plan the reads for a walk of every history by its key, as `rogatory audit verify`
  // makes: no parallel workers (the audit runs its own), and a random page read costed as one
  // from memory (random_page_cost 1.1). A history is stored in the order its steps came, so a
  // page of requests finds its rows scattered over the table; with the defaults PostgreSQL
  // gathers them with a bitmap scan and sorts them, about twice the time of reading them along
  // the key (docs/performance.md, session 22). For a process that reads nothing else.
  bool pg_history_walk = false;
};

// Opens the store named by `url`, creating or migrating its schema as needed:
//   memory:                          the in-memory store (NewMemoryStore); options unused
//   sqlite:///abs/path/rogatory.db   an SQLite file by absolute path (created if missing)
//   sqlite://relative/rogatory.db    an SQLite file relative to the working directory
//   sqlite::memory:                  a private in-memory SQLite database (tests)
//   postgresql://user@host:port/db   PostgreSQL, any libpq URI (postgres:// too)
//   postgresql://host=h port=5432 dbname=db user=u   PostgreSQL, libpq keyword form
// InvalidArgument: the URL is malformed or names no known backend. Unavailable: the database
// cannot be reached or opened. NotFound: the SQLite file is missing and !create_if_missing.
// FailedPrecondition: its schema is newer than this binary knows (or, with !migrate_schema, not
// this binary's version).
// Internal: anything else (details go to the log, never into the message). The returned store is
// thread-safe.
Result<std::unique_ptr<Store>> OpenStore(const std::string& url,
                                         const SqlStoreOptions& options = {});

// `url` with any password replaced by "***", fit for logs and messages.
std::string RedactStoreUrl(const std::string& url);

}  // namespace rogatory

#endif  // ROGATORY_SQL_STORE_H_
