// What SOCI does not expose of an SQLite session: its sqlite3 handle, for the C calls the store
// makes itself (hooks, checkpoints, its own statements), and the database's data version.
#ifndef ROGATORY_ADAPTERS_STORE_SQLITE_HANDLE_H_
#define ROGATORY_ADAPTERS_STORE_SQLITE_HANDLE_H_

#include <soci/soci.h>

#include <cstdint>

namespace sqlite_api {
struct sqlite3;  // SOCI's sqlite3 backend declares SQLite's API in this namespace
}  // namespace sqlite_api

namespace rogatory::store_internal {

// The sqlite3 handle of `sql`. REQUIRES: a session of SOCI's sqlite3 backend.
sqlite_api::sqlite3* SqliteHandle(soci::session& sql);

// SQLite's data version of the main database of `sql` (SQLITE_FCNTL_DATA_VERSION): it moves at
// every commit to the file, by this connection or any other. REQUIRES: an SQLite session.
uint32_t SqliteDataVersion(soci::session& sql);

}  // namespace rogatory::store_internal

#endif  // ROGATORY_ADAPTERS_STORE_SQLITE_HANDLE_H_
