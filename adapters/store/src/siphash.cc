#include "siphash.h"

#include <cstring>

namespace rogatory::store_internal {
namespace {

uint64_t Rotl(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

uint64_t ReadLittleEndian64(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

struct SipState {
  uint64_t v0, v1, v2, v3;

  void Round() {
    v0 += v1;
    v1 = Rotl(v1, 13);
    v1 ^= v0;
    v0 = Rotl(v0, 32);
    v2 += v3;
    v3 = Rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = Rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = Rotl(v1, 17);
    v1 ^= v2;
    v2 = Rotl(v2, 32);
  }

  void Absorb(uint64_t m) {
    v3 ^= m;
    Round();
    Round();
    v0 ^= m;
  }
};

// The reference algorithm: `wide` selects the 128-bit output (different constants mark it, so
// the two outputs are unrelated functions).
SipState Compress(const SipKey& key, const void* data, size_t size, bool wide) {
  SipState s{key.k0 ^ 0x736f6d6570736575ULL, key.k1 ^ 0x646f72616e646f6dULL,
             key.k0 ^ 0x6c7967656e657261ULL, key.k1 ^ 0x7465646279746573ULL};
  if (wide) s.v1 ^= 0xee;
  const auto* p = static_cast<const unsigned char*>(data);
  const size_t whole = size - size % 8;
  for (size_t i = 0; i < whole; i += 8) s.Absorb(ReadLittleEndian64(p + i));
  // The last block: the remaining bytes, little-endian, with the length's low byte on top.
  unsigned char tail[8] = {};
  std::memcpy(tail, p + whole, size - whole);
  s.Absorb(ReadLittleEndian64(tail) | (static_cast<uint64_t>(size & 0xff) << 56));
  return s;
}

uint64_t Finish(SipState& s) {
  s.Round();
  s.Round();
  s.Round();
  s.Round();
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

}  // namespace

uint64_t SipHash24(const SipKey& key, const void* data, size_t size) {
  SipState s = Compress(key, data, size, false);
  s.v2 ^= 0xff;
  return Finish(s);
}

SipHash128 SipHash24Wide(const SipKey& key, const void* data, size_t size) {
  SipState s = Compress(key, data, size, true);
  SipHash128 out;
  s.v2 ^= 0xee;
  out.first = Finish(s);
  s.v1 ^= 0xdd;
  out.second = Finish(s);
  return out;
}

}  // namespace rogatory::store_internal
