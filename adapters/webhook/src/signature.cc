// Standard Webhooks signatures: HMAC-SHA256 over "{id}.{timestamp}.{body}", OpenSSL for both
// the MAC and the base64.
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "base64.h"
#include "rogatory/webhook_signature.h"

namespace rogatory {

namespace {
constexpr std::string_view kSecretPrefix = "whsec_";
}  // namespace

Result<WebhookHeaders> SignWebhook(std::string_view secret, std::string_view webhook_id,
                                   int64_t unix_seconds, std::string_view body) {
  if (secret.substr(0, kSecretPrefix.size()) != kSecretPrefix) {
    return InvalidArgumentError("webhook secret does not start with whsec_");
  }
  // Some generators drop the base64 padding; the key is the same.
  std::string encoded(secret.substr(kSecretPrefix.size()));
  if (encoded.size() % 4 != 0) encoded.append(4 - encoded.size() % 4, '=');
  std::optional<std::string> key = webhook::Base64Decode(encoded);
  if (!key || key->empty()) return InvalidArgumentError("webhook secret is not base64");

  WebhookHeaders h;
  h.id = std::string(webhook_id);
  h.timestamp = std::to_string(unix_seconds);
  std::string signed_content;
  signed_content.reserve(h.id.size() + h.timestamp.size() + body.size() + 2);
  signed_content.append(h.id).append(1, '.').append(h.timestamp).append(1, '.').append(body);

  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  if (HMAC(EVP_sha256(), key->data(), static_cast<int>(key->size()),
           reinterpret_cast<const unsigned char*>(signed_content.data()), signed_content.size(),
           mac, &mac_len) == nullptr) {
    return InternalError("HMAC-SHA256 failed");
  }
  h.signature =
      "v1," + webhook::Base64Encode(std::string_view(reinterpret_cast<const char*>(mac), mac_len));
  return h;
}

std::string WebhookId(std::string_view delivery_id) { return "msg_" + std::string(delivery_id); }

Result<std::string> NewWebhookSecret() {
  unsigned char key[32];
  if (RAND_bytes(key, sizeof(key)) != 1) return InternalError("no random bytes for a secret");
  return std::string(kSecretPrefix) +
         webhook::Base64Encode(std::string_view(reinterpret_cast<const char*>(key), sizeof(key)));
}

}  // namespace rogatory
