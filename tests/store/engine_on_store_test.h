// The engine on each kind of store, as a parameterised test fixture: a TestStore, a manual
// clock, an engine with the definitions the test loads, a restart that opens the store's
// database again, and lapsing the due clocks as the scheduler does.
#ifndef ROGATORY_TESTS_STORE_ENGINE_ON_STORE_TEST_H_
#define ROGATORY_TESTS_STORE_ENGINE_ON_STORE_TEST_H_

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "rogatory/definition_loader.h"
#include "rogatory/engine.h"
#include "store_test_util.h"

namespace rogatory::testing {

class EngineOnStoreTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  // The clock starts at `start` (default 2026-03-02T09:00:00Z).
  explicit EngineOnStoreTest(TimePoint start = ParseRfc3339("2026-03-02T09:00:00Z").value())
      : clock_(std::make_shared<ManualClock>(start)) {}

  void SetUp() override {
    db_ = std::make_unique<TestStore>(GetParam());
    ASSERT_TRUE(db_->status().ok()) << db_->status().ToString();
    StartEngine();
  }

  // The definitions the engine loads at each start.
  virtual std::vector<WorkflowDefinition> Definitions() = 0;
  // The engine's options: the store and the clock; a test may add a time zone.
  virtual EngineOptions Options() { return EngineOptions{db_->shared(), clock_}; }

  // The definitions of the YAML files or folders at `paths` (a failure to load fails the test).
  static std::vector<WorkflowDefinition> Load(const std::vector<std::string>& paths) {
    LoadReport report = LoadDefinitions(paths);
    EXPECT_TRUE(report.ok()) << report.ErrorText();
    return report.definitions;
  }

  void StartEngine() {
    engine_ = std::make_unique<Engine>(Options());
    for (const WorkflowDefinition& def : Definitions()) {
      Status s = engine_->LoadDefinition(def);
      ASSERT_TRUE(s.ok()) << s.ToString();
    }
  }

  // Simulates a restart: a new engine on the store opened again from its database.
  void Restart() {
    engine_.reset();
    ASSERT_TRUE(db_->Reopen().ok());
    StartEngine();
  }

  // Lapses every due clock, as the scheduler does; returns how many lapsed.
  int Lapse() {
    auto due = db_->shared()->ClaimDueDeadlines(clock_->Now(), "t", std::chrono::seconds(30), 10);
    EXPECT_TRUE(due.ok()) << due.status().ToString();
    int n = 0;
    if (!due.ok()) return n;
    for (const auto& d : *due) {
      auto r = engine_->ExpireDeadline(d.request_id, d.name, d.due_at);
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      if (r.ok() && r->has_value()) ++n;
    }
    return n;
  }

  std::shared_ptr<ManualClock> clock_;
  std::unique_ptr<TestStore> db_;
  std::unique_ptr<Engine> engine_;
};

}  // namespace rogatory::testing

#endif  // ROGATORY_TESTS_STORE_ENGINE_ON_STORE_TEST_H_
