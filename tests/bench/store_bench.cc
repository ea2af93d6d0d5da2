// Durable store throughput: Store::Apply and Engine::Fire on SQLite (WAL, synchronous=FULL) with
// 1, 4 and 16 concurrent callers, against raw sqlite3 doing the same three statements per
// transaction (the physical ceiling: one fsync per commit); and on PostgreSQL with 1 and 8
// callers when ROGATORY_TEST_PG_URL names a server (tests/store/pg_test_cluster.sh --durable).
// Figures and the command are in docs/performance.md ("Durable store"). BM_RawSqliteBatch16:
// SQLite's own cost of a 16-step batch on the store's schema; BM_SqliteClaimBacklog: a claim
// behind 50,000 pending deliveries (docs/performance.md, "Session 17"). BM_*OverdueList: the
// overdue list on a million requests (see below).
#include <benchmark/benchmark.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "rogatory/definition_loader.h"
#include "rogatory/engine.h"
#include "rogatory/history.h"
#include "rogatory/sql_store.h"

namespace rogatory {
namespace {

// Where the database files go: a real disk (ROGATORY_BENCH_DIR, default the temp folder).
std::string BenchDir() {
  const char* dir = std::getenv("ROGATORY_BENCH_DIR");
  auto path = std::filesystem::path(dir != nullptr ? dir : std::filesystem::temp_directory_path()) /
              ("rogatory-store-bench-" + std::to_string(getpid()));
  std::filesystem::create_directories(path);
  return path.string();
}

// ROGATORY_BENCH_SYNC=off|normal (default full): to see CPU cost apart from the flush.
std::string SyncPragma() {
  const char* s = std::getenv("ROGATORY_BENCH_SYNC");
  std::string v = s != nullptr ? s : "full";
  for (char& c : v) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return v;
}

std::atomic<int> next_request{0};
const TimePoint kT0 = FromUnixMicros(1772442000000000);

// One request's successive steps, as the engine builds them: revision + 1, a hash-chained
// history entry and a webhook notification (one outbox row for the one subscription), and
// `running` running clocks and `lapsed` lapsed ones, which no step changes.
class Stepper {
 public:
  explicit Stepper(int running = 0, int lapsed = 0) {
    // Unique across runs: the PostgreSQL database outlives the process.
    static const std::string run =
        std::to_string(getpid()) + "-" +
        std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
    r_.id = "bench-" + run + "-" + std::to_string(next_request.fetch_add(1));
    r_.workflow = "eio";
    r_.version = 1;
    r_.state = "transmitted";
    r_.phase = Phase::kTransmission;
    r_.data = {{"issuing_state", "AT"}, {"executing_state", "DE"}};
    r_.references = {{"issuing", "AT/2026/17"}};
    r_.created_at = kT0;
    for (int i = 0; i < running + lapsed; ++i) {
      DeadlineState d;
      d.name = "clock" + std::to_string(i);
      d.started_at = kT0;
      d.due_at = kT0 + std::chrono::hours(24 * (i < running ? 30 : -1));
      d.lapsed = i >= running;
      if (d.lapsed) d.lapsed_at = kT0;
      r_.deadlines.push_back(d);
    }
  }
  Mutation Next() {
    Mutation m;
    m.expected_revision = r_.revision;
    // As the engine does: the clocks the step starts from (the store skips unchanged rows).
    if (r_.revision != 0) m.deadlines_before = r_.deadlines;
    r_.revision += 1;
    r_.updated_at = kT0 + std::chrono::seconds(r_.revision);
    HistoryEntry& h = m.history;
    h.request_id = r_.id;
    h.seq = r_.revision;
    h.event = r_.revision == 1 ? "create" : "note";
    h.from_state = r_.revision == 1 ? "" : r_.state;
    h.to_state = r_.state;
    h.actor = "ana.prosecutor";
    h.at = r_.updated_at;
    h.prev_hash = r_.revision == 1 ? std::string(kGenesisHash) : r_.head_hash;
    h.hash = ComputeHistoryHash(h);
    r_.head_hash = h.hash;
    m.request = r_;
    Notification n;
    n.type = "request.transitioned";
    n.workflow = r_.workflow;
    n.body = R"({"type":"request.transitioned","data":{"request_id":")" + r_.id +
             R"(","revision":)" + std::to_string(r_.revision) + "}}";
    m.notification = std::move(n);
    return m;
  }

 private:
  Request r_;
};

