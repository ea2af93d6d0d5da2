// Percent-decoding of request targets and UTF-8 checks. Routing happens on the raw path; each
// path segment and query parameter is decoded only afterwards, so an encoded '/' ("%2f") stays
// inside its segment and invalid UTF-8 is refused before it reaches the engine.
#ifndef ROGATORY_ADAPTERS_HTTP_URI_H_
#define ROGATORY_ADAPTERS_HTTP_URI_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rogatory::http {

using QueryList = std::vector<std::pair<std::string, std::string>>;

// True when `text` is well-formed UTF-8 (no overlong forms, surrogates or code points past
// U+10FFFF).
bool IsValidUtf8(std::string_view text);

// `text` with %XX escapes decoded (and '+' as a space when `plus_is_space`). nullopt when an
// escape is malformed or the result is not valid UTF-8.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space);

// The parameters of a raw query string ("a=1&b=x%20y"), decoded, in order; empty pieces are
// skipped and a piece without '=' has an empty value. nullopt when any name or value does not
// decode (see PercentDecode).
std::optional<QueryList> ParseQuery(std::string_view raw_query);

}  // namespace rogatory::http

#endif  // ROGATORY_ADAPTERS_HTTP_URI_H_
