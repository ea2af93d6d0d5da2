#include "secrets.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <chrono>
#include <cstdio>

namespace rogatory::http {

Result<std::string> NewWebhookSecret() {
  unsigned char key[32];
  if (RAND_bytes(key, sizeof key) != 1) return InternalError("the CSPRNG failed");
  unsigned char encoded[4 * ((sizeof key + 2) / 3) + 1];
  const int n = EVP_EncodeBlock(encoded, key, sizeof key);
  return "whsec_" + std::string(reinterpret_cast<const char*>(encoded), static_cast<size_t>(n));
}

Result<std::string> NewSortableId(const std::string& prefix) {
  unsigned char random[8];
  if (RAND_bytes(random, sizeof random) != 1) return InternalError("the CSPRNG failed");
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%012llx", static_cast<unsigned long long>(ms));
  std::string id = prefix + std::string(buf, static_cast<size_t>(n));
  for (unsigned char b : random) {
    std::snprintf(buf, sizeof buf, "%02x", b);
    id += buf;
  }
  return id;
}

}  // namespace rogatory::http
