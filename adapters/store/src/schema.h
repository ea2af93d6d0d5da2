// The database schema and its migrations, applied on open and recorded in `schema_version`.
#ifndef ROGATORY_ADAPTERS_STORE_SCHEMA_H_
#define ROGATORY_ADAPTERS_STORE_SCHEMA_H_

#include "dialect.h"
#include "rogatory/status.h"

namespace soci {
class session;
}

namespace rogatory::store_internal {

// Brings the database behind `sql` to kStoreSchemaVersion in one transaction: creates every
// table on an empty database, runs the missing migrations on an older one. Concurrent openers
// (several nodes on one PostgreSQL) serialise on a lock, so each step runs once.
// FailedPrecondition: the database's schema is newer than this binary knows (nothing changed).
// Throws what SOCI throws on a database error (the caller maps it).
Status MigrateSchema(soci::session& sql, const Dialect& d);

// Checks, without writing, that the database's schema is exactly kStoreSchemaVersion.
// FailedPrecondition says what it is instead (none, older, newer).
Status CheckSchema(soci::session& sql);

}  // namespace rogatory::store_internal

#endif  // ROGATORY_ADAPTERS_STORE_SCHEMA_H_
