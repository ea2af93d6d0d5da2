// Issue 16: an SQLite store keeps the requests its own Apply committed (Store::LastCommitted), so
// the engine's next step of one needs no read. Another store object on the same file (as another
// process would) steps the requests behind its back here: every answer must be the one a fresh
// read gives. Also the cache alone: revisions, failures, capacity.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "race_workflow.h"
#include "request_cache.h"
#include "rogatory/audit.h"
#include "rogatory/definition_loader.h"
#include "rogatory/engine.h"
#include "rogatory/forwarding_store.h"
#include "sqlite_exec.h"
#include "store_test_util.h"

namespace rogatory::testing {
namespace {

// A request `engine` created and transmitted (revision 2).
RequestId CreateAndTransmit(Engine& engine) {
  CreateCall call;
  call.workflow = "race_mla";
  call.data = {{"issuing_state", "AT"}};
  Result<Request> r = engine.Create(call, Clerk());
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return "";
  EXPECT_TRUE(FireAsClerk(engine, r->id, "transmit").ok());
  return r->id;
}

class LastCommittedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(db_.status().ok()) << db_.status().ToString();
    Result<std::unique_ptr<Store>> other = OpenStore(db_.url());
    ASSERT_TRUE(other.ok()) << other.status().ToString();
    other_store_ = std::shared_ptr<Store>(std::move(other).value());
    ours_ = RaceEngineOn(db_.shared());
    theirs_ = RaceEngineOn(other_store_);
  }

  // A request our engine created and transmitted: our store keeps it at revision 2.
  RequestId Transmitted() {
    const RequestId id = CreateAndTransmit(*ours_);
    std::optional<Request> kept = db_.store().LastCommitted(id);
    EXPECT_EQ(kept.has_value() ? kept->revision : -1, 2);
    return id;
  }

  // `r` failed with `code`, its message saying `words`, and request `id` stayed at `revision`.
  void ExpectRefused(const Result<Request>& r, StatusCode code, const std::string& words,
                     const RequestId& id, int64_t revision) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), code);
    EXPECT_NE(r.status().message().find(words), std::string::npos) << r.status().message();
    EXPECT_EQ(db_.store().GetRequest(id)->revision, revision);
  }

  // Request `id` has four history entries, the third the other store's `event`, the fourth
  // chained to it.
  void ExpectFourthChainedToTheirs(const RequestId& id, const std::string& event) {
    Result<std::vector<HistoryEntry>> history = db_.store().GetHistory(id);
    ASSERT_TRUE(history.ok());
    ASSERT_EQ(history->size(), 4u);
    EXPECT_EQ((*history)[2].event, event);
    EXPECT_EQ((*history)[3].prev_hash, (*history)[2].hash);
    EXPECT_EQ((*history)[3].from_state, (*history)[2].to_state);
  }

  TestStore db_{StoreKind::kSqlite};
  std::shared_ptr<Store> other_store_;
  std::unique_ptr<Engine> ours_, theirs_;
};

TEST_F(LastCommittedTest, TheStoreKeepsWhatItsOwnApplyCommitted) {
  const RequestId id = Transmitted();
  ASSERT_TRUE(FireAsClerk(*ours_, id, "execute").ok());
  std::optional<Request> kept = db_.store().LastCommitted(id);
  ASSERT_TRUE(kept.has_value());
  Result<Request> read = db_.store().GetRequest(id);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(kept->revision, 3);
  EXPECT_EQ(kept->state, "executing");
  EXPECT_EQ(kept->head_hash, read->head_hash);
  EXPECT_EQ(kept->data, read->data);
  // The other store object committed nothing of it, so it keeps nothing.
  EXPECT_FALSE(other_store_->LastCommitted(id).has_value());
}

TEST_F(LastCommittedTest, AStoreAskedToKeepNoneKeepsNone) {
  SqlStoreOptions options;
  options.request_cache = 0;
  Result<std::unique_ptr<Store>> opened = OpenStore(db_.url(), options);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  std::shared_ptr<Store> store(std::move(opened).value());
  std::unique_ptr<Engine> engine = RaceEngineOn(store);
  const RequestId id = Transmitted();
  ASSERT_TRUE(FireAsClerk(*engine, id, "execute").ok());
  EXPECT_FALSE(store->LastCommitted(id).has_value());
  EXPECT_EQ(store->GetRequest(id)->revision, 3);
  EXPECT_FALSE(store->KeptCounters().has_value());  // nothing kept, nothing to count
}

