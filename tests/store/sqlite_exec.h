// Runs SQL on a SQLite file directly, behind the store's back: the tests that damage or inspect
// a database share it.
#ifndef ROGATORY_TESTS_STORE_SQLITE_EXEC_H_
#define ROGATORY_TESTS_STORE_SQLITE_EXEC_H_

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>

namespace rogatory::testing {

// Runs `sql` on the SQLite file at `path`; a failure fails the calling test with SQLite's message.
inline void SqliteExec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  const std::string message = error != nullptr ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << message;
}

// Takes a SQLite database of this binary's schema back to version 11: the history keyed by
// (request_id, seq) through a unique index (its rowids kept), without schema 12's links.
inline const std::string kBackToVersion11 =
    "CREATE TABLE history_keyed (request_id TEXT NOT NULL, seq BIGINT NOT NULL,"
    " event TEXT NOT NULL, from_state TEXT NOT NULL, to_state TEXT NOT NULL, actor TEXT NOT NULL,"
    " at BIGINT NOT NULL, data TEXT NOT NULL, comment TEXT NOT NULL, prev_hash TEXT NOT NULL,"
    " hash TEXT NOT NULL, authority TEXT NOT NULL DEFAULT '', PRIMARY KEY (request_id, seq)); "
    "INSERT INTO history_keyed (rowid, request_id, seq, event, from_state, to_state, actor, at,"
    " data, comment, prev_hash, hash, authority) SELECT hid, request_id, seq, event, from_state,"
    " to_state, actor, at, data, comment, prev_hash, hash, authority FROM history; "
    "DROP TABLE history; ALTER TABLE history_keyed RENAME TO history; "
    "ALTER TABLE requests DROP COLUMN history_head; UPDATE schema_version SET version = 11;";

}  // namespace rogatory::testing

#endif  // ROGATORY_TESTS_STORE_SQLITE_EXEC_H_
