// Webhook dispatch to a loopback receiver: deliveries per second (a backlog drained by the
// dispatcher while events keep being committed) and commit -> receipt latency (p50/p99) at a
// steady commit rate, on the memory and SQLite stores (and PostgreSQL when
// ROGATORY_TEST_PG_URL names a cluster). Command and figures: docs/performance.md.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "loopback_receiver.h"
#include "rogatory/definition_loader.h"
#include "rogatory/engine.h"
#include "rogatory/memory_store.h"
#include "rogatory/sql_store.h"
#include "rogatory/webhook_dispatcher.h"
#include "rogatory/webhook_signature.h"

namespace rogatory {
namespace {

using Clock = std::chrono::system_clock;

constexpr char kWorkflow[] = R"(workflow: bench
version: 1
title: Webhook bench
legal_basis: none
fields:
  note: {type: string}
states:
  open:   {phase: drafting, initial: true}
  closed: {phase: closure, terminal: true}
transitions:
  - {event: ping,  from: open, roles: [clerk]}
  - {event: close, from: open, to: closed, roles: [clerk]}
)";

enum StoreArg { kMemory = 0, kSqlite = 1, kPostgres = 2 };

// A store of the given kind on a fresh database, and what to remove afterwards.
struct BenchStore {
  std::shared_ptr<Store> store;
  std::string dir;
  ~BenchStore() {
    store.reset();
    if (!dir.empty()) std::filesystem::remove_all(dir);
  }
};

std::unique_ptr<BenchStore> OpenBenchStore(int kind, std::string* why) {
  auto b = std::make_unique<BenchStore>();
  if (kind == kMemory) {
    b->store = NewMemoryStore();
    return b;
  }
  std::string url;
  if (kind == kSqlite) {
    b->dir = (std::filesystem::temp_directory_path() /
              ("rogatory-webhook-bench-" + std::to_string(std::random_device{}())))
                 .string();
    std::filesystem::create_directories(b->dir);
    url = "sqlite://" + b->dir + "/bench.db";
  } else {
    const char* pg = std::getenv("ROGATORY_TEST_PG_URL");
    if (pg == nullptr) {
      *why = "set ROGATORY_TEST_PG_URL (tests/store/pg_test_cluster.sh start DIR --durable)";
      return nullptr;
    }
    url = std::string("postgresql://") + pg;
  }
  auto opened = OpenStore(url);
  if (!opened.ok()) {
    *why = opened.status().ToString();
    return nullptr;
  }
  b->store = std::move(*opened);
  // A PostgreSQL database outlives the run: earlier runs' subscriptions (whose receivers are
  // gone) and their pending rows would be measured too. Deleting them dead-letters those rows.
  auto earlier = b->store->ListSubscriptions();
  if (earlier.ok()) {
    for (const Subscription& s : *earlier) (void)b->store->DeleteSubscription(s.id);
  }
  return b;
}

// An engine on `store` (woken dispatcher), one subscription to a loopback receiver, and the
// commit time of every request, to measure commit -> receipt.
class Rig {
 public:
  Rig(std::shared_ptr<Store> store, int workers)
      : secret_(NewWebhookSecret().value()), receiver_(secret_) {
    receiver_.set_record(false);
    Subscription s;
    s.id = "bench";
    s.url = receiver_.url();
    s.secret = secret_;
    const Status created = store->CreateSubscription(s);
    if (!created.ok()) std::fprintf(stderr, "webhook_bench: %s\n", created.ToString().c_str());
    WebhookDispatcherOptions o;
    o.workers = workers;
    o.per_subscription = workers;  // one subscription: let it use every worker
    o.allow_private = true;        // the receiver is on loopback
    o.poll_interval = std::chrono::milliseconds(50);
    dispatcher_ = std::make_unique<WebhookDispatcher>(store, o);
    engine_ = std::make_unique<Engine>(
        EngineOptions{WakeDispatcherOnCommit(store, *dispatcher_), nullptr});
    (void)engine_->LoadDefinition(ParseDefinition(kWorkflow, "bench.yaml").definitions.at(0));
    receiver_.set_on_acknowledged([this](const testing::Received& r) {
      const auto now = Clock::now();
      std::lock_guard lock(mu_);
      auto it = committed_.find(r.request_id());
      if (it != committed_.end()) {
        latencies_us_.push_back(
            std::chrono::duration_cast<std::chrono::microseconds>(now - it->second).count());
        committed_.erase(it);
      } else {
        early_.insert(r.request_id());  // arrived before Commit() noted the time: ~0
      }
    });
  }
  ~Rig() { dispatcher_->Stop(); }

  void Start() { dispatcher_->Start(); }

