// Issue 16: steps that share a group-commit batch. On PostgreSQL their requests are written by one
// UPDATE per chunk (bulk_request_update.h) and their statistics records read by one query
// (StatsWriter::Prefetch); on SQLite each step has its own statements. Either way each caller
// must get its own step's outcome (a stale revision or an unknown request refused with its
// reason, next to steps that pass), and what is stored must be each request's last step.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "rogatory/history.h"
#include "rogatory/sql_store.h"
#include "store_test_util.h"

namespace rogatory::testing {
namespace {

class BatchApplyTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  void SetUp() override {
    db_ = std::make_unique<TestStore>(GetParam());
    ASSERT_TRUE(db_->status().ok()) << db_->status().ToString();
  }
  std::unique_ptr<TestStore> db_;
};

TEST_P(BatchApplyTest, EachCallerGetsItsOwnOutcomeAndEachRequestKeepsItsLastStep) {
  // Twenty callers: batches past 16 steps, the bulk update's chunk, come up as well.
  constexpr int kThreads = 20;
  constexpr int kRounds = 60;
  std::atomic<int> wrong{0}, stale{0}, missing{0};
  std::vector<int> passed(kThreads, 0), last(kThreads, -1);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(7 + t);
      RequestBuilder b("batch-" + std::to_string(t));
      b.request().data = {{"n", -1}};
      if (!db_->store().Apply(b.Create()).ok()) {
        wrong.fetch_add(1);
        return;
      }
      Mutation previous;
      bool have_previous = false;
      for (int i = 0; i < kRounds; ++i) {
        const unsigned pick = rng() % 8;
        if (pick < 2 && have_previous) {
          // The last applied step again: its expected revision is stale now.
          const Status s = db_->store().Apply(previous);
          if (s.code() != StatusCode::kAborted ||
              s.message().find("is at revision") == std::string::npos) {
            wrong.fetch_add(1);
          }
          stale.fetch_add(1);
          continue;
        }
        if (pick == 2) {
          RequestBuilder ghost("ghost-" + std::to_string(t) + "-" + std::to_string(i));
          ghost.Create();
          const Status s = db_->store().Apply(ghost.Step("note", "draft", Phase::kDrafting));
          if (s.code() != StatusCode::kNotFound) wrong.fetch_add(1);
          missing.fetch_add(1);
          continue;
        }
        b.request().data["n"] = i;
        b.request().deadlines = {Running("reply", T(i), T(i + 60))};
        const bool move = pick == 3;
        Mutation m = move ? b.Step("advance", i % 2 == 0 ? "executing" : "draft",
                                   i % 2 == 0 ? Phase::kExecution : Phase::kDrafting)
                          : b.Step("note", b.request().state, b.request().phase);
        const Status s = db_->store().Apply(m);
        if (!s.ok()) {
          wrong.fetch_add(1);
          return;
        }
        previous = m;
        have_previous = true;
        ++passed[t];
        last[t] = i;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0) << "a caller was given another step's outcome";
  EXPECT_GT(stale.load(), 0);
  EXPECT_GT(missing.load(), 0);
  for (int t = 0; t < kThreads; ++t) {
    SCOPED_TRACE("request " + std::to_string(t));
    Result<Request> r = db_->store().GetRequest("batch-" + std::to_string(t));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->revision, 1 + passed[t]);
    EXPECT_EQ(r->data.value("n", -2), last[t]);
    ASSERT_EQ(r->deadlines.size(), 1u);
    EXPECT_EQ(r->deadlines[0].due_at, T(last[t] + 60));
    Result<std::vector<HistoryEntry>> h = db_->store().GetHistory(r->id);
    ASSERT_TRUE(h.ok()) << h.status().ToString();
    ASSERT_EQ(static_cast<int64_t>(h->size()), r->revision);
    EXPECT_EQ(h->back().hash, r->head_hash);
    EXPECT_EQ(h->back().to_state, r->state);
  }
}