// One store per URL for the whole run (benchmarks with 1, 4, 16 threads share it).
std::shared_ptr<Store> SharedStore(const std::string& url) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<Store>> stores;
  std::lock_guard<std::mutex> lock(mu);
  auto& s = stores[url];
  if (s == nullptr) {
    SqlStoreOptions options;
    // Knobs for experiments: ROGATORY_BENCH_WRITERS (PostgreSQL writer connections),
    // ROGATORY_BENCH_GROUP_COMMIT=0 (one transaction per Apply).
    if (const char* w = std::getenv("ROGATORY_BENCH_WRITERS"))
      options.writer_connections = std::atoi(w);
    if (const char* g = std::getenv("ROGATORY_BENCH_GROUP_COMMIT"))
      options.group_commit = std::atoi(g) != 0;
    // ROGATORY_BENCH_CHECKPOINT_PAGES: SQLite WAL pages between checkpoints.
    if (const char* c = std::getenv("ROGATORY_BENCH_CHECKPOINT_PAGES"))
      options.checkpoint_pages = std::atoi(c);
    // The second SQLite file (SqliteNoCatchUpUrl): no writer catch-up of checkpoints.
    if (url.find("/no-catch-up.db") != std::string::npos) options.wal_catch_up = false;
    if (SyncPragma() == "OFF") options.sqlite_synchronous = SqliteSync::kOff;
    if (SyncPragma() == "NORMAL") options.sqlite_synchronous = SqliteSync::kNormal;
    Result<std::unique_ptr<Store>> opened = OpenStore(url, options);
    if (!opened.ok()) return nullptr;
    s = std::move(opened).value();
    Subscription sub;
    sub.id = "bench-sub";
    sub.url = "https://consumer.example/hook";
    sub.secret = "whsec_c2VjcmV0";
    (void)s->CreateSubscription(sub);
  }
  return s;
}

std::string SqliteUrl() {
  static const std::string url = "sqlite://" + BenchDir() + "/store.db";
  return url;
}

// The same store with SqlStoreOptions::wal_catch_up false, as before issue 16's session 14:
// under steady writes its WAL never starts again from its beginning and grows without end.
std::string SqliteNoCatchUpUrl() {
  static const std::string url = "sqlite://" + BenchDir() + "/no-catch-up.db";
  return url;
}

std::string PostgresUrl() {
  const char* env = std::getenv("ROGATORY_TEST_PG_URL");
  if (env == nullptr || *env == '\0') return "";
  std::string url = env;
  return url.rfind("postgres", 0) == 0 ? url : "postgresql://" + url;
}