  // Creates one request (one request.created event) and notes its commit time.
  bool Commit() {
    CreateCall call;
    call.workflow = "bench";
    auto r = engine_->Create(call, Actor{"bench", {"clerk"}});
    if (!r.ok()) return false;
    const auto at = Clock::now();
    std::lock_guard lock(mu_);
    if (early_.erase(r->id) != 0) {
      latencies_us_.push_back(0);
    } else {
      committed_.emplace(r->id, at);
    }
    return true;
  }

  size_t acknowledged() const { return receiver_.acknowledged_count(); }
  WebhookDispatcherStats stats() const { return dispatcher_->stats(); }
  bool WaitFor(size_t n, std::chrono::milliseconds limit) const {
    return receiver_.WaitForAcknowledged(n, limit);
  }
  std::vector<int64_t> TakeLatencies() {
    std::lock_guard lock(mu_);
    return std::move(latencies_us_);
  }

 private:
  std::string secret_;
  testing::LoopbackReceiver receiver_;
  std::unique_ptr<WebhookDispatcher> dispatcher_;
  std::unique_ptr<Engine> engine_;
  std::mutex mu_;
  std::unordered_map<std::string, Clock::time_point> committed_;
  std::unordered_set<std::string> early_;
  std::vector<int64_t> latencies_us_;
};

double Percentile(std::vector<int64_t> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  return static_cast<double>(v[i]) / 1000.0;  // ms
}

// Deliveries per second: `events` requests committed by 4 threads as fast as the store takes
// them while the dispatcher (16 workers) sends; timed from the first commit to the last receipt.
void BM_DeliveriesPerSecond(benchmark::State& state) {
  const int kind = static_cast<int>(state.range(0));
  const int events = static_cast<int>(state.range(1));
  for (auto _ : state) {
    std::string why;
    auto bs = OpenBenchStore(kind, &why);
    if (!bs) {
      state.SkipWithError(why.c_str());
      return;
    }
    Rig rig(bs->store, 16);
    rig.Start();
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> producers;
    std::atomic<int> next{0};
    for (int t = 0; t < 4; ++t) {
      producers.emplace_back([&] {
        while (next.fetch_add(1) < events) rig.Commit();
      });
    }
    for (auto& p : producers) p.join();
    const bool done = rig.WaitFor(static_cast<size_t>(events), std::chrono::seconds(120));
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!done) state.SkipWithError("not every delivery arrived within 120 s");
    state.SetIterationTime(seconds);
    state.counters["deliveries_per_s"] = static_cast<double>(rig.acknowledged()) / seconds;
    auto lat = rig.TakeLatencies();
    state.counters["p50_ms"] = Percentile(lat, 0.50);
    state.counters["p99_ms"] = Percentile(lat, 0.99);
    state.counters["retries"] = static_cast<double>(rig.stats().retried);
  }
}

// Commit -> receipt latency at a steady rate (events/s, range(1)) for 3 s: one producer commits
// on a fixed schedule, the dispatcher is woken by each commit.
void BM_CommitToReceiptLatency(benchmark::State& state) {
  const int kind = static_cast<int>(state.range(0));
  const int rate = static_cast<int>(state.range(1));
  for (auto _ : state) {
    std::string why;
    auto bs = OpenBenchStore(kind, &why);
    if (!bs) {
      state.SkipWithError(why.c_str());
      return;
    }
    Rig rig(bs->store, 16);
    rig.Start();
    const int total = rate * 3;
    const auto period = std::chrono::nanoseconds(1000000000LL / rate);
    // Commit from two threads so that one slow commit does not delay the schedule of the next.
    std::vector<std::thread> producers;
    const auto start = std::chrono::steady_clock::now();
    for (int t = 0; t < 2; ++t) {
      producers.emplace_back([&, t] {
        for (int i = t; i < total; i += 2) {
          std::this_thread::sleep_until(start + i * period);
          rig.Commit();
        }
      });
    }
    for (auto& p : producers) p.join();
    const bool done = rig.WaitFor(static_cast<size_t>(total), std::chrono::seconds(60));
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!done) state.SkipWithError("not every delivery arrived within 60 s");
    state.SetIterationTime(seconds);
    auto lat = rig.TakeLatencies();
    state.counters["measured"] = static_cast<double>(lat.size());
    state.counters["p50_ms"] = Percentile(lat, 0.50);
    state.counters["p99_ms"] = Percentile(lat, 0.99);
    state.counters["max_ms"] = Percentile(lat, 1.0);
    state.counters["retries"] = static_cast<double>(rig.stats().retried);
  }
}

BENCHMARK(BM_DeliveriesPerSecond)
    ->ArgNames({"store", "events"})
    ->Args({kMemory, 20000})
    ->Args({kSqlite, 20000})
    ->Args({kPostgres, 20000})
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

BENCHMARK(BM_CommitToReceiptLatency)
    ->ArgNames({"store", "rate"})
    ->Args({kMemory, 1000})
    ->Args({kMemory, 5000})
    ->Args({kSqlite, 1000})
    ->Args({kPostgres, 1000})
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace rogatory

BENCHMARK_MAIN();
