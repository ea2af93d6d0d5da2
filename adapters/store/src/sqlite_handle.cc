#include "sqlite_handle.h"

#include <soci/sqlite3/soci-sqlite3.h>

namespace rogatory::store_internal {

sqlite_api::sqlite3* SqliteHandle(soci::session& sql) {
  return static_cast<soci::sqlite3_session_backend*>(sql.get_backend())->conn_;
}

uint32_t SqliteDataVersion(soci::session& sql) {
  unsigned int version = 0;
  sqlite_api::sqlite3_file_control(SqliteHandle(sql), "main", SQLITE_FCNTL_DATA_VERSION, &version);
  return version;
}

}  // namespace rogatory::store_internal