void ApplyLoop(benchmark::State& state, const std::string& url, int running = 0, int lapsed = 0) {
  if (url.empty()) {
    state.SkipWithError("set ROGATORY_TEST_PG_URL (tests/store/pg_test_cluster.sh --durable)");
    return;
  }
  std::shared_ptr<Store> store = SharedStore(url);
  if (store == nullptr) {
    state.SkipWithError("cannot open the store");
    return;
  }
  Stepper stepper(running, lapsed);
  if (!store->Apply(stepper.Next()).ok()) state.SkipWithError("create failed");
  for (auto _ : state) {
    Status s = store->Apply(stepper.Next());
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

// Store::Apply of one transition (request update, history row, outbox row) per iteration.
void BM_SqliteApply(benchmark::State& state) { ApplyLoop(state, SqliteUrl()); }
BENCHMARK(BM_SqliteApply)->Threads(1)->Threads(4)->Threads(16)->UseRealTime();

void BM_SqliteApplyNoCatchUp(benchmark::State& state) { ApplyLoop(state, SqliteNoCatchUpUrl()); }
BENCHMARK(BM_SqliteApplyNoCatchUp)->Threads(1)->Threads(4)->Threads(16)->UseRealTime();

// The same with two running clocks and one lapsed one on the request, which the steps leave
// alone: before issue 16 each step upserted the three deadline rows and their index entries
// (schema 8 copies the request's workflow, state and phase onto them); now it writes none.
void BM_SqliteApplyWithClocks(benchmark::State& state) { ApplyLoop(state, SqliteUrl(), 2, 1); }
BENCHMARK(BM_SqliteApplyWithClocks)->Threads(1)->UseRealTime();

void BM_PostgresApply(benchmark::State& state) { ApplyLoop(state, PostgresUrl()); }
BENCHMARK(BM_PostgresApply)->Threads(1)->Threads(8)->UseRealTime();

// Engine::Fire end to end: read the request, check, hash, Apply.
void FireLoop(benchmark::State& state, const std::string& url) {
  if (url.empty()) {
    state.SkipWithError("set ROGATORY_TEST_PG_URL (tests/store/pg_test_cluster.sh --durable)");
    return;
  }
  static std::mutex mu;
  static std::map<std::string, std::unique_ptr<Engine>> engines;
  Engine* engine = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto& e = engines[url];
    if (e == nullptr) {
      std::shared_ptr<Store> store = SharedStore(url);
      if (store == nullptr) {
        state.SkipWithError("cannot open the store");
        return;
      }
      LoadReport report =
          LoadDefinitions({std::string(ROGATORY_SOURCE_DIR) + "/tests/fixtures/store"});
      if (!report.ok()) {
        state.SkipWithError(report.ErrorText().c_str());
        return;
      }
      e = std::make_unique<Engine>(EngineOptions{store, nullptr});
      if (!e->LoadDefinition(report.definitions.at(0)).ok()) {
        state.SkipWithError("definition refused");
        return;
      }
    }
    engine = e.get();
  }
  const Actor clerk{"cleo.clerk", {"clerk"}};
  CreateCall create;
  create.workflow = "store_mla";
  create.data = {{"issuing_state", "AT"}};
  Result<Request> r = engine->Create(create, clerk);
  if (!r.ok()) {
    state.SkipWithError(r.status().ToString().c_str());
    return;
  }
  EventCall note;
  note.event = "note";
  for (auto _ : state) {
    Result<Request> after = engine->Fire(r->id, note, clerk);
    if (!after.ok()) {
      state.SkipWithError(after.status().ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_SqliteFire(benchmark::State& state) { FireLoop(state, SqliteUrl()); }
BENCHMARK(BM_SqliteFire)->Threads(1)->Threads(4)->Threads(16)->UseRealTime();

void BM_PostgresFire(benchmark::State& state) { FireLoop(state, PostgresUrl()); }
BENCHMARK(BM_PostgresFire)->Threads(1)->Threads(8)->UseRealTime();

// Binds `s` as text parameter `i`, without a copy: `s` must outlive the statement's next step
// (a string literal, or a string that stays), which is why this takes a view and not a string.
void BindText(sqlite3_stmt* st, int i, std::string_view s) {
  sqlite3_bind_text(st, i, s.data(), static_cast<int>(s.size()), SQLITE_STATIC);
}

// Runs `st` to completion and resets it; true when it finished without error.
bool StepDone(sqlite3_stmt* st) {
  const bool done = sqlite3_step(st) == SQLITE_DONE;
  sqlite3_reset(st);
  return done;
}

// The ceiling: the sqlite3 C API, one connection, WAL, synchronous=FULL, the same three
// prepared statements per transaction (update the request, insert history, insert outbox).
void BM_RawSqlite(benchmark::State& state) {
  const std::string path = BenchDir() + "/raw.db";
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
    state.SkipWithError("cannot open");
    return;
  }
  sqlite3_exec(db,
               ("PRAGMA journal_mode=WAL; PRAGMA synchronous=" + SyncPragma() +
                ";"
                "CREATE TABLE IF NOT EXISTS requests (id TEXT PRIMARY KEY, state TEXT, revision "
                "INTEGER, data TEXT, updated_at INTEGER, head_hash TEXT);"
                "CREATE TABLE IF NOT EXISTS history (request_id TEXT, seq INTEGER, event TEXT, "
                "at INTEGER, data TEXT, prev_hash TEXT, hash TEXT, PRIMARY KEY (request_id, seq));"
                "CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY, request_id TEXT, "
                "revision INTEGER, payload TEXT, status TEXT);")
                   .c_str(),
               nullptr, nullptr, nullptr);
  const std::string id = "raw-" + std::to_string(next_request.fetch_add(1));
  sqlite3_exec(db, ("INSERT INTO requests VALUES ('" + id + "', 'draft', 0, '{}', 0, '')").c_str(),
               nullptr, nullptr, nullptr);
  sqlite3_stmt *begin, *commit, *update, *history, *outbox;
  sqlite3_prepare_v2(db, "BEGIN IMMEDIATE", -1, &begin, nullptr);
  sqlite3_prepare_v2(db, "COMMIT", -1, &commit, nullptr);
  sqlite3_prepare_v2(db,
                     "UPDATE requests SET state = ?, revision = ?, data = ?, updated_at = ?, "
                     "head_hash = ? WHERE id = ? AND revision = ?",
                     -1, &update, nullptr);
  sqlite3_prepare_v2(db, "INSERT INTO history VALUES (?, ?, 'note', ?, ?, ?, ?)", -1, &history,
                     nullptr);
  sqlite3_prepare_v2(db,
                     "INSERT INTO outbox (request_id, revision, payload, status) "
                     "VALUES (?, ?, ?, 'pending')",
                     -1, &outbox, nullptr);
  const std::string data = R"({"executing_state":"DE","issuing_state":"AT"})";
  const std::string hash(64, 'a');
  int64_t revision = 0;
  for (auto _ : state) {
    const std::string payload = R"({"type":"request.transitioned","data":{"request_id":")" + id +
                                R"(","revision":)" + std::to_string(revision + 1) + "}}";
    bool ok = StepDone(begin);
    BindText(update, 1, "transmitted");
    sqlite3_bind_int64(update, 2, revision + 1);
    BindText(update, 3, data);
    sqlite3_bind_int64(update, 4, revision);
    BindText(update, 5, hash);
    BindText(update, 6, id);
    sqlite3_bind_int64(update, 7, revision);
    ok = ok && sqlite3_step(update) == SQLITE_DONE && sqlite3_changes(db) == 1;
    sqlite3_reset(update);
    BindText(history, 1, id);
    sqlite3_bind_int64(history, 2, revision + 1);
    sqlite3_bind_int64(history, 3, revision);
    BindText(history, 4, "{}");
    BindText(history, 5, hash);
    BindText(history, 6, hash);
    ok = ok && StepDone(history);
    BindText(outbox, 1, id);
    sqlite3_bind_int64(outbox, 2, revision + 1);
    BindText(outbox, 3, payload);
    ok = ok && StepDone(outbox);
    ok = ok && StepDone(commit);
    if (!ok) {
      state.SkipWithError(sqlite3_errmsg(db));
      break;
    }
    ++revision;
  }
  for (sqlite3_stmt* st : {begin, commit, update, history, outbox}) sqlite3_finalize(st);
  sqlite3_close(db);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RawSqlite)->UseRealTime();

