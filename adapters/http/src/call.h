// One HTTP call as the route handlers see it: path parameters, the authenticated actor, the
// body, and helpers that write JSON answers and errors in the API's one error shape.
#ifndef ROGATORY_ADAPTERS_HTTP_CALL_H_
#define ROGATORY_ADAPTERS_HTTP_CALL_H_

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "errors.h"
#include "message.h"
#include "rogatory/request.h"
#include "rogatory/status.h"
#include "uri.h"

namespace rogatory::http {

class HttpMetrics;

class Call {
 public:
  Call(const HttpRequest& req, HttpResponse& res, HttpMetrics& metrics)
      : req(req), res(res), metrics(metrics) {}

  const HttpRequest& req;  // method, target and headers as sent
  HttpResponse& res;
  HttpMetrics& metrics;
  std::vector<std::string> params;  // path placeholders in pattern order, percent-decoded
  QueryList query;                  // query parameters in order, percent-decoded
  Actor actor;                      // empty id on public routes
  std::string request_id;           // X-Request-Id, echoed on the answer
  std::string body;                 // for routes that read one
  std::string internal_error;       // what a 500 hid from the caller, for the log

  // The i-th path parameter. REQUIRES: i < params.size().
  const std::string& Param(size_t i) const { return params[i]; }

  // The value of request header `name` (any case) as sent, or nullptr when absent (an empty
  // value is present).
  const std::string* Header(std::string_view name) const { return req.Header(name); }
  // Sets answer header `name`, replacing any of that name.
  void SetHeader(std::string_view name, std::string value) {
    res.SetHeader(name, std::move(value));
  }

  // Answers `status` with `j` as the JSON body (invalid UTF-8 in strings becomes U+FFFD rather
  // than failing the call).
  void Json(int status, const nlohmann::json& j);
  // Answers `status` with `json`, JSON text written already (request_text.h).
  void JsonText(int status, std::string json) { Text(status, std::move(json), "application/json"); }
  // Answers `status` with `body` of `content_type`.
  void Text(int status, std::string body, std::string_view content_type);
  // Answers `status` with no body (204).
  void Empty(int status);
  // Answers with the API's error shape; a 500 also carries the request id. The message is
  // made valid UTF-8 and capped at kMaxMessage bytes (client_text.h); quote client strings in
  // it with Quote().
  void Error(const ApiError& e);
  void Error(int status, std::string_view code, std::string_view message);
  // Answers the HTTP mapping of a failed engine or store call (errors.h) and counts store
  // errors (Unavailable, Internal) in the metrics. REQUIRES: !s.ok().
  void Fail(const Status& s);

  // The value of query parameter `name`, if given (the first one when repeated).
  std::optional<std::string> Query(const char* name) const;
  // 400 (answered here) when the query has a parameter not in `allowed`; returns false then.
  bool CheckQuery(std::initializer_list<std::string_view> allowed);
};

// `text` as a decimal integer within [min, max], or nullopt.
std::optional<int64_t> ParseDecimal(std::string_view text, int64_t min, int64_t max);

// A fresh request id: 16 lowercase hex digits.
std::string NewRequestId();
// True when a caller's X-Request-Id may be echoed and logged as is: 1-128 characters of
// [A-Za-z0-9._:-].
bool IsAcceptableRequestId(std::string_view id);

}  // namespace rogatory::http

#endif  // ROGATORY_ADAPTERS_HTTP_CALL_H_
