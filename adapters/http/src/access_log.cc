#include "access_log.h"

#include <spdlog/spdlog.h>

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

namespace rogatory::http {

void LogAccess(const AccessRecord& r, bool json) {
  const bool failed = r.status >= 500;
  if (!spdlog::should_log(failed ? spdlog::level::err : spdlog::level::info)) return;
  const std::string_view path = r.path.substr(0, 256);
  char ms[32];
  std::snprintf(ms, sizeof ms, "%.3f", r.seconds * 1000.0);
  std::string line;
  if (json) {
    // Keys in the order docs/operations.md shows; the duration rounded to the microsecond.
    nlohmann::ordered_json j{{"msg", "http"},
                             {"request_id", r.request_id},
                             {"actor", r.actor},
                             {"method", r.method},
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
    line += r.request_id;
    line += " actor=";
    line += r.actor.empty() ? std::string_view("-") : r.actor;
    line += " method=";
    line += r.method;
    line += " route=";
    line += r.route;
    line += " path=";
    line += path;
    line += " status=" + std::to_string(r.status) + " duration_ms=" + ms +
            " bytes=" + std::to_string(r.response_bytes);
    if (!r.internal_error.empty()) {
      line += " error=\"";
      line += r.internal_error;
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
