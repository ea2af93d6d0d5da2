// Reads and checks JSON request bodies: malformed or non-object bodies are 400, fields of the
// wrong type and unknown top-level fields are 422 (InvalidArgument naming the field).
#ifndef ROGATORY_ADAPTERS_HTTP_JSON_BODY_H_
#define ROGATORY_ADAPTERS_HTTP_JSON_BODY_H_

#include <cstdint>
#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "errors.h"
#include "rogatory/status.h"

namespace rogatory::http {

// Deepest nesting of arrays and objects a body may have (guards the parser and the encoders).
inline constexpr int kMaxJsonDepth = 64;

// Parses `body` as a JSON object. Otherwise sets `*error` (400 "malformed_json": not JSON, not
// an object, or nested deeper than kMaxJsonDepth) and returns nullopt.
std::optional<nlohmann::json> ParseJsonObject(std::string_view body, ApiError* error);

// InvalidArgument naming the first key of `obj` that is not in `allowed`.
Status RejectUnknownFields(const nlohmann::json& obj,
                           std::initializer_list<std::string_view> allowed);

// Each reader leaves `*out` unchanged when the field is absent (or null), and returns
// InvalidArgument naming the field when it is of another type, or absent and required.
Status ReadString(const nlohmann::json& obj, const char* name, bool required, std::string* out);
Status ReadInt(const nlohmann::json& obj, const char* name, bool required, int64_t min, int64_t max,
               std::optional<int64_t>* out);
Status ReadObject(const nlohmann::json& obj, const char* name, nlohmann::json* out);
// ReadObject that moves the field out of `*obj` (leaving null there) instead of copying it: for
// a body whose field the caller keeps, such as a call's data.
Status TakeObject(nlohmann::json* obj, const char* name, nlohmann::json* out);
Status ReadStringList(const nlohmann::json& obj, const char* name, std::vector<std::string>* out);
Status ReadStringMap(const nlohmann::json& obj, const char* name,
                     std::map<std::string, std::string>* out);

}  // namespace rogatory::http

#endif  // ROGATORY_ADAPTERS_HTTP_JSON_BODY_H_
