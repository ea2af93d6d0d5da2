// A request's JSON answer written straight into text: the same bytes as
// RequestToJson(r).dump(-1, ' ', false, replace) (what Call::Json sends), without building
// the JSON tree first. Building and dumping the tree was the largest cost of a call on the
// memory store (docs/performance.md, "Instructions per call").
#ifndef ROGATORY_ADAPTERS_HTTP_REQUEST_TEXT_H_
#define ROGATORY_ADAPTERS_HTTP_REQUEST_TEXT_H_

#include <string>
#include <string_view>

#include "rogatory/request.h"

namespace rogatory::http {

// Appends `s` as a JSON string (quoted and escaped exactly as nlohmann's dump with
// error_handler_t::replace does, invalid UTF-8 included) to `out`.
void AppendJsonString(std::string* out, std::string_view s);

// Appends the request as JSON (CONTRACT §4 GET /v1/requests/{id}) to `out`: byte for byte what
// RequestToJson(r) dumps to.
void AppendRequestJson(std::string* out, const Request& r);

// The request as JSON text (AppendRequestJson into a new string).
std::string RequestJsonText(const Request& r);

}  // namespace rogatory::http

#endif  // ROGATORY_ADAPTERS_HTTP_REQUEST_TEXT_H_
