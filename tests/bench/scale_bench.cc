// The scale benchmark (issue 16, docs/performance.md "A million requests"): builds a store of N
// requests shaped like a real caseload through the real Store::Apply (scale/caseload.h), then
// measures the calls the API makes on it (scale/store_probes.h), the real `rogatory serve` on
// it and the real `rogatory audit verify` (scale/server_probe.h). Prints a Markdown table.
//
//   scale_bench [--requests N] [--store sqlite|postgresql] [--db PATH|URL] [--reuse]
//               [--threads T] [--calls C] [--rogatory BIN] [--workflows DIR]
//
// Not a test: minutes of work at the default N = 1,000,000. The ctest `scale_bench_smoke` runs
// it at N = 200 so that it keeps working; there it fails on any error, never on a figure.
#include <libpq-fe.h>
#include <malloc.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "request_cache.h"
#include "rogatory/deadline_scheduler.h"
#include "rogatory/definition_loader.h"
#include "rogatory/engine.h"
#include "rogatory/sql_store.h"
#include "scale/caseload.h"
#include "scale/server_probe.h"
#include "scale/store_probes.h"

namespace rogatory::scale {
namespace {

// The heap an SQLite store's kept copies of requests take at their most
// (SqlStoreOptions::request_cache, Store::LastCommitted) with requests of this caseload: that many
// sampled requests read, then kept in the store's own RequestCache, the heap measured around it.
Status PrintKeptCopiesHeap(Store& store, int64_t requests) {
  const int want = static_cast<int>(std::min<int64_t>(SqlStoreOptions{}.request_cache, requests));
  Result<std::vector<RequestId>> sample = SampleIds(store, want, 13);
  if (!sample.ok()) return sample.status();
  std::vector<Request> read;
  read.reserve(sample->size());
  for (const RequestId& id : *sample) {
    Result<Request> r = store.GetRequest(id);
    if (!r.ok()) return r.status();
    read.push_back(std::move(r).value());
  }
  const size_t before = mallinfo2().uordblks;
  store_internal::RequestCache cache(static_cast<size_t>(want));
  for (const Request& r : read) cache.Applied(r, true);
  const size_t after = mallinfo2().uordblks;
  if (after <= before || cache.size() == 0) {
    std::printf(
        "Kept copies of requests (SQLite): heap not measurable here (another allocator)\n\n");
    return OkStatus();
  }
  const double per = static_cast<double>(after - before) / static_cast<double>(cache.size());
  std::printf(
      "Kept copies of requests (SQLite, `request_cache` %d): %zu sampled requests take %.1f MB of "
      "heap, %.0f bytes each; all %d would take %.1f MB\n\n",
      want, cache.size(), static_cast<double>(after - before) / 1e6, per, want, per * want / 1e6);
  return OkStatus();
}

namespace fs = std::filesystem;

struct Args {
  int64_t requests = 1000000;
  std::string store = "sqlite";
  std::string db;  // default: /tmp/rogatory-scale-N.db (SQLite); required for PostgreSQL
  bool reuse = false;
  int threads = 32;
  int calls = 1000;
  std::string rogatory;
  std::string workflows = std::string(ROGATORY_SOURCE_DIR) + "/workflows";
};

void Usage() {
  std::cerr << "usage: scale_bench [--requests N] [--store sqlite|postgresql] [--db PATH|URL]\n"
               "                   [--reuse] [--threads T] [--calls C] [--rogatory BIN]\n"
               "                   [--workflows DIR]\n";
}

bool ParseArgs(int argc, char** argv, Args* a) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (arg == "--reuse") {
      a->reuse = true;
    } else if ((arg == "--requests") && (v = value())) {
      a->requests = std::atoll(v);
    } else if (arg == "--store" && (v = value())) {
      a->store = v;
    } else if (arg == "--db" && (v = value())) {
      a->db = v;
    } else if (arg == "--threads" && (v = value())) {
      a->threads = std::atoi(v);
    } else if (arg == "--calls" && (v = value())) {
      a->calls = std::atoi(v);
    } else if (arg == "--rogatory" && (v = value())) {
      a->rogatory = v;
    } else if (arg == "--workflows" && (v = value())) {
      a->workflows = v;
    } else {
      std::cerr << "scale_bench: unexpected argument '" << arg << "'\n";
      return false;
    }
  }
  if (a->requests < 1 || a->calls < 1 || a->threads < 1) {
    std::cerr << "scale_bench: --requests, --calls and --threads must be positive\n";
    return false;
  }
  if (a->store != "sqlite" && a->store != "postgresql") {
    std::cerr << "scale_bench: --store is sqlite or postgresql\n";
    return false;
  }
  if (a->store == "postgresql" && a->db.empty()) {
    std::cerr << "scale_bench: --store postgresql needs --db URL "
                 "(tests/store/pg_test_cluster.sh start DIR writes one to DIR/url)\n";
    return false;
  }
  return true;
}