// Store::KeptCounters: every step of ours after ours found the request, its history head and its
// statistics record kept; a step of theirs in between made our writer forget them all, and our
// next step read them back.
TEST_F(LastCommittedTest, TheCountersSayWhatTheKeptCopiesSaved) {
  ASSERT_TRUE(db_.store().KeptCounters().has_value());
  const StoreKeptCounters start = *db_.store().KeptCounters();
  const RequestId id = Transmitted();  // create, then transmit: one step
  ASSERT_TRUE(FireAsClerk(*ours_, id, "remind").ok());
  ASSERT_TRUE(FireAsClerk(*ours_, id, "remind").ok());
  StoreKeptCounters now = *db_.store().KeptCounters();
  EXPECT_EQ(now.request_hits - start.request_hits, 4u);  // and Transmitted()'s own look
  EXPECT_EQ(now.request_misses - start.request_misses, 0u);
  EXPECT_EQ(now.head_hits - start.head_hits, 3u);
  EXPECT_EQ(now.head_misses - start.head_misses, 0u);
  EXPECT_EQ(now.record_hits - start.record_hits, 3u);
  EXPECT_EQ(now.record_misses - start.record_misses, 0u);
  EXPECT_EQ(now.forgets - start.forgets, 0u);
  EXPECT_EQ(other_store_->KeptCounters()->request_hits, 0u);  // nothing asked of theirs yet

  const StoreKeptCounters before = now;
  ASSERT_TRUE(FireAsClerk(*theirs_, id, "remind").ok());
  ASSERT_TRUE(FireAsClerk(*ours_, id, "execute").ok());
  now = *db_.store().KeptCounters();
  EXPECT_EQ(now.forgets - before.forgets, 1u);
  EXPECT_GE(now.head_misses - before.head_misses, 1u);
  EXPECT_EQ(now.record_misses - before.record_misses, 1u);
  EXPECT_EQ(now.record_hits - before.record_hits, 0u);
  // Kept again from there on.
  ASSERT_TRUE(FireAsClerk(*ours_, id, "close").ok());
  const StoreKeptCounters last = *db_.store().KeptCounters();
  EXPECT_EQ(last.record_hits - now.record_hits, 1u);
  EXPECT_EQ(last.head_hits - now.head_hits, 1u);
  EXPECT_EQ(last.forgets, now.forgets);
}

// Counts the reads of a request that pass through it.
class ReadCountingStore : public ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  Result<Request> GetRequest(const RequestId& id) override {
    ++reads;
    return ForwardingStore::GetRequest(id);
  }
  std::atomic<int> reads{0};
};

