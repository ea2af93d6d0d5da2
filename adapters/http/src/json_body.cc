#include "json_body.h"

#include "client_text.h"

namespace rogatory::http {
namespace {

// The deepest array/object nesting of `text`, stopping early past `limit`. Strings are skipped.
int NestingDepth(std::string_view text, int limit) {
  int depth = 0;
  int deepest = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return deepest;
}

Status WrongType(const char* name, const char* expected) {
  return InvalidArgumentError(std::string("field '") + name + "' must be " + expected);
}

const nlohmann::json* Field(const nlohmann::json& obj, const char* name) {
  auto it = obj.find(name);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

}  // namespace

std::optional<nlohmann::json> ParseJsonObject(std::string_view body, ApiError* error) {
  if (body.empty()) {
    *error = {400, "malformed_json", "the body is empty; expected a JSON object"};
    return std::nullopt;
  }
  // JSON text never holds a raw NUL (in strings it must be escaped); a body with one is not
  // JSON, whatever a parser that stops at it would make of the part before.
  if (body.find('\0') != std::string_view::npos) {
    *error = {400, "malformed_json", "the body is not valid JSON (it contains a NUL byte)"};
    return std::nullopt;
  }
  if (NestingDepth(body, kMaxJsonDepth) > kMaxJsonDepth) {
    *error = {400, "malformed_json",
              "the body nests deeper than " + std::to_string(kMaxJsonDepth) + " levels"};
    return std::nullopt;
  }
  nlohmann::json j = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
  if (j.is_discarded()) {
    *error = {400, "malformed_json", "the body is not valid JSON"};
    return std::nullopt;
  }
  if (!j.is_object()) {
    *error = {400, "malformed_json", "the body must be a JSON object"};
    return std::nullopt;
  }
  return j;
}

Status RejectUnknownFields(const nlohmann::json& obj,
                           std::initializer_list<std::string_view> allowed) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool known = false;
    for (std::string_view a : allowed) known = known || it.key() == a;
    if (!known) return InvalidArgumentError("unknown field '" + Quote(it.key()) + "'");
  }
  return OkStatus();
}

Status ReadString(const nlohmann::json& obj, const char* name, bool required, std::string* out) {
  const nlohmann::json* f = Field(obj, name);
  if (f == nullptr) {
    return required ? InvalidArgumentError(std::string("field '") + name + "' is required")
                    : OkStatus();
  }
  if (!f->is_string()) return WrongType(name, "a string");
  *out = f->get<std::string>();
  return OkStatus();
}

Status ReadInt(const nlohmann::json& obj, const char* name, bool required, int64_t min, int64_t max,
               std::optional<int64_t>* out) {
  const nlohmann::json* f = Field(obj, name);
  if (f == nullptr) {
    return required ? InvalidArgumentError(std::string("field '") + name + "' is required")
                    : OkStatus();
  }
  const std::string range = "an integer from " + std::to_string(min) + " to " + std::to_string(max);
  if (f->is_number_unsigned()) {
    const uint64_t v = f->get<uint64_t>();
    if (v > static_cast<uint64_t>(max)) return WrongType(name, range.c_str());
    if (static_cast<int64_t>(v) < min) return WrongType(name, range.c_str());
    *out = static_cast<int64_t>(v);
    return OkStatus();
  }
  if (!f->is_number_integer()) return WrongType(name, range.c_str());
  const int64_t v = f->get<int64_t>();
  if (v < min || v > max) return WrongType(name, range.c_str());
  *out = v;
  return OkStatus();
}

Status ReadObject(const nlohmann::json& obj, const char* name, nlohmann::json* out) {
  const nlohmann::json* f = Field(obj, name);
  if (f == nullptr) return OkStatus();
  if (!f->is_object()) return WrongType(name, "an object");
  *out = *f;
  return OkStatus();
}

Status TakeObject(nlohmann::json* obj, const char* name, nlohmann::json* out) {
  auto it = obj->find(name);
  if (it == obj->end() || it->is_null()) return OkStatus();
  if (!it->is_object()) return WrongType(name, "an object");
  *out = std::move(*it);
  return OkStatus();
}

Status ReadStringList(const nlohmann::json& obj, const char* name, std::vector<std::string>* out) {
  const nlohmann::json* f = Field(obj, name);
  if (f == nullptr) return OkStatus();
  if (!f->is_array()) return WrongType(name, "a list of strings");
  std::vector<std::string> values;
  for (const auto& v : *f) {
    if (!v.is_string()) return WrongType(name, "a list of strings");
    values.push_back(v.get<std::string>());
  }
  *out = std::move(values);
  return OkStatus();
}

Status ReadStringMap(const nlohmann::json& obj, const char* name,
                     std::map<std::string, std::string>* out) {
  const nlohmann::json* f = Field(obj, name);
  if (f == nullptr) return OkStatus();
  if (!f->is_object()) return WrongType(name, "an object of strings");
  std::map<std::string, std::string> values;
  for (auto it = f->begin(); it != f->end(); ++it) {
    if (!it->is_string()) return WrongType(name, "an object of strings");
    values[it.key()] = it->get<std::string>();
  }
  *out = std::move(values);
  return OkStatus();
}

}  // namespace rogatory::http
