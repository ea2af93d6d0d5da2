#include "rogatory/markup.h"

namespace rogatory {

std::string EscapeMarkup(std::string_view text, bool newlines_as_spaces) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\n':
      case '\r':
        out += newlines_as_spaces ? ' ' : c;
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace rogatory
