// Checks that text is well-formed UTF-8, as JSON output (nlohmann's dump) requires.
#ifndef ROGATORY_ENGINE_UTF8_H_
#define ROGATORY_ENGINE_UTF8_H_

#include <cstddef>
#include <string_view>

namespace rogatory {

// The offset of the first byte of `text` that does not start a well-formed UTF-8 sequence
// (overlong forms, surrogates and code points past U+10FFFF included), or npos when all of it is
// well-formed.
size_t FirstInvalidUtf8(std::string_view text);

}  // namespace rogatory

#endif  // ROGATORY_ENGINE_UTF8_H_
