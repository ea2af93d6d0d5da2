// A 32-bit word threads sleep on until another thread changes it (Linux futex). The group commit
// wakes the callers a batch served with it: one system call each, made after the leader released
// its lock, so woken callers do not queue on that lock (a condition variable needs the lock held
// to know its waiter is still there, and each woken caller then waited for it).
#ifndef ROGATORY_ADAPTERS_STORE_FUTEX_WORD_H_
#define ROGATORY_ADAPTERS_STORE_FUTEX_WORD_H_

#include <atomic>
#include <cstdint>

namespace rogatory::store_internal {

using FutexWord = std::atomic<uint32_t>;
static_assert(sizeof(FutexWord) == sizeof(uint32_t) && FutexWord::is_always_lock_free,
              "a futex is a plain 32-bit word");

// Sleeps while `word` holds `expected`. Returns at once if it does not, and may return without
// a change (a signal, or a wake meant for a word that lived at the same address): callers loop.
void FutexWait(const FutexWord& word, uint32_t expected);

// Wakes every thread sleeping in FutexWait on the word at `address`. The kernel uses the address
// only as a key, so the word may already be gone (its owner saw the change and returned): a
// sleeper that later waits at the same address wakes spuriously, which FutexWait allows.
void FutexWakeAll(const void* address);

}  // namespace rogatory::store_internal

#endif  // ROGATORY_ADAPTERS_STORE_FUTEX_WORD_H_