std::string StoreUrl(const Args& a) {
  if (a.store == "sqlite") return "sqlite://" + fs::absolute(a.db).string();
  if (a.db.rfind("postgres", 0) == 0) return a.db;
  return "postgresql://" + a.db;  // the keyword form pg_test_cluster.sh writes
}

// Bytes the database takes: the SQLite file and its WAL, or pg_database_size.
int64_t DatabaseBytes(const Args& a) {
  if (a.store == "sqlite") {
    int64_t bytes = 0;
    for (const std::string& p : {a.db, a.db + "-wal"}) {
      std::error_code ec;
      const auto n = fs::file_size(p, ec);
      if (!ec) bytes += static_cast<int64_t>(n);
    }
    return bytes;
  }
  std::string conninfo = StoreUrl(a);
  const size_t scheme = conninfo.find("://");
  if (conninfo.find('=') != std::string::npos) conninfo = conninfo.substr(scheme + 3);
  PGconn* conn = PQconnectdb(conninfo.c_str());
  int64_t bytes = -1;
  if (PQstatus(conn) == CONNECTION_OK) {
    PGresult* res = PQexec(conn, "SELECT pg_database_size(current_database())");
    if (PQresultStatus(res) == PGRES_TUPLES_OK) bytes = std::atoll(PQgetvalue(res, 0, 0));
    PQclear(res);
  }
  PQfinish(conn);
  return bytes;
}

int Fail(const std::string& what) {
  std::cerr << "scale_bench: " << what << "\n";
  return 1;
}

