#include "store_test_util.h"

#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "rogatory/history.h"
#include "rogatory/memory_store.h"

namespace rogatory::testing {
namespace {

std::string Unique() {
  static std::atomic<int> counter{0};
  static const unsigned seed = std::random_device()();
  return std::to_string(getpid()) + "_" + std::to_string(seed % 100000) + "_" +
         std::to_string(counter.fetch_add(1));
}

}  // namespace

std::string PgExec(const std::string& conninfo, const std::string& sql) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);  // DROP ... CASCADE chatter
  std::string error;
  if (PQstatus(conn) != CONNECTION_OK) {
    error = PQerrorMessage(conn);
  } else {
    PGresult* res = PQexec(conn, sql.c_str());
    if (PQresultStatus(res) != PGRES_COMMAND_OK) error = PQresultErrorMessage(res);
    PQclear(res);
  }
  PQfinish(conn);
  return error;
}

std::string StoreKindName(StoreKind kind) {
  switch (kind) {
    case StoreKind::kMemory:
      return "Memory";
    case StoreKind::kSqlite:
      return "Sqlite";
    case StoreKind::kPostgres:
      return "Postgres";
  }
  return "Unknown";
}

std::string PgClusterUrl(std::string* why) {
  if (const char* env = std::getenv("ROGATORY_TEST_PG_URL"); env != nullptr && *env != '\0') {
    return env;
  }
  std::string file = ROGATORY_TEST_PG_URL_FILE;
  if (const char* env = std::getenv("ROGATORY_TEST_PG_URL_FILE"); env != nullptr) file = env;
  std::ifstream in(file);
  std::string url;
  if (in && std::getline(in, url) && !url.empty()) return url;
  *why =
      "no PostgreSQL for the tests: run them through ctest (its fixture starts a cluster "
      "with tests/store/pg_test_cluster.sh) or set ROGATORY_TEST_PG_URL (libpq keyword "
      "form); looked for " +
      file;
  return "";
}

TestStore::TestStore(StoreKind kind, SqlStoreOptions options) : kind_(kind), options_(options) {
  switch (kind) {
    case StoreKind::kMemory:
      store_ = NewMemoryStore();
      return;
    case StoreKind::kSqlite: {
      dir_ = (std::filesystem::temp_directory_path() / ("rogatory-store-" + Unique())).string();
      std::filesystem::create_directories(dir_);
      sqlite_path_ = dir_ + "/rogatory.db";
      url_ = "sqlite://" + sqlite_path_;  // sqlite:///tmp/... : absolute
      break;
    }
    case StoreKind::kPostgres: {
      std::string why;
      pg_admin_ = PgClusterUrl(&why);
      if (pg_admin_.empty()) {
        status_ = UnavailableError(why);
        return;
      }
      pg_schema_ = "t_" + Unique();
      if (std::string e = PgExec(pg_admin_, "CREATE SCHEMA " + pg_schema_); !e.empty()) {
        status_ = UnavailableError("cannot create a test schema: " + e);
        pg_schema_.clear();
        return;
      }
      url_ = "postgresql://" + pg_admin_ + " options='-csearch_path=" + pg_schema_ + "'";
      break;
    }
  }
  status_ = Reopen();
}

Status TestStore::Reopen() {
  if (kind_ == StoreKind::kMemory) return OkStatus();
  store_.reset();
  Result<std::unique_ptr<Store>> opened = OpenStore(url_, options_);
  if (!opened.ok()) return opened.status();
  store_ = std::move(opened).value();
  return OkStatus();
}

TestStore::~TestStore() {
  store_.reset();
  if (!dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  if (!pg_schema_.empty()) PgExec(pg_admin_, "DROP SCHEMA " + pg_schema_ + " CASCADE");
}

TimePoint RequestBuilder::DefaultTime() { return ParseRfc3339("2026-03-02T09:00:00Z").value(); }

RequestBuilder::RequestBuilder(std::string id, std::string workflow, TimePoint at) : at_(at) {
  request_.id = std::move(id);
  request_.workflow = std::move(workflow);
  request_.version = 1;
  request_.created_at = at;
}

Mutation RequestBuilder::Create(const std::string& state, Phase phase) {
  request_.state = state;
  request_.phase = phase;
  request_.revision = 0;
  return Finish(std::string(kCreateEvent), "", 0);
}

Mutation RequestBuilder::Step(const std::string& event, const std::string& to, Phase phase) {
  const std::string from = request_.state;
  const int64_t expected = request_.revision;
  request_.state = to;
  request_.phase = phase;
  return Finish(event, from, expected);
}

Mutation RequestBuilder::Finish(const std::string& event, const std::string& from,
                                int64_t expected) {
  Mutation m;
  m.expected_revision = expected;
  // As the engine does: the clocks of the revision the step starts from, when this builder
  // built it (a test may have set the request to another revision itself).
  if (expected != 0 && expected == built_revision_) m.deadlines_before = built_deadlines_;
  built_deadlines_ = request_.deadlines;
  built_revision_ = expected + 1;
  request_.revision = expected + 1;
  request_.updated_at = at_;
  HistoryEntry& h = m.history;
  h.request_id = request_.id;
  h.seq = request_.revision;
  h.event = event;
  h.from_state = from;
  h.to_state = request_.state;
  h.actor = "ana.prosecutor";
  h.at = at_;
  h.data = {{"step", request_.revision}};
  h.prev_hash = expected == 0 ? std::string(kGenesisHash) : request_.head_hash;
  h.hash = ComputeHistoryHash(h);
  request_.head_hash = h.hash;
  m.request = request_;
  return m;
}

DeadlineState Running(const std::string& name, TimePoint started, TimePoint due) {
  DeadlineState d;
  d.name = name;
  d.started_at = started;
  d.due_at = due;
  return d;
}

DeadlineState Paused(const std::string& name, TimePoint started, TimePoint due, Duration left) {
  DeadlineState d = Running(name, started, due);
  d.paused = true;
  d.remaining = left;
  return d;
}

DeadlineState Lapsed(const std::string& name, TimePoint started, TimePoint due,
                     TimePoint lapsed_at) {
  DeadlineState d = Running(name, started, due);
  d.lapsed = true;
  d.lapsed_at = lapsed_at;
  return d;
}

Notification NotificationFor(const Mutation& m, std::string_view type) {
  Notification n;
  n.type = std::string(type);
  n.workflow = m.request.workflow;
  n.body =
      nlohmann::json({{"type", n.type},
                      {"data", {{"request_id", m.request.id}, {"revision", m.request.revision}}}})
          .dump();
  return n;
}

}  // namespace rogatory::testing
