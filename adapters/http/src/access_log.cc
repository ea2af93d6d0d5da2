#include "access_log.h"

#include <spdlog/spdlog.h>

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

namespace rogatory::http {
namespace {

// Appends `v` with every byte outside printable ASCII, and the backslash and double quote,
// written as \xNN, so a value can neither break the line nor forge another field (a space in
// a path would let it append " status=200"). Spaces stay only inside `quoted` values.
void AppendEscaped(std::string* out, std::string_view v, bool quoted) {
  static constexpr char kHex[] = "0123456789abcdef";
  // Plain bytes are copied a run at a time (a line per call: this is on every call's path).
  size_t run = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    const auto c = static_cast<unsigned char>(v[i]);
    const bool plain = (c > 0x20 && c < 0x7f && c != '\\' && c != '"') || (quoted && c == ' ');
    if (plain) continue;
    out->append(v.data() + run, i - run);
    const char escaped[4] = {'\\', 'x', kHex[c >> 4], kHex[c & 15]};
    out->append(escaped, sizeof escaped);
    run = i + 1;
  }
  out->append(v.data() + run, v.size() - run);
}

}  // namespace

void LogAccess(const AccessRecord& r, bool json) {
  const bool failed = r.status >= 500;
  if (!spdlog::should_log(failed ? spdlog::level::err : spdlog::level::info)) return;
  const std::string_view path = r.path.substr(0, 256);
  // As printf's "%.3f" writes it, without printf's parsing and locale (a few per cent of a call).
  char ms_text[48];
  const auto ms_end = std::to_chars(ms_text, ms_text + sizeof ms_text, r.seconds * 1000.0,
                                    std::chars_format::fixed, 3);
  const std::string_view ms(ms_text, ms_end.ec == std::errc() ? ms_end.ptr - ms_text : 0);
  std::string line;
  if (json) {
    // Keys in the order docs/operations.md shows; the duration rounded to the microsecond.
    nlohmann::ordered_json j{{"msg", "http"},
                             {"request_id", r.request_id},
                             {"actor", r.actor},
                             {"method", r.method.substr(0, 32)},
                             {"route", r.route},
                             {"path", path},
                             {"status", r.status},
                             {"duration_ms", std::round(r.seconds * 1e6) / 1000.0},
                             {"bytes", r.response_bytes}};
    if (!r.internal_error.empty()) j["error"] = r.internal_error;
    line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } else {
    line.reserve(160);
    line += "http request_id=";
    AppendEscaped(&line, r.request_id, false);
    line += " actor=";
    AppendEscaped(&line, r.actor.empty() ? std::string_view("-") : r.actor, false);
    line += " method=";
    AppendEscaped(&line, r.method.substr(0, 32), false);
    line += " route=";
    AppendEscaped(&line, r.route, false);
    line += " path=";
    AppendEscaped(&line, path, false);
    line += " status=";
    line += std::to_string(r.status);
    line += " duration_ms=";
    line += ms;
    line += " bytes=";
    line += std::to_string(r.response_bytes);
    if (!r.internal_error.empty()) {
      line += " error=\"";
      AppendEscaped(&line, r.internal_error, true);
      line += '"';
    }
  }
  if (failed) {
    spdlog::error(line);
  } else {
    spdlog::info(line);
  }
}

}  // namespace rogatory::http
