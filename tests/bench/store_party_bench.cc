// The list by party on a million requests (CONTRACT §8: `GET /v1/requests?party=ID`, and what a
// token with an authority lists): Store::ListRequests with `party` on SQLite and PostgreSQL.
// The store is filled once per kind with SQL (N requests, 50 authorities, each request with an
// issuing and an executing party), then pages of 50 are read: the first page of a random
// authority, and a page from the middle of its list (a random `after`). p50/p99 as counters.
// Command and figures: docs/performance.md ("The list by party"). PostgreSQL needs
// ROGATORY_TEST_PG_URL (tests/store/pg_test_cluster.sh). ROGATORY_BENCH_PARTY_N overrides N.
#include <benchmark/benchmark.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "rogatory/sql_store.h"

namespace rogatory {
namespace {

constexpr int kAuthorities = 50;

int64_t RequestCount() {
  const char* n = std::getenv("ROGATORY_BENCH_PARTY_N");
  return n != nullptr ? std::atoll(n) : 1000000;
}

std::string Authority(int64_t k) { return "a" + std::to_string(k % kAuthorities) + ".office"; }

// Fills `requests` and `request_parties` with n requests: request i has issuing party
// authority i % 50 and executing party authority (7i + 3) % 50 (the same one for some).
std::vector<std::string> FillSql(bool sqlite, int64_t n) {
  const std::string series =
      sqlite ? "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < " +
                   std::to_string(n) + ") "
             : "WITH s(i) AS (SELECT generate_series(1, " + std::to_string(n) + ")) ";
  const std::string text = sqlite ? "" : "::text";
  // Zero-padded ids sort as numbers, as the engine's sortable ids sort by creation.
  const std::string id = sqlite ? "printf('r%09d', i)" : "'r' || lpad(i::text, 9, '0')";
  const std::string issuing = "'a' || (i % 50)" + text + " || '.office'";
  const std::string executing = "'a' || ((7 * i + 3) % 50)" + text + " || '.office'";
  return {
      series +
          "INSERT INTO requests (id, workflow, version, state, phase, revision, data, refs, "
          "deadlines, created_at, updated_at, head_hash, parties) SELECT " +
          id +
          ", 'eio', 1, 'transmitted', 'transmission', 2, '{\"issuing_state\":\"AT\"}', '{}', "
          "'[]', 1772442000000000, 1772442000000000, '', "
          "'{\"executing\":\"' || " +
          executing + " || '\",\"issuing\":\"' || " + issuing + " || '\"}' FROM s",
      series + "INSERT INTO request_parties (authority, request_id) SELECT " + issuing + ", " + id +
          " FROM s",
      series + "INSERT INTO request_parties (authority, request_id) SELECT " + executing + ", " +
          id + " FROM s WHERE (7 * i + 3) % 50 <> i % 50",
      sqlite ? "ANALYZE" : "ANALYZE requests; ANALYZE request_parties",
  };
}

std::shared_ptr<Store> PartyStore(bool sqlite, int64_t n, std::string* error) {
  static std::mutex mu;
  static std::map<std::pair<bool, int64_t>, std::shared_ptr<Store>> stores;
  std::lock_guard<std::mutex> lock(mu);
  auto& s = stores[{sqlite, n}];
  if (s != nullptr) return s;
  std::string url;
  const std::vector<std::string> fill = FillSql(sqlite, n);
  if (sqlite) {
    const char* dir = std::getenv("ROGATORY_BENCH_DIR");
    auto folder =
        std::filesystem::path(dir != nullptr ? dir : std::filesystem::temp_directory_path()) /
        ("rogatory-party-bench-" + std::to_string(getpid()));
    std::filesystem::create_directories(folder);
    const std::string path = (folder / ("party-" + std::to_string(n) + ".db")).string();
    url = "sqlite://" + path;
    Result<std::unique_ptr<Store>> created = OpenStore(url);  // creates the schema
    if (!created.ok()) {
      *error = created.status().ToString();
      return nullptr;
    }
    created->reset();
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    std::string sql = "BEGIN;";
    for (size_t k = 0; k + 1 < fill.size(); ++k) sql += fill[k] + ";";
    sql += "COMMIT;" + fill.back();
    char* message = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      *error = message != nullptr ? message : "fill failed";
      sqlite3_free(message);
    }
    sqlite3_close(db);
  } else {
    const char* admin_url = std::getenv("ROGATORY_TEST_PG_URL");
    if (admin_url == nullptr || *admin_url == '\0') {
      *error = "set ROGATORY_TEST_PG_URL (tests/store/pg_test_cluster.sh)";
      return nullptr;
    }
    std::string admin = admin_url;
    if (admin.rfind("postgresql://", 0) != 0) admin = "postgresql://" + admin;
    const std::string keywords = admin.substr(std::string("postgresql://").size());
    const std::string schema = "party_" + std::to_string(getpid()) + "_" + std::to_string(n);
    PGconn* conn = PQconnectdb(keywords.c_str());
    auto exec = [&](const std::string& sql) {
      PGresult* res = PQexec(conn, sql.c_str());
      if (PQresultStatus(res) != PGRES_COMMAND_OK && error->empty()) {
        *error = PQresultErrorMessage(res);
      }
      PQclear(res);
    };
    exec("CREATE SCHEMA " + schema);
    url = admin + " options='-csearch_path=" + schema + "'";
    Result<std::unique_ptr<Store>> created = OpenStore(url);
    if (!created.ok()) *error = created.status().ToString();
    created = Result<std::unique_ptr<Store>>(nullptr);
    exec("SET search_path = " + schema);
    for (const std::string& sql : fill) exec(sql);
    PQfinish(conn);
  }
  if (!error->empty()) return nullptr;
  Result<std::unique_ptr<Store>> opened = OpenStore(url);
  if (!opened.ok()) {
    *error = opened.status().ToString();
    return nullptr;
  }
  s = std::move(opened).value();
  return s;
}

// range(0): 0 = the first page of a random authority, 1 = a page from the middle of its list.
void PartyList(benchmark::State& state, bool sqlite) {
  std::string error;
  const int64_t n = RequestCount();
  std::shared_ptr<Store> store = PartyStore(sqlite, n, &error);
  if (store == nullptr) {
    state.SkipWithError(error.c_str());
    return;
  }
  std::mt19937_64 random(42);
  std::vector<double> ms;
  size_t found = 0;
  for (auto _ : state) {
    RequestQuery q;
    q.limit = 50;
    q.party = Authority(static_cast<int64_t>(random() % kAuthorities));
    if (state.range(0) == 1) {
      char after[16];
      std::snprintf(after, sizeof after, "r%09lld",
                    static_cast<long long>(random() % static_cast<uint64_t>(n)));
      q.after = after;
    }
    const auto start = std::chrono::steady_clock::now();
    Result<RequestPage> page = store->ListRequests(q);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
    if (!page.ok()) {
      state.SkipWithError(page.status().ToString().c_str());
      return;
    }
    for (const Request& r : page->items) {
      bool party = false;
      for (const auto& [side, a] : r.parties) party = party || a == q.party;
      if (!party) {
        state.SkipWithError(("request " + r.id + " is not of party " + q.party).c_str());
        return;
      }
    }
    found = page->items.size();
  }
  std::sort(ms.begin(), ms.end());
  state.counters["requests"] = static_cast<double>(n);
  state.counters["page_size"] = static_cast<double>(found);
  state.counters["p50_ms"] = ms[ms.size() / 2];
  state.counters["p99_ms"] = ms[std::min(ms.size() - 1, ms.size() * 99 / 100)];
}

void BM_SqlitePartyList(benchmark::State& state) { PartyList(state, true); }
BENCHMARK(BM_SqlitePartyList)->Arg(0)->Arg(1)->Iterations(500)->Unit(benchmark::kMillisecond);

void BM_PostgresPartyList(benchmark::State& state) { PartyList(state, false); }
BENCHMARK(BM_PostgresPartyList)->Arg(0)->Arg(1)->Iterations(500)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace rogatory

BENCHMARK_MAIN();
