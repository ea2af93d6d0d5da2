#include "client_text.h"

#include "uri.h"

namespace rogatory::http {
namespace {

// The length of the well-formed UTF-8 character at the start of `s`, or 0 when there is none.
size_t CharLength(std::string_view s) {
  const auto c = static_cast<unsigned char>(s[0]);
  size_t n = c < 0x80             ? 1
             : (c & 0xe0) == 0xc0 ? 2
             : (c & 0xf0) == 0xe0 ? 3
             : (c & 0xf8) == 0xf0 ? 4
                                  : 0;
  if (n == 0 || n > s.size()) return 0;
  return IsValidUtf8(s.substr(0, n)) ? n : 0;
}

}  // namespace

std::string SafeText(std::string_view text, size_t max_bytes) {
  static constexpr std::string_view kReplacement = "\xef\xbf\xbd";
  std::string out;
  out.reserve(std::min(text.size(), max_bytes) + 3);
  while (!text.empty()) {
    size_t n = CharLength(text);
    const std::string_view piece = n == 0 ? kReplacement : text.substr(0, n);
    if (n == 0) n = 1;
    if (out.size() + piece.size() > max_bytes) {
      out += "\xe2\x80\xa6";  // …
      return out;
    }
    out += piece;
    text.remove_prefix(n);
  }
  return out;
}

}  // namespace rogatory::http
