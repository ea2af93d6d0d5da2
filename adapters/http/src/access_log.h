// One log line per HTTP call: request id, actor, method, route template, path, status and
// duration; never a query string, body or field value.
#ifndef ROGATORY_ADAPTERS_HTTP_ACCESS_LOG_H_
#define ROGATORY_ADAPTERS_HTTP_ACCESS_LOG_H_

#include <cstddef>
#include <string_view>

namespace rogatory::http {

struct AccessRecord {
  std::string_view request_id;
  std::string_view actor;  // empty when the call had no valid token
  std::string_view method;
  std::string_view route;  // the template, or "unmatched"
  std::string_view path;   // as sent (percent-encoded); truncated to 256 characters
  int status = 0;
  double seconds = 0;
  size_t response_bytes = 0;
  std::string_view internal_error;  // what a 5xx hid from the caller
};

// Logs `r` through spdlog's default logger: info below 500, error from 500. With `json` the
// message is one JSON object ({"msg":"http", ...fields}); a JSON log formatter merges its
// timestamp and level into it. Without, it is "http key=value ...", every value escaped so that
// control characters, spaces and quotes from the client appear as \xNN.
void LogAccess(const AccessRecord& r, bool json);

}  // namespace rogatory::http

#endif  // ROGATORY_ADAPTERS_HTTP_ACCESS_LOG_H_
