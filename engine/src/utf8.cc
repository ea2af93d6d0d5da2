#include "utf8.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace rogatory {

size_t FindInvalidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    // Eight ASCII bytes at a time: ids, names and most text are ASCII.
    if (i + 8 <= n) {
      uint64_t word;
      std::memcpy(&word, p + i, sizeof word);
      if ((word & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    const unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;  // overlong
      if (c == 0xED) hi = 0x9F;  // surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;  // overlong
      if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
    } else {
      return i;
    }
    if (i + len > n || p[i + 1] < lo || p[i + 1] > hi) return i;
    for (size_t k = 2; k < len; ++k) {
      if (p[i + k] < 0x80 || p[i + k] > 0xBF) return i;
    }
    i += len;
  }
  return std::string_view::npos;
}

Status CheckUtf8(std::string_view s, std::string_view what) {
  if (IsValidUtf8(s)) return OkStatus();
  return InvalidArgumentError("invalid UTF-8 in " + std::string(what));
}

Status CheckJsonUtf8(const nlohmann::json& j, std::string_view what) {
  // Nothing to walk (most event data is an empty object): no stack to allocate.
  if (j.empty()) return OkStatus();
  // An explicit stack: a deeply nested document must not exhaust the call stack.
  std::vector<const nlohmann::json*> pending{&j};
  while (!pending.empty()) {
    const nlohmann::json* v = pending.back();
    pending.pop_back();
    if (v->is_string()) {
      ROGATORY_RETURN_IF_ERROR(CheckUtf8(v->get_ref<const std::string&>(), what));
    } else if (v->is_object()) {
      for (auto it = v->begin(); it != v->end(); ++it) {
        ROGATORY_RETURN_IF_ERROR(CheckUtf8(it.key(), what));
        pending.push_back(&it.value());
      }
    } else if (v->is_array()) {
      for (const auto& item : *v) pending.push_back(&item);
    }
  }
  return OkStatus();
}

}  // namespace rogatory
