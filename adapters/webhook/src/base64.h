// Standard base64 (RFC 4648 §4, with padding) through OpenSSL, for secrets and signatures.
#ifndef ROGATORY_ADAPTERS_WEBHOOK_BASE64_H_
#define ROGATORY_ADAPTERS_WEBHOOK_BASE64_H_

#include <optional>
#include <string>
#include <string_view>

namespace rogatory::webhook {

// `bytes` as padded base64 on one line.
std::string Base64Encode(std::string_view bytes);

// The bytes `text` encodes, or nullopt if it is not padded standard base64.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace rogatory::webhook

#endif  // ROGATORY_ADAPTERS_WEBHOOK_BASE64_H_
