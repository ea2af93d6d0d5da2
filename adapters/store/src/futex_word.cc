#include "futex_word.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>

namespace rogatory::store_internal {

void FutexWait(const FutexWord& word, uint32_t expected) {
  // EAGAIN (the word changed before the kernel looked) and EINTR both mean: look again.
  syscall(SYS_futex, reinterpret_cast<const uint32_t*>(&word), FUTEX_WAIT_PRIVATE, expected,
          nullptr, nullptr, 0);
}

void FutexWakeAll(const void* address) {
  syscall(SYS_futex, static_cast<const uint32_t*>(address), FUTEX_WAKE_PRIVATE, INT_MAX, nullptr,
          nullptr, 0);
}

}  // namespace rogatory::store_internal
