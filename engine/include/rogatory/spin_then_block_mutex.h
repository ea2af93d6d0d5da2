// A mutex that spins briefly before it sleeps. The memory store holds its lock for a few
// microseconds per call; with std::mutex a call that finds it taken by a thread running on the
// other core goes to sleep in the kernel (a futex wait, a context switch, and a wake-up syscall
// for the holder), which costs more than waiting out the holder. Under `wrk` with 16 server
// threads on 2 cores that was about one futex call per API call (docs/performance.md).
#ifndef ROGATORY_SPIN_THEN_BLOCK_MUTEX_H_
#define ROGATORY_SPIN_THEN_BLOCK_MUTEX_H_

#include <mutex>
#include <thread>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace rogatory {

// Lockable (std::lock_guard, std::unique_lock): try_lock up to Spins() times, pausing between
// tries, then block on a std::mutex as usual.
class SpinThenBlockMutex {
 public:
  // Takes the lock, spinning for a few microseconds at most before sleeping on it.
  void lock() {
    for (int i = 0, spins = Spins(); i < spins; ++i) {
      if (mu_.try_lock()) return;
      Pause();
    }
    mu_.lock();
  }
  // Takes the lock if it is free; never waits.
  bool try_lock() { return mu_.try_lock(); }
  // Releases the lock.
  void unlock() { mu_.unlock(); }

 private:
  // Tries before sleeping: 100 with eight pauses each, a few microseconds to a few tens of
  // them (a pause takes 10 to 140 cycles, by CPU), about the memory store's longest common
  // critical section. None on a single CPU, where the holder cannot run while we spin.
  static int Spins() {
    static const int spins = std::thread::hardware_concurrency() > 1 ? 100 : 0;
    return spins;
  }

  static void Pause() {
#if defined(__x86_64__) || defined(__i386__)
    for (int i = 0; i < 8; ++i) _mm_pause();
#else
    std::this_thread::yield();
#endif
  }

  std::mutex mu_;
};

}  // namespace rogatory

#endif  // ROGATORY_SPIN_THEN_BLOCK_MUTEX_H_
