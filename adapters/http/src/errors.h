// Maps engine Status codes to HTTP statuses and error codes, once for the whole API
// (STYLE.md): every error body is {"error": {"code": ..., "message": ...}}.
#ifndef ROGATORY_ADAPTERS_HTTP_ERRORS_H_
#define ROGATORY_ADAPTERS_HTTP_ERRORS_H_

#include <string>

#include "rogatory/status.h"

namespace rogatory::http {

// An HTTP error answer: status, machine-readable code, and a message fit for the caller.
struct ApiError {
  int http_status = 500;
  std::string code;
  std::string message;
};

// InvalidArgument 422, Unauthenticated 401, PermissionDenied 403, NotFound 404,
// AlreadyExists / FailedPrecondition / Aborted 409, ResourceExhausted 429, Unavailable 503,
// Internal (and anything unknown) 500. Internal messages are replaced by a generic one: they may
// name internals the caller has no use for (the server logs them).
// REQUIRES: !s.ok().
ApiError ApiErrorFromStatus(const Status& s);

// The reason phrase's snake_case code for an HTTP status the server produces itself
// (e.g. 404 "not_found", 405 "method_not_allowed", 413 "payload_too_large").
const char* CodeForHttpStatus(int http_status);

// The JSON error body (one line, no trailing newline).
std::string ErrorBody(const ApiError& e);

}  // namespace rogatory::http

#endif  // ROGATORY_ADAPTERS_HTTP_ERRORS_H_
