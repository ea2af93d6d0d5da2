#include "auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cctype>
#include <memory>

#include "call.h"

namespace rogatory::http {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// EVP_sha256() in EVP_Digest fetches the digest from OpenSSL 3's provider on every call, which
// cost more than hashing the token (a third of the lookup); fetch it once and reuse a context
// per thread, as engine/src/sha256.cc does.
const EVP_MD* Sha256Md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

struct ContextDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

// The SHA-256 of `bytes` into `digest`; false only when OpenSSL fails (no memory).
bool Sha256(std::string_view bytes, unsigned char* digest) {
  thread_local std::unique_ptr<EVP_MD_CTX, ContextDeleter> ctx(EVP_MD_CTX_new());
  unsigned int length = 0;
  return ctx != nullptr && Sha256Md() != nullptr &&
         EVP_DigestInit_ex2(ctx.get(), Sha256Md(), nullptr) == 1 &&
         EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()) == 1 &&
         EVP_DigestFinal_ex(ctx.get(), digest, &length) == 1 && length == 32;
}

bool ParseDigest(const std::string& hex, std::array<uint8_t, 32>* out) {
  if (hex.size() != 64) return false;
  for (size_t i = 0; i < 32; ++i) {
    int hi = HexValue(hex[2 * i]);
    int lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    (*out)[i] = static_cast<uint8_t>(hi * 16 + lo);
  }
  return true;
}

}  // namespace

Result<TokenTable> TokenTable::Make(const std::vector<HttpToken>& tokens) {
  TokenTable table;
  for (const HttpToken& t : tokens) {
    Entry e;
    if (t.actor.empty()) return InvalidArgumentError("a token has no actor");
    if (!ParseDigest(t.sha256, &e.digest)) {
      return InvalidArgumentError("the token of actor '" + t.actor +
                                  "' has a sha256 that is not 64 hex digits");
    }
    for (const Entry& other : table.entries_) {
      if (other.digest == e.digest) {
        return InvalidArgumentError("actors '" + other.actor.id + "' and '" + t.actor +
                                    "' have the same token");
      }
    }
    e.actor = Actor{t.actor, t.roles, t.authority};
    table.entries_.push_back(std::move(e));
  }
  return table;
}

const Actor* TokenTable::Find(std::string_view token) const {
  if (token.empty()) return nullptr;
  unsigned char digest[EVP_MAX_MD_SIZE];
  if (!Sha256(token, digest)) return nullptr;
  const Actor* found = nullptr;
  for (const Entry& e : entries_) {
    // No early exit: every entry is compared whatever matched before.
    const bool match = CRYPTO_memcmp(digest, e.digest.data(), e.digest.size()) == 0;
    if (match && found == nullptr) found = &e.actor;
  }
  return found;
}

Handler NeedsRequestRole(Handler handler) {
  return [handler = std::move(handler)](Call& c) {
    for (const std::string& role : c.actor.roles) {
      if (role != kMetricsRole) return handler(c);
    }
    c.Error(403, "permission_denied",
            "this route needs a token with a role (a workflow role or admin); actor '" +
                c.actor.id + "' has none");
  };
}

Handler NeedsMetricsRole(Handler handler) {
  return [handler = std::move(handler)](Call& c) {
    if (c.actor.HasRole(kMetricsRole) || c.actor.HasRole(kAdminRole)) return handler(c);
    c.Error(403, "permission_denied", "/metrics needs the metrics (or admin) role");
  };
}

std::string_view BearerToken(std::string_view authorization) {
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size()) return {};
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i]) return {};
  }
  std::string_view token = authorization.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
  return token;
}

}  // namespace rogatory::http