// A database locked by another process past the busy timeout answers Unavailable to a step on a
// kept copy; the engine does not read the request and wait for the lock a second time.
TEST(LastCommittedLockTest, AStepRefusedForALockedDatabaseIsNotTriedAgain) {
  SqlStoreOptions options;
  options.busy_timeout = std::chrono::milliseconds(100);
  TestStore db(StoreKind::kSqlite, options);
  ASSERT_TRUE(db.status().ok()) << db.status().ToString();
  auto counting = std::make_shared<ReadCountingStore>(db.shared());
  std::unique_ptr<Engine> engine = RaceEngineOn(counting);
  const RequestId id = CreateAndTransmit(*engine);
  ASSERT_FALSE(id.empty());
  const int reads = counting->reads;

  sqlite3* lock = nullptr;
  ASSERT_EQ(sqlite3_open(db.sqlite_path().c_str(), &lock), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(lock, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  Result<Request> refused = FireAsClerk(*engine, id, "execute");
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable) << refused.status().ToString();
  EXPECT_EQ(counting->reads, reads) << "the request was read again after Unavailable";
  ASSERT_EQ(sqlite3_exec(lock, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(lock);

  // The lock gone, the same step goes through on the copy.
  Result<Request> stepped = FireAsClerk(*engine, id, "execute");
  ASSERT_TRUE(stepped.ok()) << stepped.status().ToString();
  EXPECT_EQ(stepped->revision, 3);
}

TEST_F(LastCommittedTest, AStepOnlyTheFreshStateAllowsSucceeds) {
  const RequestId id = Transmitted();
  ASSERT_TRUE(FireAsClerk(*theirs_, id, "execute").ok());  // revision 3, executing
  // Our copy says transmitted, where `close` is not allowed.
  Result<Request> closed = FireAsClerk(*ours_, id, "close");
  ASSERT_TRUE(closed.ok()) << closed.status().ToString();
  EXPECT_EQ(closed->revision, 4);
  EXPECT_EQ(closed->state, "executed");
  // The chain runs through the step the other store took.
  ExpectFourthChainedToTheirs(id, "execute");
}

TEST_F(LastCommittedTest, AStepOnlyTheKeptStateAllowsIsRefusedInTheFreshStatesWords) {
  const RequestId id = Transmitted();
  ASSERT_TRUE(FireAsClerk(*theirs_, id, "execute").ok());
  // `remind` is allowed in transmitted only.
  ExpectRefused(FireAsClerk(*ours_, id, "remind"), StatusCode::kFailedPrecondition,
                "state 'executing'", id, 3);
}

TEST_F(LastCommittedTest, AnExpectedRevisionIsJudgedOnTheFreshRequest) {
  // The kept copies are at revision 2, the requests at 3 (still transmitted).
  const RequestId a = Transmitted();
  const RequestId b = Transmitted();
  ASSERT_TRUE(FireAsClerk(*theirs_, a, "remind").ok());
  ASSERT_TRUE(FireAsClerk(*theirs_, b, "remind").ok());
  Result<Request> fresh = FireAsClerk(*ours_, a, "execute", 3);
  ASSERT_TRUE(fresh.ok()) << fresh.status().ToString();
  EXPECT_EQ(fresh->revision, 4);
  ExpectRefused(FireAsClerk(*ours_, b, "execute", 2), StatusCode::kAborted,
                "is at revision 3, not 2", b, 3);
}

TEST_F(LastCommittedTest, AStepTheStaleCopyAlsoAllowsLandsOnTheFreshRevision) {
  const RequestId id = Transmitted();
  ASSERT_TRUE(FireAsClerk(*theirs_, id, "remind").ok());  // revision 3
  // `execute` is allowed in both: Apply refuses the copy's revision 2, the retry reads 3.
  Result<Request> r = FireAsClerk(*ours_, id, "execute");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->revision, 4);
  ExpectFourthChainedToTheirs(id, "remind");
  EXPECT_EQ(db_.store().LastCommitted(id)->revision, 4);
}

// The writer also keeps the history rowid and statistics record of its last steps (LastWrites).
// Their step moves the request behind our back: our next step must link its history row to
// theirs (the audit walks the links) and count its statistics from their record (the
// incremental figures equal a rebuild's).
TEST_F(LastCommittedTest, AStepAfterTheirsLinksToTheirRowAndCountsFromTheirRecord) {
  const RequestId id = Transmitted();
  ASSERT_TRUE(FireAsClerk(*theirs_, id, "execute").ok());  // transmitted -> executing
  ASSERT_TRUE(FireAsClerk(*ours_, id, "close").ok());      // executing -> executed
  Result<AuditReport> report = AuditHistories(db_.store());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_FALSE(report->broken.has_value()) << report->broken->message;
  EXPECT_EQ(report->entries, 4);
  Result<nlohmann::json> incremental = ours_->Stats(StatsCall{}, Clerk());
  ASSERT_TRUE(incremental.ok()) << incremental.status().ToString();
  ASSERT_TRUE(ours_->RebuildStats().ok());
  Result<nlohmann::json> rebuilt = ours_->Stats(StatsCall{}, Clerk());
  ASSERT_TRUE(rebuilt.ok());
  EXPECT_EQ(*incremental, *rebuilt) << incremental->dump(1) << "\n" << rebuilt->dump(1);
}

// A raw sqlite3 connection damages the stored record: our next step must read it and refuse,
// not step from the record it kept.
TEST_F(LastCommittedTest, ARecordDamagedBehindOurBackIsReadAndRefused) {
  const RequestId id = Transmitted();
  SqliteExec(db_.sqlite_path(),
             "UPDATE stats_requests SET record = 'not a record' WHERE request_id = '" + id + "'");
  Result<Request> r = FireAsClerk(*ours_, id, "remind");
  ExpectRefused(r, StatusCode::kInternal, "rogatory stats --rebuild", id, 2);
}

TEST_F(LastCommittedTest, ConcurrentStepsThroughTwoStoresOnOneFileAllChainUp) {
  const std::vector<RequestId> ids = {Transmitted(), Transmitted(), Transmitted()};
  std::atomic<int> landed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      Engine& engine = t % 2 == 0 ? *ours_ : *theirs_;
      for (int i = 0; i < 30; ++i) {
        Result<Request> r =
            FireAsClerk(engine, ids[static_cast<size_t>(i + t) % ids.size()], "remind");
        // Only a race lost more often than the engine retries may fail, and then cleanly.
        if (r.ok()) {
          ++landed;
        } else {
          EXPECT_EQ(r.status().code(), StatusCode::kAborted) << r.status().ToString();
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  int64_t steps = 0;
  for (const RequestId& id : ids) {
    Result<std::vector<HistoryEntry>> history = db_.store().GetHistory(id);
    ASSERT_TRUE(history.ok());
    for (size_t i = 1; i < history->size(); ++i) {
      EXPECT_EQ((*history)[i].seq, static_cast<int64_t>(i + 1));
      EXPECT_EQ((*history)[i].prev_hash, (*history)[i - 1].hash);
    }
    EXPECT_EQ(db_.store().GetRequest(id)->revision, static_cast<int64_t>(history->size()));
    steps += static_cast<int64_t>(history->size()) - 2;  // created and transmitted before
  }
  EXPECT_EQ(steps, landed.load());
  EXPECT_GT(landed.load(), 0);
}

// Request `id` at `revision`, as a step left it.
Request Stepped(const RequestId& id, int64_t revision) {
  Request r;
  r.id = id;
  r.revision = revision;
  return r;
}

TEST(RequestCacheTest, KeepsTheLaterOfTwoRevisions) {
  store_internal::RequestCache cache(4);
  cache.Applied(Stepped("a", 3), true);
  cache.Applied(Stepped("a", 2), true);  // an earlier step whose caller came back last
  EXPECT_EQ(cache.Get("a")->revision, 3);
  cache.Applied(Stepped("a", 4), true);
  EXPECT_EQ(cache.Get("a")->revision, 4);
}

TEST(RequestCacheTest, AFailureForgetsTheRequest) {
  store_internal::RequestCache cache(4);
  cache.Applied(Stepped("a", 3), true);
  cache.Applied(Stepped("a", 4), false);
  EXPECT_FALSE(cache.Get("a").has_value());
  EXPECT_EQ(cache.size(), 0u);
  cache.Applied(Stepped("a", 2), true);  // after a failure any revision is kept again
  EXPECT_EQ(cache.Get("a")->revision, 2);
}

// Two callers stepped revision 3 from the same copy: the one that lost fails, and the winner's
// copy stays for the retry; a failure of a step beyond what is kept still forgets it.
TEST(RequestCacheTest, AFailedStepKeepsTheCopyThatBeatIt) {
  store_internal::RequestCache cache(4);
  cache.Applied(Stepped("a", 3), true);
  cache.Applied(Stepped("a", 3), false);
  ASSERT_TRUE(cache.Get("a").has_value());
  EXPECT_EQ(cache.Get("a")->revision, 3);
  cache.Applied(Stepped("a", 2), false);  // an even older base
  EXPECT_EQ(cache.Get("a")->revision, 3);
  cache.Applied(Stepped("a", 4), false);
  EXPECT_FALSE(cache.Get("a").has_value());
}

TEST(RequestCacheTest, TheOldestAdmittedGoesFirst) {
  store_internal::RequestCache cache(2);
  int64_t revision = 0;
  for (const char* id : {"a", "b", "a", "c"}) cache.Applied(Stepped(id, ++revision), true);
  EXPECT_FALSE(cache.Get("a").has_value());  // admitted first; stepping it again kept its place
  EXPECT_TRUE(cache.Get("b").has_value());
  EXPECT_TRUE(cache.Get("c").has_value());
  EXPECT_EQ(cache.size(), 2u);
  // A forgotten request still holds its place until it comes up.
  cache.Applied(Stepped("b", 5), false);
  cache.Applied(Stepped("d", 1), true);
  EXPECT_FALSE(cache.Get("b").has_value());
  EXPECT_TRUE(cache.Get("c").has_value());
  EXPECT_TRUE(cache.Get("d").has_value());
}

}  // namespace
}  // namespace rogatory::testing
