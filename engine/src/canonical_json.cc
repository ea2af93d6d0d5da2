// A recursive-descent recogniser of nlohmann's compact dump (sorted keys, ensure_ascii off).
// Every rule below mirrors what the serializer writes; anything it cannot prove canonical
// answers false, and the caller then parses and re-dumps the text as before.
#include "rogatory/canonical_json.h"

#include <cstddef>
#include <nlohmann/json.hpp>

#include "utf8.h"

namespace rogatory {
namespace {

constexpr int kMaxDepth = 64;

class Recogniser {
 public:
  explicit Recogniser(std::string_view text) : s_(text) {}

  bool Whole() { return Value(0) && pos_ == s_.size(); }

 private:
  bool At(char c) const { return pos_ < s_.size() && s_[pos_] == c; }

  bool Literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  bool Value(int depth) {
    if (pos_ >= s_.size()) return false;
    switch (s_[pos_]) {
      case '{':
        return Object(depth + 1);
      case '[':
        return Array(depth + 1);
      case '"':
        return String(/*is_key=*/false);
      case 't':
        return Literal("true");
      case 'f':
        return Literal("false");
      case 'n':
        return Literal("null");
      default:
        return Integer();
    }
  }

  bool Object(int depth) {
    if (depth > kMaxDepth) return false;
    ++pos_;  // '{'
    if (At('}')) {
      ++pos_;
      return true;
    }
    std::string_view previous;
    bool first = true;
    for (;;) {
      const size_t key_start = pos_ + 1;
      if (!At('"') || !String(/*is_key=*/true)) return false;
      // The serializer writes a std::map's keys: ascending, unique, compared as unsigned bytes
      // (std::char_traits<char>), which string_view's comparison is too.
      std::string_view key = s_.substr(key_start, pos_ - 1 - key_start);
      if (!first && !(previous < key)) return false;
      previous = key;
      first = false;
      if (!At(':')) return false;
      ++pos_;
      if (!Value(depth)) return false;
      if (At(',')) {
        ++pos_;
        continue;
      }
      if (!At('}')) return false;
      ++pos_;
      return true;
    }
  }

  bool Array(int depth) {
    if (depth > kMaxDepth) return false;
    ++pos_;  // '['
    if (At(']')) {
      ++pos_;
      return true;
    }
    for (;;) {
      if (!Value(depth)) return false;
      if (At(',')) {
        ++pos_;
        continue;
      }
      if (!At(']')) return false;
      ++pos_;
      return true;
    }
  }

  // An integer the parser reads as int64 or uint64 and the serializer writes back digit for
  // digit: "0", or an optional '-' and 1 to 18 digits without a leading zero.
  bool Integer() {
    size_t p = pos_;
    if (p < s_.size() && s_[p] == '-') ++p;
    const size_t digits_start = p;
    while (p < s_.size() && s_[p] >= '0' && s_[p] <= '9') ++p;
    const size_t digits = p - digits_start;
    if (digits == 0 || digits > 18) return false;
    if (s_[digits_start] == '0' && (digits > 1 || digits_start != pos_)) return false;  // 01, -0
    // A fraction or exponent makes it a float, whose shortest form is not checked here.
    if (p < s_.size() && (s_[p] == '.' || s_[p] == 'e' || s_[p] == 'E')) return false;
    pos_ = p;
    return true;
  }

  static bool Hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

  // A string as the serializer escapes it: '"', '\\' and the control characters escaped (the
  // five short forms, others as \u00xx in lowercase hex), everything else as raw well-formed
  // UTF-8 (0x7f included). Keys (`is_key`) must have no escape at all, so their bytes are the
  // key itself and compare as the map compares.
  bool String(bool is_key) {
    ++pos_;  // '"'
    for (;;) {
      if (pos_ >= s_.size()) return false;
      const auto c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20) return false;  // a raw control character does not even parse
      if (c == '\\') {
        if (is_key || !Escape()) return false;
        continue;
      }
      if (c < 0x80) {
        ++pos_;
        continue;
      }
      if (!Utf8Sequence()) return false;
    }
  }

  bool Escape() {
    if (pos_ + 1 >= s_.size()) return false;
    switch (s_[pos_ + 1]) {
      case '"':
      case '\\':
      case 'b':
      case 'f':
      case 'n':
      case 'r':
      case 't':
        pos_ += 2;
        return true;
      case 'u':
        break;
      default:
        return false;  // "\/" parses but is written back as "/"
    }
    // \u00xx only for the control characters without a short form.
    if (pos_ + 6 > s_.size()) return false;
    std::string_view u = s_.substr(pos_ + 2, 4);
    if (u[0] != '0' || u[1] != '0' || !Hex(u[2]) || !Hex(u[3]) || u[2] > '1') return false;
    const int code = (u[2] - '0') * 16 + (u[3] <= '9' ? u[3] - '0' : u[3] - 'a' + 10);
    if (code == 0x08 || code == 0x09 || code == 0x0a || code == 0x0c || code == 0x0d) {
      return false;
    }
    pos_ += 6;
    return true;
  }

  // One well-formed UTF-8 sequence of 2 to 4 bytes (RFC 3629, the table the parser checks).
  bool Utf8Sequence() {
    auto byte = [this](size_t i) -> unsigned {
      return pos_ + i < s_.size() ? static_cast<unsigned char>(s_[pos_ + i]) : 0u;
    };
    auto in = [](unsigned b, unsigned lo, unsigned hi) { return b >= lo && b <= hi; };
    const unsigned b0 = byte(0);
    size_t n = 0;
    if (in(b0, 0xc2, 0xdf)) {
      n = in(byte(1), 0x80, 0xbf) ? 2 : 0;
    } else if (b0 == 0xe0) {
      n = in(byte(1), 0xa0, 0xbf) && in(byte(2), 0x80, 0xbf) ? 3 : 0;
    } else if (in(b0, 0xe1, 0xec) || in(b0, 0xee, 0xef)) {
      n = in(byte(1), 0x80, 0xbf) && in(byte(2), 0x80, 0xbf) ? 3 : 0;
    } else if (b0 == 0xed) {
      n = in(byte(1), 0x80, 0x9f) && in(byte(2), 0x80, 0xbf) ? 3 : 0;
    } else if (b0 == 0xf0) {
      n = in(byte(1), 0x90, 0xbf) && in(byte(2), 0x80, 0xbf) && in(byte(3), 0x80, 0xbf) ? 4 : 0;
    } else if (in(b0, 0xf1, 0xf3)) {
      n = in(byte(1), 0x80, 0xbf) && in(byte(2), 0x80, 0xbf) && in(byte(3), 0x80, 0xbf) ? 4 : 0;
    } else if (b0 == 0xf4) {
      n = in(byte(1), 0x80, 0x8f) && in(byte(2), 0x80, 0xbf) && in(byte(3), 0x80, 0xbf) ? 4 : 0;
    }
    pos_ += n;
    return n != 0;
  }

  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

bool IsCanonicalJsonText(std::string_view text) { return Recogniser(text).Whole(); }

void AppendCanonicalJsonString(std::string* out, std::string_view text) {
  bool ascii = true;
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\' || byte < 0x20) {
      out->append(nlohmann::json(std::string(text)).dump());  // escapes: rare in stored text
      return;
    }
    ascii = ascii && byte < 0x80;
  }
  if (!ascii && !IsValidUtf8(text)) {
    out->append(nlohmann::json(std::string(text)).dump());  // throws, as dump() always did
    return;
  }
  out->push_back('"');
  out->append(text);
  out->push_back('"');
}

}  // namespace rogatory
