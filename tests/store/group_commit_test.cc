// The group commit on its own (group_commit.h): every caller gets its own mutation's outcome,
// whoever ran it, with several leaders side by side, batches capped below the queue's length and
// the gathering wait on or off. Runs under ThreadSanitizer (the `tsan` preset's GroupCommit
// filter).
#include "group_commit.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace rogatory::store_internal {
namespace {

struct RunStats {
  std::mutex mu;
  int batches = 0;
  size_t largest = 0;
  int running = 0;
  int most_running = 0;
  int joined = 0;  // late takes that brought callers in
};

// A runner that fails the mutations whose revision is divisible by 7 and keeps count.
// With a joiner (batches that join late), it takes in late callers after its work, as
// SqlStore::RunBatchOn does after writing what it holds.
GroupCommitter::BatchRunner Runner(RunStats* stats, std::chrono::microseconds work) {
  return [stats, work](std::vector<GroupCommitter::Item*>& batch, GroupCommitter::Joiner* joiner) {
    {
      std::lock_guard<std::mutex> lock(stats->mu);
      ++stats->batches;
      stats->most_running = std::max(stats->most_running, ++stats->running);
    }
    std::this_thread::sleep_for(work);
    while (joiner != nullptr && joiner->Take(&batch) > 0) {
      std::this_thread::sleep_for(work / 4);
      std::lock_guard<std::mutex> lock(stats->mu);
      ++stats->joined;
    }
    {
      std::lock_guard<std::mutex> lock(stats->mu);
      stats->largest = std::max(stats->largest, batch.size());
    }
    for (GroupCommitter::Item* item : batch) {
      const long long rev = item->mutation->request.revision;
      item->status = rev % 7 == 0 ? AbortedError("rev " + std::to_string(rev)) : OkStatus();
    }
    std::lock_guard<std::mutex> lock(stats->mu);
    --stats->running;
  };
}

// `threads` callers each submit `steps` mutations in a closed loop and check every outcome.
void RunCallers(GroupCommitter& committer, int threads, int steps) {
  std::atomic<int> wrong{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < threads; ++t) {
    callers.emplace_back([&, t] {
      for (int i = 1; i <= steps; ++i) {
        Mutation m;
        m.request.revision = t * 100000 + i;
        const Status s = committer.Submit(m);
        const bool fails = m.request.revision % 7 == 0;
        const bool right = fails ? s.code() == StatusCode::kAborted &&
                                       s.message() == "rev " + std::to_string(m.request.revision)
                                 : s.ok();
        if (!right) wrong.fetch_add(1);
      }
    });
  }
  for (std::thread& c : callers) c.join();
  EXPECT_EQ(wrong.load(), 0) << "callers given another mutation's outcome";
}

TEST(GroupCommitterTest, EveryCallerGetsItsOwnOutcomeFromSharedBatches) {
  RunStats stats;
  GroupCommitter committer(256, 1, std::chrono::milliseconds(2),
                           Runner(&stats, std::chrono::microseconds(200)));
  RunCallers(committer, 16, 200);
  EXPECT_EQ(stats.most_running, 1);
  EXPECT_GT(stats.largest, 1u) << "16 callers never shared a batch";
  EXPECT_LT(stats.batches, 16 * 200);
}

TEST(GroupCommitterTest, BatchesCappedBelowTheQueueStillServeEveryone) {
  // A leader whose own mutation is not among the oldest two runs batches until it is.
  RunStats stats;
  GroupCommitter committer(2, 1, Duration(0), Runner(&stats, std::chrono::microseconds(50)));
  RunCallers(committer, 12, 150);
  EXPECT_LE(stats.largest, 2u);
  EXPECT_EQ(stats.most_running, 1);
}

TEST(GroupCommitterTest, SeveralLeadersRunBatchesSideBySide) {
  RunStats stats;
  GroupCommitter committer(3, 3, std::chrono::milliseconds(1),
                           Runner(&stats, std::chrono::microseconds(300)));
  RunCallers(committer, 12, 150);
  EXPECT_LE(stats.most_running, 3);
  EXPECT_GT(stats.most_running, 1) << "three leader slots, one batch at a time";
  EXPECT_LE(stats.largest, 3u);
}

// SQLite's way: no wait before a batch starts; callers queued while it runs join it before it
// commits, each still with its own outcome, and never more than the batch limit.
TEST(GroupCommitterTest, LateCallersJoinTheRunningBatch) {
  RunStats stats;
  GroupCommitter committer(12, 1, std::chrono::milliseconds(2),
                           Runner(&stats, std::chrono::microseconds(300)), /*join_late=*/true);
  RunCallers(committer, 16, 150);
  EXPECT_EQ(stats.most_running, 1);
  EXPECT_LE(stats.largest, 12u);
  EXPECT_GT(stats.joined, 0) << "no caller ever joined a running batch";
}

// Either way a batch forms (gathering first, or joining late), a lone caller never waits for
// company: 2,000 waits of up to a second would take over half an hour; none happen.
TEST(GroupCommitterTest, ALoneCallerNeverWaits) {
  for (const bool join_late : {false, true}) {
    RunStats stats;
    GroupCommitter committer(256, 1, std::chrono::seconds(1),
                             Runner(&stats, std::chrono::microseconds(0)), join_late);
    const auto start = std::chrono::steady_clock::now();
    RunCallers(committer, 1, 2000);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(60)) << join_late;
    EXPECT_EQ(stats.batches, 2000) << join_late;
  }
}