// Two nodes (two stores on one database) step the same few requests from six threads each, each
// step built from a fresh read as the engine builds it. Their batches lock the requests' rows in
// id order (the bulk update included), so the only refusals are lost races, never a deadlock.
TEST_P(BatchApplyTest, TwoNodesSteppingTheSameRequestsOnlyLoseRaces) {
  constexpr int kRequests = 5;
  constexpr int kThreadsEach = 6;
  constexpr int kSteps = 40;
  Result<std::unique_ptr<Store>> second = OpenStore(db_->url());
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  Store* nodes[2] = {&db_->store(), second->get()};
  for (int i = 0; i < kRequests; ++i) {
    RequestBuilder b("shared-" + std::to_string(i));
    ASSERT_TRUE(db_->store().Apply(b.Create()).ok());
  }
  std::atomic<int> passed{0}, lost{0};
  std::mutex mu;
  std::vector<std::string> unexpected;
  std::vector<std::thread> threads;
  for (int t = 0; t < 2 * kThreadsEach; ++t) {
    threads.emplace_back([&, t] {
      Store& store = *nodes[t % 2];
      std::mt19937 rng(31 + t);
      for (int i = 0; i < kSteps; ++i) {
        Result<Request> r = store.GetRequest("shared-" + std::to_string(rng() % kRequests));
        if (!r.ok()) {
          std::lock_guard<std::mutex> lock(mu);
          unexpected.push_back(r.status().ToString());
          return;
        }
        Mutation m;
        m.expected_revision = r->revision;
        m.deadlines_before = r->deadlines;
        m.request = *r;
        m.request.revision += 1;
        m.request.updated_at = r->updated_at + std::chrono::seconds(1);
        m.request.data["by"] = t;
        HistoryEntry& h = m.history;
        h.request_id = r->id;
        h.seq = m.request.revision;
        h.event = "note";
        h.from_state = r->state;
        h.to_state = r->state;
        h.actor = "node-" + std::to_string(t % 2);
        h.at = m.request.updated_at;
        h.prev_hash = r->head_hash;
        h.hash = ComputeHistoryHash(h);
        m.request.head_hash = h.hash;
        const Status s = store.Apply(m);
        if (s.ok()) {
          passed.fetch_add(1);
        } else if (s.code() == StatusCode::kAborted &&
                   s.message().find("is at revision") != std::string::npos) {
          lost.fetch_add(1);
        } else {
          std::lock_guard<std::mutex> lock(mu);
          unexpected.push_back(s.ToString());
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_TRUE(unexpected.empty()) << unexpected.front();
  EXPECT_GT(passed.load(), 0);
  int64_t revisions = 0;
  for (int i = 0; i < kRequests; ++i) {
    Result<Request> r = db_->store().GetRequest("shared-" + std::to_string(i));
    ASSERT_TRUE(r.ok());
    revisions += r->revision - 1;
    Result<std::vector<HistoryEntry>> h = db_->store().GetHistory(r->id);
    ASSERT_TRUE(h.ok());
    ASSERT_EQ(static_cast<int64_t>(h->size()), r->revision);
    for (size_t k = 1; k < h->size(); ++k) EXPECT_EQ((*h)[k].prev_hash, (*h)[k - 1].hash);
  }
  EXPECT_EQ(revisions, passed.load()) << "every step that passed, and only those, stands";
}

// PostgreSQL: a batch locks its requests' rows in id order, whatever plan the bulk update gets.
// Another session holds "lock-b" (created first, so a scan in the table's order meets it before
// "lock-a"); a batch stepping both must hold "lock-a" while it waits for "lock-b". A batch that
// locked in the table's order would wait for "lock-b" with "lock-a" still free, and two nodes
// doing that in opposite orders deadlock.
TEST(BatchLockOrderTest, ABatchHoldsTheLowerIdWhileItWaitsForTheHigher) {
  TestStore db(StoreKind::kPostgres);
  ASSERT_TRUE(db.status().ok()) << db.status().ToString();
  RequestBuilder b("lock-b"), a("lock-a"), c("lock-c");
  for (RequestBuilder* r : {&b, &a, &c}) ASSERT_TRUE(db.store().Apply(r->Create()).ok());

  std::string why;
  const std::string conninfo = PgClusterUrl(&why);
  ASSERT_FALSE(conninfo.empty()) << why;
  // Runs `sql` on `conn`; the SQLSTATE of its error, or "" when it succeeded.
  auto exec = [](PGconn* conn, const std::string& sql) {
    PGresult* res = PQexec(conn, sql.c_str());
    const ExecStatusType st = PQresultStatus(res);
    const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    std::string out = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? "" : state ? state : "?";
    PQclear(res);
    return out;
  };
  auto connect = [&] {
    PGconn* conn = PQconnectdb(conninfo.c_str());
    EXPECT_EQ(exec(conn, "SET search_path TO " + db.pg_schema()), "") << PQerrorMessage(conn);
    return conn;
  };
  PGconn* holder = connect();
  ASSERT_EQ(exec(holder, "BEGIN"), "");
  ASSERT_EQ(exec(holder, "SELECT 1 FROM requests WHERE id = 'lock-b' FOR UPDATE"), "");
  ASSERT_EQ(exec(holder, "SAVEPOINT s"), "");
  ASSERT_EQ(exec(holder, "SELECT 1 FROM requests WHERE id = 'lock-c' FOR UPDATE"), "");

  // A step of lock-c waits on the holder; the steps of lock-a and lock-b queue behind its batch
  // and then go together, as the next batch.
  Status sc, sa, sb;
  std::thread tc([&] { sc = db.store().Apply(c.Step("note", "draft", Phase::kDrafting)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  std::thread ta([&] { sa = db.store().Apply(a.Step("note", "draft", Phase::kDrafting)); });
  std::thread tb([&] { sb = db.store().Apply(b.Step("note", "draft", Phase::kDrafting)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_EQ(exec(holder, "ROLLBACK TO SAVEPOINT s"), "");  // lock-c free: the next batch runs

  PGconn* probe = connect();
  bool a_held = false;
  for (int i = 0; i < 250 && !a_held; ++i) {
    exec(probe, "BEGIN");
    a_held = exec(probe, "SELECT 1 FROM requests WHERE id = 'lock-a' FOR UPDATE NOWAIT") ==
             "55P03";  // lock_not_available
    exec(probe, "ROLLBACK");
    if (!a_held) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(exec(holder, "COMMIT"), "");
  tc.join();
  ta.join();
  tb.join();
  PQfinish(probe);
  PQfinish(holder);
  EXPECT_TRUE(a_held) << "the batch waited for lock-b without holding lock-a";
  EXPECT_TRUE(sc.ok()) << sc.ToString();
  EXPECT_TRUE(sa.ok()) << sa.ToString();
  EXPECT_TRUE(sb.ok()) << sb.ToString();
}

INSTANTIATE_TEST_SUITE_P(Stores, BatchApplyTest,
                         ::testing::Values(StoreKind::kSqlite, StoreKind::kPostgres),
                         [](const ::testing::TestParamInfo<StoreKind>& info) {
                           return StoreKindName(info.param);
                         });

}  // namespace
}  // namespace rogatory::testing
