#include "sha256.h"

// The low-level SHA256_* calls are deprecated in OpenSSL 3 in favour of EVP, whose per-call
// set-up (provider dispatch, context init and cleanse) cost more than hashing a history entry;
// they run the same hardware-accelerated block function.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

namespace rogatory {

void Sha256HexTo(std::string_view bytes, char* out) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, bytes.data(), bytes.size());
  SHA256_Final(digest, &ctx);
  static const char kDigits[] = "0123456789abcdef";
  for (unsigned char byte : digest) {
    *out++ = kDigits[byte >> 4];
    *out++ = kDigits[byte & 0xf];
  }
}

std::string Sha256Hex(std::string_view bytes) {
  std::string out(static_cast<size_t>(kSha256HexLength), '0');
  Sha256HexTo(bytes, out.data());
  return out;
}

}  // namespace rogatory
