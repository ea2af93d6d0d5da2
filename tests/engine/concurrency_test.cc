// Concurrent callers: optimistic concurrency lets exactly one of several racers win.
#include <atomic>
#include <thread>

#include "test_engine.h"

namespace rogatory::testing {
namespace {

TEST(ConcurrencyTest, EightRacersOnOneTransitionExactlyOneWins) {
  TestEngine env;
  for (int round = 0; round < 20; ++round) {
    RequestId id = env.Transmitted();
    std::atomic<int> wins{0}, conflicts{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i) {
      threads.emplace_back([&] {
        auto r = env.Fire(id, "recognise", Executing());
        if (r.ok()) {
          ++wins;
        } else if (r.status().code() == StatusCode::kFailedPrecondition ||
                   r.status().code() == StatusCode::kAborted) {
          ++conflicts;
        }
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(wins.load(), 1);
    EXPECT_EQ(conflicts.load(), 7);
    EXPECT_EQ(env.engine().Get(id)->revision, 4);
    EXPECT_TRUE(env.engine().VerifyHistory(id).ok());
  }
}

TEST(ConcurrencyTest, ParallelStayEventsAllLandInOrder) {
  TestEngine env;
  RequestId id = env.Transmitted();
  // `acknowledge` stays in its state, so every racer eventually succeeds after retrying.
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 10; ++j) ok += env.Fire(id, "acknowledge", Executing()).ok() ? 1 : 0;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(env.engine().Get(id)->revision, 3 + ok.load());
  EXPECT_TRUE(env.engine().VerifyHistory(id).ok());
}

}  // namespace
}  // namespace rogatory::testing