// The ceiling for a batch: the sqlite3 C API on the store's own schema (created by OpenStore),
// one thread, WAL, synchronous=FULL, batches of 16 steps on 16 requests per transaction with
// the statements ApplyWriter runs for a note (the history's last rowid read once; per step the
// request's last history row read, the request updated in its state with its new last row, its
// statistics record read; the history rows, each linked to its request's row before it, and the
// outbox rows in one multi-row INSERT each: schema 12). What is left between
// this and BM_SqliteApply with 16 callers is the store's own work; what this costs is SQLite's.
void BM_RawSqliteBatch16(benchmark::State& state) {
  constexpr int kSteps = 16;
  const std::string path = BenchDir() + "/raw-batch.db";
  std::vector<Stepper> steppers(kSteps);
  std::vector<std::string> ids;
  {
    Result<std::unique_ptr<Store>> opened = OpenStore("sqlite://" + path, SqlStoreOptions{});
    if (!opened.ok()) {
      state.SkipWithError(opened.status().ToString().c_str());
      return;
    }
    for (Stepper& s : steppers) {
      Mutation m = s.Next();
      ids.push_back(m.request.id);
      if (!(*opened)->Apply(m).ok()) {
        state.SkipWithError("cannot create the requests");
        return;
      }
    }
  }
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
    state.SkipWithError("cannot open");
    return;
  }
  sqlite3_exec(db,
               ("PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=4000; PRAGMA synchronous=" +
                SyncPragma())
                   .c_str(),
               nullptr, nullptr, nullptr);
  if (const char* ddl = std::getenv("ROGATORY_BENCH_DDL"))
    sqlite3_exec(db, ddl, nullptr, nullptr, nullptr);
  std::string history_sql =
      "INSERT INTO history (request_id, seq, event, from_state, to_state, actor, at, data, "
      "comment, prev_hash, hash, authority, hid, prev_rowid) VALUES ";
  std::string outbox_sql =
      "INSERT INTO outbox (subscription_id, request_id, revision, event_type, payload, status, "
      "attempts, last_error, next_attempt_at, created_at) VALUES ";
  for (int i = 0; i < kSteps; ++i) {
    history_sql += std::string(i == 0 ? "" : ", ") + "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    outbox_sql += std::string(i == 0 ? "" : ", ") + "(?, ?, ?, ?, ?, 'pending', 0, '', ?, ?)";
  }
  sqlite3_stmt *begin, *commit, *last_rowid, *head, *update, *record, *history, *outbox;
  sqlite3_prepare_v2(db, "BEGIN IMMEDIATE", -1, &begin, nullptr);
  sqlite3_prepare_v2(db, "COMMIT", -1, &commit, nullptr);
  sqlite3_prepare_v2(db, "SELECT rowid FROM history ORDER BY rowid DESC LIMIT 1", -1, &last_rowid,
                     nullptr);
  sqlite3_prepare_v2(db, "SELECT history_head FROM requests WHERE id = ?", -1, &head, nullptr);
  sqlite3_prepare_v2(db,
                     "UPDATE requests SET version = ?, revision = ?, data = ?, refs = ?, "
                     "deadlines = ?, updated_at = ?, head_hash = ?, history_head = ? WHERE id = ? "
                     "AND revision = ?",
                     -1, &update, nullptr);
  sqlite3_prepare_v2(db, "SELECT record FROM stats_requests WHERE request_id = ?", -1, &record,
                     nullptr);
  sqlite3_prepare_v2(db, history_sql.c_str(), -1, &history, nullptr);
  sqlite3_prepare_v2(db, outbox_sql.c_str(), -1, &outbox, nullptr);
  const std::string data = R"({"executing_state":"DE","issuing_state":"AT"})";
  const std::string refs = R"({"issuing":"AT/2026/17"})";
  const std::string hash(64, 'a');
  std::vector<std::string> payloads(kSteps);
  int64_t revision = 1;  // each request's, all in step
  size_t record_bytes = 0;
  for (auto _ : state) {
    bool ok = StepDone(begin);
    int64_t rowid = 0;
    if (ok && sqlite3_step(last_rowid) == SQLITE_ROW) rowid = sqlite3_column_int64(last_rowid, 0);
    sqlite3_reset(last_rowid);
    for (int i = 0; i < kSteps && ok; ++i) {
      BindText(head, 1, ids[i]);
      const int64_t prev_rowid =
          sqlite3_step(head) == SQLITE_ROW ? sqlite3_column_int64(head, 0) : 0;
      sqlite3_reset(head);
      ++rowid;
      sqlite3_bind_int(update, 1, 1);
      sqlite3_bind_int64(update, 2, revision + 1);
      BindText(update, 3, data);
      BindText(update, 4, refs);
      BindText(update, 5, "[]");
      sqlite3_bind_int64(update, 6, revision + 1);
      BindText(update, 7, hash);
      sqlite3_bind_int64(update, 8, rowid);
      BindText(update, 9, ids[i]);
      sqlite3_bind_int64(update, 10, revision);
      ok = sqlite3_step(update) == SQLITE_DONE && sqlite3_changes(db) == 1;
      sqlite3_reset(update);
      BindText(record, 1, ids[i]);
      if (sqlite3_step(record) == SQLITE_ROW) record_bytes += sqlite3_column_bytes(record, 0);
      sqlite3_reset(record);
      payloads[i] = R"({"type":"request.transitioned","data":{"request_id":")" + ids[i] +
                    R"(","revision":)" + std::to_string(revision + 1) + "}}";
      const int h = i * 14, o = i * 7;
      BindText(history, h + 1, ids[i]);
      sqlite3_bind_int64(history, h + 2, revision + 1);
      BindText(history, h + 3, "note");
      BindText(history, h + 4, "transmitted");
      BindText(history, h + 5, "transmitted");
      BindText(history, h + 6, "ana.prosecutor");
      sqlite3_bind_int64(history, h + 7, revision + 1);
      BindText(history, h + 8, "{}");
      BindText(history, h + 9, "");
      BindText(history, h + 10, hash);
      BindText(history, h + 11, hash);
      BindText(history, h + 12, "");
      sqlite3_bind_int64(history, h + 13, rowid);
      sqlite3_bind_int64(history, h + 14, prev_rowid);
      BindText(outbox, o + 1, "bench-sub");
      BindText(outbox, o + 2, ids[i]);
      sqlite3_bind_int64(outbox, o + 3, revision + 1);
      BindText(outbox, o + 4, "request.transitioned");
      BindText(outbox, o + 5, payloads[i]);
      sqlite3_bind_int64(outbox, o + 6, revision + 1);
      sqlite3_bind_int64(outbox, o + 7, revision + 1);
    }
    ok = ok && StepDone(history);
    ok = ok && StepDone(outbox);
    ok = ok && StepDone(commit);
    if (!ok) {
      state.SkipWithError(sqlite3_errmsg(db));
      break;
    }
    ++revision;
  }
  benchmark::DoNotOptimize(record_bytes);
  for (sqlite3_stmt* st : {begin, commit, last_rowid, head, update, record, history, outbox}) {
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  state.SetItemsProcessed(state.iterations() * kSteps);
}
BENCHMARK(BM_RawSqliteBatch16)->UseRealTime();

