// Client-supplied strings made safe to echo: error messages quote them valid UTF-8 and capped,
// so a 900 KB name or stray bytes never come back whole or break the JSON encoder.
#ifndef ROGATORY_ADAPTERS_HTTP_CLIENT_TEXT_H_
#define ROGATORY_ADAPTERS_HTTP_CLIENT_TEXT_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace rogatory::http {

// How much of a client string an error message quotes.
inline constexpr size_t kMaxQuoted = 200;
// The longest error message the API sends (engine messages may quote several strings).
inline constexpr size_t kMaxMessage = 1000;

// `text` with every byte that is not part of well-formed UTF-8 replaced by U+FFFD, cut (at a
// character boundary) to at most `max_bytes` bytes plus "…" when longer.
std::string SafeText(std::string_view text, size_t max_bytes);

// A client string for an error message: SafeText(text, kMaxQuoted).
inline std::string Quote(std::string_view text) { return SafeText(text, kMaxQuoted); }

}  // namespace rogatory::http

#endif  // ROGATORY_ADAPTERS_HTTP_CLIENT_TEXT_H_
