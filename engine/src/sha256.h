// SHA-256 through OpenSSL, as lowercase hex.
#ifndef ROGATORY_ENGINE_SRC_SHA256_H_
#define ROGATORY_ENGINE_SRC_SHA256_H_

#include <string>
#include <string_view>

namespace rogatory {

// Lowercase hex SHA-256 of `bytes`.
std::string Sha256Hex(std::string_view bytes);

}  // namespace rogatory

#endif  // ROGATORY_ENGINE_SRC_SHA256_H_
