// Database connections: opening one (with SQLite's pragmas), the statements prepared on it, and
// a pool that lends each to one thread at a time (a SOCI session is not thread-safe).
#ifndef ROGATORY_ADAPTERS_STORE_CONNECTION_H_
#define ROGATORY_ADAPTERS_STORE_CONNECTION_H_

#include <soci/soci.h>

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "dialect.h"
#include "rogatory/sql_store.h"
#include "store_url.h"

namespace rogatory::store_internal {

class ApplyWriter;
class RequestReader;
struct KeptTally;

// Prepares `query` on `st` (a statement made on a session) with the given into/use exchanges,
// once; executing it later re-binds the exchanged variables' current values.
template <typename... Exchanges>
void Prepare(soci::statement& st, const std::string& query, const Exchanges&... exchanges) {
  (st.exchange(exchanges), ...);
  st.alloc();
  st.prepare(query);
  st.define_and_bind();
}

// One open connection and the statements prepared on it (lazily, on first use).
class Connection {
 public:
  // `last_writes`: what the writer keeps of its last writes (ApplyWriter).
  Connection(const Dialect& dialect, std::unique_ptr<soci::session> sql, size_t last_writes = 0);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  soci::session& sql() { return *sql_; }
  const Dialect& dialect() const { return dialect_; }
  // Where the writer counts what it kept saved (LastWrites); set before the first writer().
  void CountKeptIn(KeptTally* counters) { kept_tally_ = counters; }
  // The Apply path's prepared statements.
  ApplyWriter& writer();
  // The same when it was made already, else nullptr (without preparing its statements).
  ApplyWriter* writer_if_open() { return writer_.get(); }
  // The hot reads' prepared statements.
  RequestReader& reader();
  // True when the connection is gone and must be replaced.
  bool Lost() { return ConnectionLost(dialect_, *sql_); }

 private:
  Dialect dialect_;
  size_t last_writes_capacity_;
  KeptTally* kept_tally_ = nullptr;     // the store's, which outlives its connections
  std::unique_ptr<soci::session> sql_;  // outlives the statements below (destroyed last)
  std::unique_ptr<ApplyWriter> writer_;
  std::unique_ptr<RequestReader> reader_;
};

// Opens a connection to `url` (SQLite or PostgreSQL). For SQLite: WAL journal (files), the
// configured synchronous level, busy timeout. Throws what SOCI throws.
std::unique_ptr<Connection> OpenConnection(const StoreUrl& url, const SqlStoreOptions& options);

// Lends connections, opening them on demand up to a capacity; a lost connection is dropped when
// returned and a fresh one opened on the next demand. Thread-safe.
class ConnectionPool {
 public:
  using Factory = std::function<std::unique_ptr<Connection>()>;  // throws on failure

  ConnectionPool(Factory factory, int capacity);
  ~ConnectionPool();

  // A connection held by one thread; returned to the pool when the lease ends.
  class Lease {
   public:
    Lease(ConnectionPool* pool, std::unique_ptr<Connection> conn)
        : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (conn_ != nullptr) pool_->Release(std::move(conn_));
    }
    Connection& operator*() { return *conn_; }
    Connection* operator->() { return conn_.get(); }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<Connection> conn_;
  };

  // Waits for a free connection, or opens one. Throws what the factory throws (the slot is
  // given back).
  Lease Acquire();

 private:
  void Release(std::unique_ptr<Connection> conn);

  Factory factory_;
  const int capacity_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> idle_;  // GUARDED_BY(mu_)
  int open_ = 0;                                   // GUARDED_BY(mu_): idle + leased
};

}  // namespace rogatory::store_internal

#endif  // ROGATORY_ADAPTERS_STORE_CONNECTION_H_
