// Helpers for the v1 -> v2 migration tests of the shipped workflows: a request driven on
// version 1 in a real SQLite file, migrated with the documented map, then checked against the
// documented outcome (state and clocks) and read back from the file by a second store.
#ifndef ROGATORY_TESTS_WORKFLOWS_MIGRATION_H_
#define ROGATORY_TESTS_WORKFLOWS_MIGRATION_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "rogatory/sql_store.h"
#include "workflows/scenario.h"

namespace rogatory::workflow_testing {

// A fresh SQLite database file in the temporary folder, removed with its folder at the end.
class SqliteFile {
 public:
  explicit SqliteFile(const std::string& name) {
    dir_ = std::filesystem::temp_directory_path() /
           ("rogatory_migration_" + std::to_string(::getpid()) + "_" + name);
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    url_ = "sqlite://" + (dir_ / "rogatory.db").string();
  }
  ~SqliteFile() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  SqliteFile(const SqliteFile&) = delete;
  SqliteFile& operator=(const SqliteFile&) = delete;

  // A new connection to the file (the schema is created on the first). Commits are not flushed
  // to the disk one by one (synchronous NORMAL): durability is not what these tests check.
  std::shared_ptr<Store> Open() const {
    SqlStoreOptions options;
    options.sqlite_synchronous = SqliteSync::kNormal;
    Result<std::unique_ptr<Store>> store = OpenStore(url_, options);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::shared_ptr<Store>(std::move(*store)) : nullptr;
  }

 private:
  std::filesystem::path dir_;
  std::string url_;
};

// One documented row of a migration map: a request brought to `v1_state` by `reach` ends, after
// the migration with `map`, in `v2_state` with exactly these running and lapsed clocks.
struct MigrationCase {
  std::string v1_state;
  std::function<void(Scenario&)> reach;
  std::string v2_state;
  std::vector<std::string> running;
  std::vector<std::string> lapsed;
  // Clocks that version 2 recomputes from a date field, with their new due time (RFC 3339).
  std::map<std::string, std::string> recomputed{};
};

inline std::vector<std::string> Names(const Request& r, bool lapsed) {
  std::vector<std::string> out;
  for (const auto& d : r.deadlines) {
    if (d.lapsed == lapsed && !d.paused) out.push_back(d.name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// Runs one case of `workflow` on a SQLite file: reaches the v1 state, migrates to version 2 with
// `map`, checks the documented outcome, that the clocks version 2 keeps kept their due time, and
// that a second connection to the file reads the same request.
inline void CheckMigration(const std::string& workflow, const MigrationCase& c,
                           const std::map<std::string, std::string>& map) {
  SCOPED_TRACE(workflow + " v1 state " + c.v1_state);
  SqliteFile file(workflow + "_" + c.v1_state);
  Scenario s(workflow, 1, file.Open());
  c.reach(s);
  const Request before = s.request();
  ASSERT_EQ(before.state, c.v1_state);
  ASSERT_EQ(before.version, 1);

  Result<Request> migrated = s.Migrate(2, map, "issue 14: second edition");
  ASSERT_TRUE(migrated.ok()) << migrated.status().ToString();
  EXPECT_EQ(migrated->version, 2);
  EXPECT_EQ(migrated->state, c.v2_state);
  EXPECT_EQ(Names(*migrated, false), Sorted(c.running));
  EXPECT_EQ(Names(*migrated, true), Sorted(c.lapsed));
  // A clock both versions know keeps its due time, unless version 2 counts it from a field.
  for (const auto& d : migrated->deadlines) {
    auto due = c.recomputed.find(d.name);
    const DeadlineState* old = before.FindDeadline(d.name);
    if (due != c.recomputed.end()) {
      EXPECT_EQ(FormatRfc3339(d.due_at), Instant(due->second.c_str())) << d.name;
    } else if (old != nullptr) {
      EXPECT_EQ(FormatRfc3339(d.due_at), FormatRfc3339(old->due_at)) << d.name;
    }
  }
  EXPECT_EQ(s.last().event, "migrate");

  // Read back from the file by another connection.
  std::shared_ptr<Store> again = file.Open();
  ASSERT_NE(again, nullptr);
  Result<Request> stored = again->GetRequest(s.id());
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_EQ(stored->version, 2);
  EXPECT_EQ(stored->state, c.v2_state);
  EXPECT_EQ(stored->deadlines, migrated->deadlines);
}

}  // namespace rogatory::workflow_testing

#endif  // ROGATORY_TESTS_WORKFLOWS_MIGRATION_H_