int Run(int argc, char** argv) {
  Args args;
  if (!ParseArgs(argc, argv, &args)) {
    Usage();
    return 2;
  }
  if (args.db.empty()) args.db = "/tmp/rogatory-scale-" + std::to_string(args.requests) + ".db";
  if (args.rogatory.empty()) {
    args.rogatory = (fs::absolute(argv[0]).parent_path() / "../../adapters/cli/rogatory").string();
  }
  const std::string url = StoreUrl(args);
  LoadReport loaded = LoadDefinitions({args.workflows});
  if (!loaded.ok()) return Fail(loaded.ErrorText());
  const std::vector<WorkflowDefinition>& defs = loaded.definitions;

  if (args.store == "sqlite" && !args.reuse && fs::exists(args.db)) {
    return Fail(args.db + " exists: pass --reuse to measure it, or delete it to rebuild");
  }
  std::printf("# scale_bench: %lld requests, %s (%s)\n\n", static_cast<long long>(args.requests),
              args.store.c_str(), RedactStoreUrl(url).c_str());

  if (!args.reuse) {
    // Building is setup, not measurement: SQLite does not flush each commit while it builds
    // (synchronous=OFF); every measurement below runs on a store opened as `rogatory serve`
    // opens it (FULL).
    SqlStoreOptions build;
    build.sqlite_synchronous = SqliteSync::kOff;
    build.writer_connections = 2;
    Result<std::unique_ptr<Store>> opened = OpenStore(url, build);
    if (!opened.ok()) return Fail("cannot open " + url + ": " + opened.status().ToString());
    std::shared_ptr<Store> store = std::move(opened).value();
    RequestQuery any;
    any.limit = 1;
    Result<RequestPage> page = store->ListRequests(any);
    if (!page.ok()) return Fail(page.status().ToString());
    if (!page->items.empty()) {
      return Fail("the store already holds requests: pass --reuse to measure it");
    }
    CaseloadOptions options;
    options.requests = args.requests;
    options.threads = args.threads;
    options.now = SystemClock().Now();
    Result<CaseloadReport> built = BuildCaseload(store, defs, options);
    if (!built.ok()) return Fail(built.status().ToString());
    const CaseloadReport& r = *built;
    const int64_t open = r.requests - r.closed;
    std::printf(
        "Built %lld requests (%lld history entries, %.1f per request) in %.0f s "
        "(%.0f requests/s, %.0f Apply/s, %d threads)\n\n",
        static_cast<long long>(r.requests), static_cast<long long>(r.entries),
        static_cast<double>(r.entries) / static_cast<double>(r.requests), r.seconds,
        static_cast<double>(r.requests) / r.seconds, static_cast<double>(r.entries) / r.seconds,
        args.threads);
    std::printf("| caseload | share |\n|---|---|\n");
    for (const auto& [w, n] : r.by_workflow) {
      std::printf("| %s | %.1f%% |\n", w.c_str(),
                  100.0 * static_cast<double>(n) / static_cast<double>(r.requests));
    }
    auto pct = [&](int64_t n) {
      return 100.0 * static_cast<double>(n) / static_cast<double>(r.requests);
    };
    std::printf("| closed (terminal state) | %.1f%% |\n", pct(r.closed));
    std::printf("| overdue (a running clock past due) | %.2f%% |\n", pct(r.overdue));
    for (size_t k = 0; k < r.open_by_clocks.size(); ++k) {
      std::printf("| open with %zu%s running clocks | %.1f%% of open |\n", k,
                  k + 1 == r.open_by_clocks.size() ? "+" : "",
                  open > 0
                      ? 100.0 * static_cast<double>(r.open_by_clocks[k]) / static_cast<double>(open)
                      : 0.0);
    }
    std::printf("| events the engine refused while walking (guards) | %lld |\n\n",
                static_cast<long long>(r.refused));
    if (r.requests != args.requests) return Fail("built fewer requests than asked");
    const double per = static_cast<double>(r.entries) / static_cast<double>(r.requests);
    if (per < 5 || per > 15) return Fail("history entries per request outside 5-15");
  }

  // Measured as `rogatory serve` opens it.
  Result<std::unique_ptr<Store>> opened = OpenStore(url);
  if (!opened.ok()) return Fail("cannot open " + url + ": " + opened.status().ToString());
  std::shared_ptr<Store> store = std::move(opened).value();
  const int64_t bytes = DatabaseBytes(args);
  std::printf("Database: %.1f MB, %.0f bytes per request\n\n", static_cast<double>(bytes) / 1e6,
              static_cast<double>(bytes) / static_cast<double>(args.requests));
  Engine engine(EngineOptions{store, nullptr});
  for (const WorkflowDefinition& def : defs) {
    Status s = engine.LoadDefinition(def);
    if (!s.ok()) return Fail(s.ToString());
  }
  Result<int64_t> overdue = store->CountOverdueDeadlines(SystemClock().Now());
  if (!overdue.ok()) return Fail(overdue.status().ToString());
  std::printf("Running clocks past due when opened: %lld\n\n", static_cast<long long>(*overdue));
  // A served store has almost no running clock past due: the scheduler lapses each within its
  // interval (200 ms). A built or stored-away store has every clock that fell due since, and the
  // overdue lists and the statistics' "overdue now" pay for each (docs/performance.md). So the
  // store is first brought to what `rogatory serve` would make of it: one scheduler pass.
  {
    DeadlineScheduler scheduler(engine);
    const auto started = std::chrono::steady_clock::now();
    Result<int> lapsed = scheduler.RunOnce();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (!lapsed.ok()) return Fail("scheduler pass: " + lapsed.status().ToString());
    Result<int64_t> left = store->CountOverdueDeadlines(SystemClock().Now());
    if (!left.ok()) return Fail(left.status().ToString());
    std::printf(
        "The scheduler's catch-up pass (as `rogatory serve` runs at start): %d clocks lapsed in "
        "%.1f s (%.0f lapses/s, durable commits), %lld failed; running clocks past due now: "
        "%lld\n\n",
        *lapsed, seconds, seconds > 0 ? *lapsed / seconds : 0.0,
        static_cast<long long>(scheduler.stats().errors), static_cast<long long>(*left));
  }

  std::printf(
      "| call (in process) | calls | p50 | p99 | target p99 | |\n|---|---|---|---|---|---|\n");
  ProbeSetup setup;
  setup.store = store.get();
  setup.engine = &engine;
  setup.actor = EveryRoleActor(defs);
  setup.definitions = &defs;
  setup.calls = args.calls;
  Status probed = RunStoreProbes(setup);
  if (!probed.ok()) return Fail(probed.ToString());
  Status kept = PrintKeptCopiesHeap(*store, args.requests);
  if (!kept.ok()) return Fail(kept.ToString());
  Result<std::vector<RequestId>> ids = SampleIds(*store, std::min(args.calls, 1000), 11);
  if (!ids.ok()) return Fail(ids.status().ToString());
  store.reset();  // the server and the audit open it themselves

  char dir_template[] = "/tmp/rogatory-scale-bench.XXXXXX";
  if (mkdtemp(dir_template) == nullptr) return Fail("mkdtemp failed");
  ServerConfig server;
  server.rogatory = args.rogatory;
  server.store_url = url;
  server.workflows_dir = args.workflows;
  server.roles = setup.actor.roles;
  server.dir = dir_template;
  int port = 0;
  Result<std::string> config = WriteServerConfig(server, &port);
  if (!config.ok()) return Fail(config.status().ToString());
  std::vector<std::string> workflows;
  for (const WorkflowDefinition& def : defs) workflows.push_back(def.id);
  Result<ServerRun> run = ProbeServer(server, *config, port, *ids, workflows, args.calls / 4 + 1);
  if (!run.ok()) return Fail(run.status().ToString());
  std::printf(
      "\n| call (`rogatory serve`, HTTP/1.1 keep-alive, loopback) | calls | p50 | p99 | "
      "target p99 | |\n|---|---|---|---|---|---|\n");
  for (const auto& [name, samples] : run->calls) PrintRow(name, samples, 0);
  std::printf("\n| `rogatory serve` | value | target | |\n|---|---|---|---|\n");
  std::printf("| start (exec until /v1/health answers) | %.0f ms | ≤ 2000 ms | %s |\n",
              run->start_ms, run->start_ms <= 2000 ? "met" : "**missed**");
  std::printf("| RSS after start | %.1f MB | ≤ 100 MB | %s |\n",
              static_cast<double>(run->rss_start_kb) / 1024.0,
              run->rss_start_kb <= 100 * 1024 ? "met" : "**missed**");
  std::printf("| RSS after the API calls | %.1f MB | ≤ 100 MB | %s |\n",
              static_cast<double>(run->rss_after_kb) / 1024.0,
              run->rss_after_kb <= 100 * 1024 ? "met" : "**missed**");

  std::string audit_output;
  Result<double> audit = TimeAuditVerify(server, *config, &audit_output);
  if (!audit.ok()) return Fail(audit.status().ToString());
  const double rate = static_cast<double>(args.requests) / *audit;
  std::printf("| `rogatory audit verify` | %.1f s, %.0f requests/s | ≥ 30,000 requests/s | %s |\n",
              *audit, rate, rate >= 30000 ? "met" : "**missed**");
  std::printf("\naudit: %s\n", audit_output.c_str());
  std::error_code ec;
  fs::remove_all(dir_template, ec);
  return 0;
}

}  // namespace
}  // namespace rogatory::scale

int main(int argc, char** argv) { return rogatory::scale::Run(argc, argv); }
