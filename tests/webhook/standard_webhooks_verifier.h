// A Standard Webhooks signature check written the way consumers' libraries do it, independently
// of the dispatcher's signer: its own base64 decoder, HMAC-SHA256, a constant-time compare, and
// a timestamp tolerance.
#ifndef ROGATORY_TESTS_WEBHOOK_STANDARD_WEBHOOKS_VERIFIER_H_
#define ROGATORY_TESTS_WEBHOOK_STANDARD_WEBHOOKS_VERIFIER_H_

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rogatory::testing {

// RFC 4648 base64 with padding; nullopt on any other character or a bad length.
inline std::optional<std::string> DecodeBase64(std::string_view in) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  if (in.size() % 4 != 0) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < in.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = in[i + static_cast<size_t>(k)];
      if (c == '=' && i + 4 == in.size() && k >= 2) {
        v[k] = 0;
        ++pad;
      } else {
        if (pad > 0) return std::nullopt;  // data after padding
        v[k] = value(c);
        if (v[k] < 0) return std::nullopt;
      }
    }
    const uint32_t n = (static_cast<uint32_t>(v[0]) << 18) | (static_cast<uint32_t>(v[1]) << 12) |
                       (static_cast<uint32_t>(v[2]) << 6) | static_cast<uint32_t>(v[3]);
    out.push_back(static_cast<char>((n >> 16) & 0xff));
    if (pad < 2) out.push_back(static_cast<char>((n >> 8) & 0xff));
    if (pad < 1) out.push_back(static_cast<char>(n & 0xff));
  }
  return out;
}

// Why a webhook was refused, or empty when it verifies.
inline std::string VerifyStandardWebhook(std::string_view secret, std::string_view msg_id,
                                         std::string_view timestamp,
                                         std::string_view signature_header, std::string_view body,
                                         int64_t now_unix, int64_t tolerance_seconds = 300) {
  if (msg_id.empty() || timestamp.empty() || signature_header.empty()) return "missing header";
  if (secret.substr(0, 6) != "whsec_") return "secret without whsec_";
  auto key = DecodeBase64(secret.substr(6));
  if (!key) return "secret not base64";
  int64_t ts = 0;
  for (char c : timestamp) {
    if (c < '0' || c > '9') return "timestamp not an integer";
    ts = ts * 10 + (c - '0');
  }
  if (ts < now_unix - tolerance_seconds) return "timestamp too old";
  if (ts > now_unix + tolerance_seconds) return "timestamp too new";

  std::string content;
  content.append(msg_id).append(".").append(timestamp).append(".").append(body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), key->data(), static_cast<int>(key->size()),
       reinterpret_cast<const unsigned char*>(content.data()), content.size(), mac, &mac_len);

  // The header is a space-separated list of "version,signature"; any v1 match passes.
  size_t pos = 0;
  while (pos < signature_header.size()) {
    size_t end = signature_header.find(' ', pos);
    if (end == std::string_view::npos) end = signature_header.size();
    std::string_view entry = signature_header.substr(pos, end - pos);
    pos = end + 1;
    if (entry.substr(0, 3) != "v1,") continue;
    auto sig = DecodeBase64(entry.substr(3));
    if (!sig || sig->size() != mac_len) continue;
    if (CRYPTO_memcmp(sig->data(), mac, mac_len) == 0) return "";
  }
  return "no matching signature";
}

}  // namespace rogatory::testing

#endif  // ROGATORY_TESTS_WEBHOOK_STANDARD_WEBHOOKS_VERIFIER_H_
