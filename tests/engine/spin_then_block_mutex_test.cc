// SpinThenBlockMutex (the memory store's, the HTTP metrics' and the log sink's lock): mutual
// exclusion under contention, with waits long enough to fall through to sleeping, and try_lock.
#include "rogatory/spin_then_block_mutex.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

namespace rogatory {
namespace {

TEST(SpinThenBlockMutexTest, ConcurrentIncrementsAreNotLost) {
  SpinThenBlockMutex mu;
  int64_t counter = 0;  // guarded by mu; a plain int, so a lost update shows (and TSan sees it)
  int inside = 0;       // threads inside the critical section at once: never more than one
  bool overlapped = false;
  constexpr int kThreads = 6;
  constexpr int kRounds = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRounds; ++i) {
        std::lock_guard lock(mu);
        if (++inside != 1) overlapped = true;
        ++counter;
        // Now and then hold the lock past the spinning, so waiters go to sleep on it too.
        if ((i + t) % 4000 == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
        --inside;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(counter, int64_t{kThreads} * kRounds);
  EXPECT_FALSE(overlapped);
}

TEST(SpinThenBlockMutexTest, TryLockFailsWhileAnotherThreadHoldsIt) {
  SpinThenBlockMutex mu;
  std::atomic<bool> held{false};
  std::atomic<bool> release{false};
  std::thread holder([&] {
    std::lock_guard lock(mu);
    held = true;
    while (!release) std::this_thread::yield();
  });
  while (!held) std::this_thread::yield();
  EXPECT_FALSE(mu.try_lock());
  release = true;
  holder.join();
  ASSERT_TRUE(mu.try_lock());
  mu.unlock();
  // A waiter that finds the lock taken for longer than its spin sleeps and still gets it.
  std::unique_lock first(mu);
  std::atomic<bool> got{false};
  std::thread waiter([&] {
    std::lock_guard lock(mu);
    got = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(got);
  first.unlock();
  waiter.join();
  EXPECT_TRUE(got);
}

}  // namespace
}  // namespace rogatory
