// Recognising JSON text that is already in the canonical form the history hash covers, so the
// audit can hash stored text as it is instead of parsing and re-serialising it.
#ifndef ROGATORY_CANONICAL_JSON_H_
#define ROGATORY_CANONICAL_JSON_H_

#include <string>
#include <string_view>

namespace rogatory {

// True only when `text` is exactly nlohmann::json::parse(text).dump(): compact, object keys in
// strictly ascending byte order, integers without leading zeros or "-0", strings of well-formed
// UTF-8 escaped as the serializer escapes. Conservative: false for some canonical texts it does
// not try to prove (floating-point numbers, integers of 19 digits or more, keys with escapes,
// nesting deeper than 64), never true for one that is not canonical. Does not allocate.
bool IsCanonicalJsonText(std::string_view text);

// Appends `text` as the JSON string literal nlohmann's dump() writes for it: plain text (no
// quote, backslash or control character; non-ASCII as well-formed UTF-8) between quotes as it
// is, anything else through the serializer itself, so the bytes are always its own. Like dump(),
// throws nlohmann::json::type_error when `text` is not valid UTF-8.
void AppendCanonicalJsonString(std::string* out, std::string_view text);

}  // namespace rogatory

#endif  // ROGATORY_CANONICAL_JSON_H_
