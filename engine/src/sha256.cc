#include "sha256.h"

// The low-level SHA256_* calls are deprecated in OpenSSL 3 in favour of EVP, whose per-call
// set-up (provider dispatch, context init and cleanse) cost more than hashing a history entry;
// they run the same hardware-accelerated block function.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

namespace rogatory {

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, bytes.data(), bytes.size());
  SHA256_Final(digest, &ctx);
  static const char kDigits[] = "0123456789abcdef";
  std::string out(static_cast<size_t>(SHA256_DIGEST_LENGTH) * 2, '0');
  char* p = out.data();
  for (unsigned char byte : digest) {
    *p++ = kDigits[byte >> 4];
    *p++ = kDigits[byte & 0xf];
  }
  return out;
}

}  // namespace rogatory