// --- Claims over a backlog
// ------------------------------------------------------------------------ A subscriber that is
// down: N pending deliveries of one subscription, ten per request, every request's oldest leased to
// another dispatcher, so a claim finds nothing it may take and walks the whole backlog (the worst
// case). Arg 0: Store::ClaimDeliveries as it is (schema 10: a walk of the pending rows in id
// order). Arg 1: the claim query before schema 10 (each pending row checked for an older pending
// one of its request through the index of them by request, which is created again for it), run with
// the sqlite3 C API on the same file.
void BM_SqliteClaimBacklog(benchmark::State& state) {
  constexpr int kRows = 50000;
  constexpr int kPerRequest = 10;
  const int requests = kRows / kPerRequest;
  const std::string path = BenchDir() + "/claim-backlog-" + std::to_string(state.range(0)) + ".db";
  Result<std::unique_ptr<Store>> opened = OpenStore("sqlite://" + path, SqlStoreOptions{});
  if (!opened.ok()) {
    state.SkipWithError(opened.status().ToString().c_str());
    return;
  }
  Store& store = **opened;
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_busy_timeout(db, 5000);
  // Google Benchmark calls this more than once: the backlog is built by the first call.
  static std::set<std::string> built;
  if (built.insert(path).second) {
    Subscription sub;
    sub.id = "down";
    sub.url = "https://consumer.example/hook";
    sub.secret = "whsec_c2VjcmV0";
    if (Status s = store.CreateSubscription(sub); !s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      return;
    }
    sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
    sqlite3_stmt* insert = nullptr;
    sqlite3_prepare_v2(db,
                       "INSERT INTO outbox (subscription_id, request_id, revision, event_type, "
                       "payload, status, attempts, last_error, next_attempt_at, created_at) "
                       "VALUES ('down', ?, ?, 'request.transitioned', '{}', 'pending', 0, '', 0, "
                       "0)",
                       -1, &insert, nullptr);
    // Requests interleaved, as concurrent work writes them.
    for (int i = 0; i < kRows; ++i) {
      const std::string id = "req-" + std::to_string(100000 + i % requests);
      sqlite3_bind_text(insert, 1, id.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64(insert, 2, 1 + i / requests);
      sqlite3_step(insert);
      sqlite3_reset(insert);
    }
    sqlite3_finalize(insert);
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    ClaimLimit all;
    all.total = requests;
    Result<std::vector<Delivery>> leased =
        store.ClaimDeliveries(kT0, "other", std::chrono::hours(24 * 365), all);
    if (!leased.ok() || static_cast<int>(leased->size()) != requests) {
      state.SkipWithError("cannot lease the heads");
      return;
    }
  }
  ClaimLimit limit;
  limit.total = 32;
  limit.per_subscription = 8;
  sqlite3_stmt* old = nullptr;
  if (state.range(0) == 1) {
    sqlite3_exec(db,
                 "CREATE INDEX IF NOT EXISTS outbox_pending_order ON outbox (subscription_id, "
                 "request_id, id) WHERE status = 'pending'",
                 nullptr, nullptr, nullptr);
    sqlite3_prepare_v2(db,
                       "SELECT o.id, o.subscription_id, o.request_id, o.revision, o.event_type, "
                       "o.payload, o.status, o.attempts, o.last_error, o.next_attempt_at, "
                       "o.created_at FROM outbox o WHERE o.status = 'pending' AND "
                       "o.next_attempt_at <= ? AND (o.claimed_until IS NULL OR o.claimed_until "
                       "<= ?) AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.subscription_id = "
                       "o.subscription_id AND p.request_id = o.request_id AND p.status = "
                       "'pending' AND p.id < o.id) AND o.subscription_id = 'down' ORDER BY o.id "
                       "LIMIT 8",
                       -1, &old, nullptr);
  }
  size_t found = 0;
  for (auto _ : state) {
    if (old != nullptr) {
      sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
      sqlite3_bind_int64(old, 1, ToUnixMicros(kT0));
      sqlite3_bind_int64(old, 2, ToUnixMicros(kT0));
      while (sqlite3_step(old) == SQLITE_ROW) ++found;
      sqlite3_reset(old);
      sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    } else {
      Result<std::vector<Delivery>> got =
          store.ClaimDeliveries(kT0, "me", std::chrono::minutes(1), limit);
      if (!got.ok()) {
        state.SkipWithError(got.status().ToString().c_str());
        break;
      }
      found += got->size();
    }
  }
  if (found != 0) state.SkipWithError("a claim took a delivery behind a leased one");
  if (old != nullptr) sqlite3_finalize(old);
  sqlite3_close(db);
}
BENCHMARK(BM_SqliteClaimBacklog)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// --- The overdue list at scale ------------------------------------------------------------------
// GET /v1/requests?overdue=true on a store of N requests of which only a few are overdue: each
// request has one `answer` clock, due in 30 days (most), paused past its due time (every 4th:
// not overdue) or lapsed an hour ago (one in 50,000). The store is filled with one INSERT ...
// SELECT per table, as the store itself would have written the rows. Reports the median and
// p99 of one page (limit 50) as counters; /1 adds a workflow filter.
constexpr int64_t kOverdueEvery = 50000;
constexpr int64_t kHour = 3600LL * 1000000;

// The SQL that fills requests and deadlines with `n` rows (SQLite or PostgreSQL dialect).
std::vector<std::string> FillOverdueSql(bool sqlite, int64_t n) {
  const std::string t0 = std::to_string(ToUnixMicros(kT0));
  const std::string nn = std::to_string(n);
  const std::string series =
      sqlite ? "WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < " + nn +
                   " - 1) "
             : "WITH s(i) AS (SELECT generate_series(0, " + nn + " - 1)::bigint) ";
  const std::string id = sqlite ? "printf('r%08d', i)" : "'r' || lpad(i::text, 8, '0')";
  const std::string paused = "(i % 4 = 1)";
  // Distinct due times (a second apart), as real clocks started at different moments have.
  const std::string due = "(CASE WHEN i % " + std::to_string(kOverdueEvery) + " = 7 THEN " + t0 +
                          " - " + std::to_string(kHour) + " - i WHEN " + paused + " THEN " + t0 +
                          " - " + std::to_string(24 * kHour) + " - i * 1000000 ELSE " + t0 + " + " +
                          std::to_string(30 * 24 * kHour) + " + i * 1000000 END)";
  const std::string text = sqlite ? "" : "::text";
  return {
      series +
          "INSERT INTO requests (id, workflow, version, state, phase, revision, data, refs, "
          "deadlines, created_at, updated_at, head_hash) SELECT " +
          id +
          ", CASE WHEN i % 3 = 0 THEN 'eio' ELSE 'eaw' END, 1, 'transmitted', 'transmission', 2, "
          "'{\"issuing_state\":\"AT\"}', '{}', "
          "'[{\"name\":\"answer\",\"started_at\":" +
          t0 + ",\"due_at\":' || " + due + text + " || ',\"paused\":' || (CASE WHEN " + paused +
          " THEN 'true' ELSE 'false' END) || ',\"remaining\":0,\"extended\":false}]', " + t0 +
          ", " + t0 + ", '' FROM s",
      series +
          "INSERT INTO deadlines (request_id, name, started_at, due_at, paused, remaining, "
          "extended, rev, workflow, state, phase) SELECT " +
          id + ", 'answer', " + t0 + ", " + due + ", CASE WHEN " + paused +
          " THEN 1 ELSE 0 END, 0, 0, 2, CASE WHEN i % 3 = 0 THEN 'eio' ELSE 'eaw' END, "
          "'transmitted', 'transmission' FROM s",
      sqlite ? "ANALYZE" : "ANALYZE requests; ANALYZE deadlines",
  };
}

// A store of `n` requests, filled once per run and kind.
std::shared_ptr<Store> OverdueStore(bool sqlite, int64_t n, std::string* error) {
  static std::mutex mu;
  static std::map<std::pair<bool, int64_t>, std::shared_ptr<Store>> stores;
  std::lock_guard<std::mutex> lock(mu);
  auto& s = stores[{sqlite, n}];
  if (s != nullptr) return s;
  std::string url;
  const std::vector<std::string> fill = FillOverdueSql(sqlite, n);
  if (sqlite) {
    const std::string path = BenchDir() + "/overdue-" + std::to_string(n) + ".db";
    url = "sqlite://" + path;
    Result<std::unique_ptr<Store>> created = OpenStore(url);  // creates the schema
    if (!created.ok()) {
      *error = created.status().ToString();
      return nullptr;
    }
    created->reset();
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    std::string sql = "BEGIN;" + fill[0] + ";" + fill[1] + ";COMMIT;" + fill[2];
    char* message = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      *error = message != nullptr ? message : "fill failed";
      sqlite3_free(message);
    }
    sqlite3_close(db);
  } else {
    const std::string admin = PostgresUrl();
    if (admin.empty()) {
      *error = "set ROGATORY_TEST_PG_URL (tests/store/pg_test_cluster.sh)";
      return nullptr;
    }
    const std::string keywords = admin.substr(std::string("postgresql://").size());
    const std::string schema = "overdue_" + std::to_string(getpid()) + "_" + std::to_string(n);
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

void OverdueList(benchmark::State& state, bool sqlite) {
  std::string error;
  std::shared_ptr<Store> store = OverdueStore(sqlite, state.range(0), &error);
  if (store == nullptr) {
    state.SkipWithError(error.c_str());
    return;
  }
  RequestQuery q;
  q.overdue_only = true;
  q.now = kT0;
  q.limit = 50;
  if (state.range(1) == 1) q.workflow = "eaw";
  std::vector<double> ms;
  size_t found = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    Result<RequestPage> page = store->ListRequests(q);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
    if (!page.ok()) {
      state.SkipWithError(page.status().ToString().c_str());
      return;
    }
    found = page->items.size();
  }
  std::sort(ms.begin(), ms.end());
  state.counters["overdue_found"] = static_cast<double>(found);
  state.counters["p50_ms"] = ms[ms.size() / 2];
  state.counters["p99_ms"] = ms[std::min(ms.size() - 1, ms.size() * 99 / 100)];
}

void BM_SqliteOverdueList(benchmark::State& state) { OverdueList(state, true); }
BENCHMARK(BM_SqliteOverdueList)
    ->Args({1000000, 0})
    ->Args({1000000, 1})
    ->Iterations(200)
    ->Unit(benchmark::kMillisecond);

void BM_PostgresOverdueList(benchmark::State& state) { OverdueList(state, false); }
BENCHMARK(BM_PostgresOverdueList)
    ->Args({1000000, 0})
    ->Args({1000000, 1})
    ->Iterations(200)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace rogatory

BENCHMARK_MAIN();
