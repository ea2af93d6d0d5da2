// Stores under test (memory, SQLite file, PostgreSQL schema), each isolated for one test, and
// builders for the mutations the engine would hand them.
#ifndef ROGATORY_TESTS_STORE_STORE_TEST_UTIL_H_
#define ROGATORY_TESTS_STORE_STORE_TEST_UTIL_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rogatory/request.h"
#include "rogatory/sql_store.h"
#include "rogatory/store.h"
#include "rogatory/time.h"

namespace rogatory::testing {

enum class StoreKind { kMemory, kSqlite, kPostgres };

// "Memory", "Sqlite", "Postgres": the suffix of parameterised test names.
std::string StoreKindName(StoreKind kind);

// The test run's PostgreSQL cluster in libpq keyword form: ROGATORY_TEST_PG_URL, else the file
// the CTest fixture (pg_test_cluster.sh) wrote. Empty, with `*why` set, when there is none.
std::string PgClusterUrl(std::string* why);

// Runs one statement on the cluster (`conninfo`, libpq keyword form) as its superuser. Returns
// an error message, or "" on success.
std::string PgExec(const std::string& conninfo, const std::string& sql);

// A store of one kind on a database of its own (a temporary SQLite file, a fresh PostgreSQL
// schema), removed when the TestStore is destroyed.
class TestStore {
 public:
  explicit TestStore(StoreKind kind, SqlStoreOptions options = {});
  ~TestStore();
  TestStore(const TestStore&) = delete;
  TestStore& operator=(const TestStore&) = delete;

  // Whether the store opened; the status says why not.
  const Status& status() const { return status_; }
  Store& store() { return *store_; }
  std::shared_ptr<Store> shared() { return store_; }
  // The URL it was opened with (empty for memory).
  const std::string& url() const { return url_; }
  // Closes the store and opens its database again (SQL kinds only).
  Status Reopen();
  // The SQLite file (kSqlite only).
  const std::string& sqlite_path() const { return sqlite_path_; }
  // The store's PostgreSQL schema (kPostgres only).
  const std::string& pg_schema() const { return pg_schema_; }

 private:
  StoreKind kind_;
  SqlStoreOptions options_;
  std::string url_, dir_, sqlite_path_, pg_admin_, pg_schema_;
  Status status_;
  std::shared_ptr<Store> store_;
};

// Builds a request's successive mutations as the engine would: revisions counting up, each
// history entry hash-chained to the previous one, each step saying the clocks it started from.
class RequestBuilder {
 public:
  RequestBuilder(std::string id, std::string workflow = "eio", TimePoint at = DefaultTime());

  // The mutation that creates the request in `state`.
  Mutation Create(const std::string& state = "draft", Phase phase = Phase::kDrafting);
  // The next step: fires `event` moving to `to`. Call after the previous mutation was applied.
  Mutation Step(const std::string& event, const std::string& to, Phase phase);
  // The request after the last built mutation (what the next one starts from).
  Request& request() { return request_; }
  // Moves the builder's clock (history `at`, updated_at).
  void Advance(Duration d) { at_ += d; }

  static TimePoint DefaultTime();

 private:
  Mutation Finish(const std::string& event, const std::string& from, int64_t expected);

  Request request_;
  TimePoint at_;
  // The clocks and revision of the last built mutation.
  std::vector<DeadlineState> built_deadlines_;
  int64_t built_revision_ = 0;
};

// A deadline as the engine keeps it.
DeadlineState Running(const std::string& name, TimePoint started, TimePoint due);
DeadlineState Paused(const std::string& name, TimePoint started, TimePoint due, Duration left);
// A clock that lapsed at `lapsed_at` and stays on the request (CONTRACT §7).
DeadlineState Lapsed(const std::string& name, TimePoint started, TimePoint due,
                     TimePoint lapsed_at);

// A notification of `type` for the request in `m` (body: a small JSON text).
Notification NotificationFor(const Mutation& m, std::string_view type);

// One minute, and RequestBuilder's default time plus `minutes`: the clocks' test times.
inline constexpr Duration kMinute = std::chrono::minutes(1);
inline TimePoint T(int minutes) { return RequestBuilder::DefaultTime() + minutes * kMinute; }

// An RFC 3339 instant that the test knows to be well formed.
inline TimePoint At(const char* rfc3339) { return ParseRfc3339(rfc3339).value(); }

// A clerk with no authority: the actor of the store-and-engine tests.
inline Actor Clerk() { return Actor{"cleo.clerk", {"clerk"}, ""}; }

}  // namespace rogatory::testing

#endif  // ROGATORY_TESTS_STORE_STORE_TEST_UTIL_H_
