// UTF-8 checks: every text the engine stores is rendered as JSON, and JSON text must be valid
// UTF-8, so bad bytes are refused where they come in rather than failing a later dump().
#ifndef ROGATORY_ENGINE_SRC_UTF8_H_
#define ROGATORY_ENGINE_SRC_UTF8_H_

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string_view>

#include "rogatory/status.h"

namespace rogatory {

// The offset of the first byte of `s` that is not part of well-formed UTF-8 (RFC 3629: no
// overlong forms, no surrogates, nothing above U+10FFFF), or npos when all of it is.
size_t FindInvalidUtf8(std::string_view s);

inline bool IsValidUtf8(std::string_view s) { return FindInvalidUtf8(s) == std::string_view::npos; }

// InvalidArgument "invalid UTF-8 in <what>" when a string or object key anywhere in `j` is not
// valid UTF-8.
Status CheckJsonUtf8(const nlohmann::json& j, std::string_view what);

// The same for one string.
Status CheckUtf8(std::string_view s, std::string_view what);

}  // namespace rogatory

#endif  // ROGATORY_ENGINE_SRC_UTF8_H_
