// Issue 16: under steady writes the SQLite WAL starts again from its beginning. SQLite restarts
// the WAL only when a write transaction begins with every frame copied back into the database
// file, which background checkpoints alone never achieve while callers keep committing; so the
// writer finishes each background checkpoint itself between two batches (Checkpointer::CatchUp).
// Without that the WAL grew by every commit (650 MB in a 5-second benchmark), and a flush of an
// appended WAL costs the disk twice that of an overwritten one.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "store_test_util.h"

namespace rogatory::testing {
namespace {

constexpr int kWriters = 8;
constexpr int kStepsEach = 400;
constexpr int kCheckpointPages = 64;

// The WAL's length in pages (each frame: a 24-byte header and a 4,096-byte page).
int64_t WalPages(const std::string& db) {
  std::error_code ec;
  const auto bytes = std::filesystem::file_size(db + "-wal", ec);
  return ec ? 0 : static_cast<int64_t>(bytes / (4096 + 24));
}

TEST(WalRestartTest, TheWalStaysShortUnderSteadyWritesAndEveryStepStands) {
  SqlStoreOptions options;
  options.checkpoint_pages = kCheckpointPages;
  TestStore ts(StoreKind::kSqlite, options);
  ASSERT_TRUE(ts.status().ok()) << ts.status().ToString();
  std::atomic<int64_t> longest{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      RequestBuilder b("wal-" + std::to_string(w));
      if (!ts.store().Apply(b.Create()).ok()) failed = true;
      for (int i = 0; i < kStepsEach && !failed; ++i) {
        Status s = ts.store().Apply(b.Step("note", "draft", Phase::kDrafting));
        if (!s.ok()) {
          ADD_FAILURE() << s.ToString();
          failed = true;
        }
        if (w == 0) {
          const int64_t pages = WalPages(ts.sqlite_path());
          if (pages > longest) longest = pages;
        }
      }
    });
  }
  for (std::thread& t : writers) t.join();
  ASSERT_FALSE(failed);
  // 3,208 commits of several pages each: about 10,000 pages appended in all. The WAL restarts
  // once a background checkpoint (every 64 pages) and the writer's catch-up have copied it; a
  // catch-up that meets a running checkpoint waits for the next one. Without restarts the
  // file grows by every commit.
  EXPECT_LT(longest.load(), 40 * kCheckpointPages) << "the WAL never started again";
  EXPECT_LT(WalPages(ts.sqlite_path()), 40 * kCheckpointPages);
  // Every step stands after the restarts, and the database reads back whole after a reopen.
  ASSERT_TRUE(ts.Reopen().ok());
  for (int w = 0; w < kWriters; ++w) {
    Result<Request> r = ts.store().GetRequest("wal-" + std::to_string(w));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->revision, kStepsEach + 1);
    Result<std::vector<HistoryEntry>> h = ts.store().GetHistory(r->id);
    ASSERT_TRUE(h.ok()) << h.status().ToString();
    EXPECT_EQ(h->size(), static_cast<size_t>(kStepsEach + 1));
  }
}

}  // namespace
}  // namespace rogatory::testing
