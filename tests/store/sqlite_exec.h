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

}  // namespace rogatory::testing

#endif  // ROGATORY_TESTS_STORE_SQLITE_EXEC_H_
