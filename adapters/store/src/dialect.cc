#include "dialect.h"

#include <libpq-fe.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

namespace rogatory::store_internal {

void FinishRead(const Dialect& d, soci::statement& st) {
  if (!d.sqlite()) return;
  auto* backend = static_cast<soci::sqlite3_statement_backend*>(st.get_backend());
  if (backend != nullptr && backend->stmt_ != nullptr) sqlite_api::sqlite3_reset(backend->stmt_);
}

bool ConnectionLost(const Dialect& d, soci::session& sql) {
  if (!d.postgres()) return false;
  auto* backend = static_cast<soci::postgresql_session_backend*>(sql.get_backend());
  return backend == nullptr || backend->conn_ == nullptr ||
         PQstatus(backend->conn_) != CONNECTION_OK;
}

}  // namespace rogatory::store_internal
