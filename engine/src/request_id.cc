#include "request_id.h"

#include <random>

namespace rogatory {

std::string NewRequestId(TimePoint now) {
  static const char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t ms = static_cast<uint64_t>(ToUnixMicros(now) / 1000);
  std::string id(26, '0');
  for (int i = 9; i >= 0; --i) {
    id[static_cast<size_t>(i)] = kAlphabet[ms & 31];
    ms >>= 5;
  }
  uint64_t hi = rng(), lo = rng();
  for (int i = 10; i < 26; ++i) {
    id[static_cast<size_t>(i)] = kAlphabet[hi & 31];
    hi = (hi >> 5) | (lo << 59);
    lo >>= 5;
  }
  return id;
}

}  // namespace rogatory
