// SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed 64-bit pseudorandom function, fast on
// short inputs. The audit's one-pass check sums it over history links under a key drawn for
// the run, so that nobody who wrote the rows could have chosen them to cancel out.
#ifndef ROGATORY_ADAPTERS_STORE_SIPHASH_H_
#define ROGATORY_ADAPTERS_STORE_SIPHASH_H_

#include <cstddef>
#include <cstdint>

namespace rogatory::store_internal {

// A 128-bit SipHash key as two little-endian 64-bit words (k0: bytes 0-7, k1: bytes 8-15).
struct SipKey {
  uint64_t k0 = 0;
  uint64_t k1 = 0;
};

// SipHash-2-4 of `size` bytes at `data` under `key`, as the reference implementation computes
// it (its test vectors are checked in chain_ledger_test.cc).
uint64_t SipHash24(const SipKey& key, const void* data, size_t size);

// SipHash-2-4 with its 128-bit output (the reference implementation's outlen 16): two 64-bit
// words, `first` holding bytes 0-7 of the output and `second` bytes 8-15, for about the cost
// of one 64-bit hash.
struct SipHash128 {
  uint64_t first = 0;
  uint64_t second = 0;
};
SipHash128 SipHash24Wide(const SipKey& key, const void* data, size_t size);

}  // namespace rogatory::store_internal

#endif  // ROGATORY_ADAPTERS_STORE_SIPHASH_H_