// A runner whose batches sleep `work_ms`, take in late callers when batches join late, and
// record their sizes: for the tests of how long a leader waits for its callers.
struct SleepingRunner {
  std::atomic<int> work_ms{600};
  std::mutex mu;
  std::vector<size_t> sizes;  // GUARDED_BY(mu): of each batch run

  GroupCommitter::BatchRunner Fn() {
    return [this](std::vector<GroupCommitter::Item*>& batch, GroupCommitter::Joiner* joiner) {
      std::this_thread::sleep_for(std::chrono::milliseconds(work_ms.load()));
      while (joiner != nullptr && joiner->Take(&batch) > 0) {
      }
      for (GroupCommitter::Item* item : batch) item->status = OkStatus();
      std::lock_guard<std::mutex> lock(mu);
      sizes.push_back(batch.size());
    };
  }
  size_t Batches() {
    std::lock_guard<std::mutex> lock(mu);
    return sizes.size();
  }
};

// `n` callers submit one mutation each, the first at once, the others `late`. Returns how long
// the round took.
std::chrono::steady_clock::duration Round(GroupCommitter& committer, int n,
                                          std::chrono::milliseconds late) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> callers;
  for (int t = 0; t < n; ++t) {
    callers.emplace_back([&, t] {
      if (t > 0) std::this_thread::sleep_for(late);
      Mutation m;
      EXPECT_TRUE(committer.Submit(m).ok());
    });
  }
  for (std::thread& c : callers) c.join();
  return std::chrono::steady_clock::now() - start;
}

// Callers who come back later than a quarter of the last batch's run time, but within it, still
// find their batch waiting for them (as callers over HTTP do: their answer, the client's next
// call and the engine's step take about as long as a batch runs). Before session 26 the wait was
// bounded by a quarter of the run time, and the first caller of this test's second round ran
// alone.
TEST(GroupCommitterTest, ABatchWaitsForItsCallersUpToTheLastBatchsRunTime) {
  for (const bool join_late : {false, true}) {
    SleepingRunner runner;
    GroupCommitter committer(256, 1, std::chrono::seconds(10), runner.Fn(), join_late);
    // Round 1: the first caller runs alone (the last batch held one, so it does not wait) while
    // the other three queue: they join it (join_late) or form the next batch. Either way the last
    // batch holds more than one and ran for 600 ms.
    Round(committer, 4, std::chrono::milliseconds(100));
    // Round 2: batches take no time now, and the three come 375 ms after the first: well past a
    // quarter of the last run (150 ms), well within all of it (600 ms).
    runner.work_ms = 0;
    const size_t first = runner.Batches();
    Round(committer, 4, std::chrono::milliseconds(375));
    std::lock_guard<std::mutex> lock(runner.mu);
    ASSERT_GT(runner.sizes.size(), first) << "join_late " << join_late;
    EXPECT_GT(runner.sizes[first], 1u) << "the first caller ran alone; join_late " << join_late;
  }
}

// The bound on a batch's wait is the last batch's own work, not the waits it made: counted in,
// a batch that waited out its bound would let the next one wait as long again, and under traffic
// that keeps falling short of the last batch every wait would grow to `max_gather` (10 s here).
TEST(GroupCommitterTest, AWaitDoesNotLengthenTheNextOne) {
  for (const bool join_late : {false, true}) {
    SleepingRunner runner;
    GroupCommitter committer(256, 1, std::chrono::seconds(10), runner.Fn(), join_late);
    const std::chrono::milliseconds late(100);
    Round(committer, 4, late);  // a batch of one (600 ms), then one of three or of four
    runner.work_ms = 0;
    // Three callers where the last batch held more: the leader waits for the one that does not
    // come, up to the last batch's run time (600 ms).
    Round(committer, 3, late);
    // Two where the last batch held three: the last batch did no work, so nobody waits for the
    // third. Counting its 600 ms wait would make this one wait about as long again.
    EXPECT_LT(Round(committer, 2, late), std::chrono::milliseconds(400))
        << "join_late " << join_late;
  }
}

}  // namespace
}  // namespace rogatory::store_internal
