#include "errors.h"

#include <nlohmann/json.hpp>

namespace rogatory::http {

ApiError ApiErrorFromStatus(const Status& s) {
  const std::string code = StatusCodeName(s.code());
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
      return {422, code, s.message()};
    case StatusCode::kUnauthenticated:
      return {401, code, s.message()};
    case StatusCode::kPermissionDenied:
      return {403, code, s.message()};
    case StatusCode::kNotFound:
      return {404, code, s.message()};
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kAborted:
      return {409, code, s.message()};
    case StatusCode::kResourceExhausted:
      return {429, code, s.message()};
    case StatusCode::kUnavailable:
      return {503, code, "the store is unavailable; retry later"};
    case StatusCode::kOk:
    case StatusCode::kInternal:
      break;
  }
  return {500, "internal", "internal error"};
}

const char* CodeForHttpStatus(int http_status) {
  switch (http_status) {
    case 400:
      return "bad_request";
    case 401:
      return "unauthenticated";
    case 403:
      return "permission_denied";
    case 404:
      return "not_found";
    case 405:
      return "method_not_allowed";
    case 408:
      return "request_timeout";
    case 409:
      return "conflict";
    case 411:
      return "length_required";
    case 413:
      return "payload_too_large";
    case 414:
      return "uri_too_long";
    case 415:
      return "unsupported_media_type";
    case 416:
      return "range_not_satisfiable";
    case 417:
      return "expectation_failed";
    case 422:
      return "invalid_argument";
    case 429:
      return "resource_exhausted";
    case 431:
      return "headers_too_large";
    case 503:
      return "unavailable";
    default:
      return http_status >= 500 ? "internal" : "bad_request";
  }
}

std::string ErrorBody(const ApiError& e) {
  return nlohmann::json{{"error", {{"code", e.code}, {"message", e.message}}}}.dump();
}

}  // namespace rogatory::http
