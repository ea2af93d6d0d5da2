// Helpers for the migration tests of the shipped workflows: a request driven on an older version
// in a real SQLite file, migrated with the documented map, then checked against the documented
// outcome (state and clocks) and read back from the file by a second store.
#ifndef ROGATORY_TESTS_WORKFLOWS_MIGRATION_H_
#define ROGATORY_TESTS_WORKFLOWS_MIGRATION_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
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

// One step of a walk: fire `event` as `role` with `data` (skipped when `event` is empty), then let
// `wait` pass, lapsing every clock that falls due as the scheduler would.
struct Step {
  std::string event;
  std::string role;
  nlohmann::json data = nlohmann::json::object();
  Duration wait{0};
};

// A step that only lets `d` pass.
inline Step Wait(Duration d) { return Step{"", "", nlohmann::json::object(), d}; }

// An engine over a fresh SQLite file (in its own temporary folder, removed at the end) with the
// shipped workflows loaded and a manual clock at T0().
class SqliteEngine {
 public:
  SqliteEngine() : file_(UniqueName()), clock_(std::make_shared<ManualClock>(T0())) {
    store_ = file_.Open();
    engine_ = std::make_unique<Engine>(EngineOptions{store_, clock_});
    const LoadReport& report = ShippedWorkflows();
    EXPECT_TRUE(report.ok()) << report.ErrorText();
    for (const auto& def : report.definitions) {
      Status s = engine_->LoadDefinition(def);
      EXPECT_TRUE(s.ok()) << s.ToString();
    }
  }
  ~SqliteEngine() {
    engine_.reset();
    store_.reset();
  }
  SqliteEngine(const SqliteEngine&) = delete;
  SqliteEngine& operator=(const SqliteEngine&) = delete;

  // Creates a request of `workflow` at `version` as `creator` and walks `steps`; its id.
  RequestId Walk(const std::string& workflow, int version, const nlohmann::json& data,
                 const std::vector<Step>& steps, const std::string& creator) {
    CreateCall call;
    call.workflow = workflow;
    call.version = version;
    call.data = data;
    Result<Request> r = engine_->Create(call, As(creator));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return RequestId();
    for (const Step& step : steps) {
      if (!step.event.empty()) {
        Result<Request> fired = Fire(r->id, step.event, step.role, step.data);
        EXPECT_TRUE(fired.ok()) << step.event << " as " << step.role << ": "
                                << fired.status().ToString();
      }
      if (step.wait != Duration{0}) Advance(step.wait);
    }
    return r->id;
  }

  // Moves the clock on by `d` and lapses every clock due by then.
  void Advance(Duration d) {
    clock_->Advance(d);
    RunDue();
  }

  // Lapses every clock due by now, as the scheduler would.
  void RunDue() {
    for (int round = 0; round < 100; ++round) {
      Result<std::vector<DueDeadline>> due =
          store_->ClaimDueDeadlines(clock_->Now(), "migration-test", Duration(1), 100);
      ASSERT_TRUE(due.ok()) << due.status().ToString();
      if (due->empty()) return;
      for (const DueDeadline& d : *due) {
        Result<std::optional<Request>> r = engine_->ExpireDeadline(d.request_id, d.name, d.due_at);
        EXPECT_TRUE(r.ok()) << r.status().ToString();
      }
    }
  }

  // Migrates request `id` to `target` with `state_map`, as an admin.
  Result<Request> Migrate(const RequestId& id, int target,
                          const std::map<std::string, std::string>& state_map = {},
                          const std::string& comment = "issue 14: second edition") {
    MigrationCall call;
    call.target_version = target;
    call.state_map = state_map;
    call.comment = comment;
    return engine_->Migrate(id, call, As("admin"));
  }

  // The request as stored (read back from the SQLite file).
  Request Get(const RequestId& id) {
    Result<Request> r = engine_->Get(id);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : Request{};
  }

  // Fires `event` on `id` as `role` with `data`.
  Result<Request> Fire(const RequestId& id, const std::string& event, const std::string& role,
                       const nlohmann::json& data = nlohmann::json::object()) {
    EventCall call;
    call.event = event;
    call.data = data;
    return engine_->Fire(id, call, As(role));
  }

  Engine& engine() { return *engine_; }
  ManualClock& clock() { return *clock_; }

 private:
  // A name no other engine of this process uses, for the file's folder.
  static std::string UniqueName() {
    static int next = 0;
    const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
    return std::string(test != nullptr ? test->name() : "engine") + "_" + std::to_string(next++);
  }

  SqliteFile file_;
  std::shared_ptr<ManualClock> clock_;
  std::shared_ptr<Store> store_;
  std::unique_ptr<Engine> engine_;
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
