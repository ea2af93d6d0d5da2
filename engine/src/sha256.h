// SHA-256 through OpenSSL, as lowercase hex.
#ifndef ROGATORY_ENGINE_SRC_SHA256_H_
#define ROGATORY_ENGINE_SRC_SHA256_H_

#include <string>
#include <string_view>

namespace rogatory {

// Lowercase hex SHA-256 of `bytes`.
std::string Sha256Hex(std::string_view bytes);

// The length of that hex text.
inline constexpr int kSha256HexLength = 64;

// The same hex, written to `out` (kSha256HexLength chars, not terminated): no allocation.
void Sha256HexTo(std::string_view bytes, char* out);

}  // namespace rogatory

#endif  // ROGATORY_ENGINE_SRC_SHA256_H_
