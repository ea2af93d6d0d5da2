// JSON request bodies (adapters/http/src/json_body.*): any bytes are a JSON object or a 400
// "malformed_json"; never a crash, leak or hang. The field readers the routes use then answer
// with a value or a 422 naming the field, and what was accepted encodes again (the API echoes
// bodies back into requests and history).
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "json_body.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  rogatory::http::ApiError error;
  std::optional<nlohmann::json> obj = rogatory::http::ParseJsonObject(body, &error);
  if (!obj) {
    FUZZ_CHECK(error.http_status == 400);
    FUZZ_CHECK(error.code == "malformed_json");
    return 0;
  }
  FUZZ_CHECK(obj->is_object());
  // JSON text never holds a raw NUL (not whitespace, not allowed unescaped in strings).
  FUZZ_CHECK(body.find('\0') == std::string_view::npos);
  // The fields of POST /v1/requests, POST …/events and POST /v1/subscriptions.
  (void)rogatory::http::RejectUnknownFields(
      *obj, {"workflow", "version", "data", "references", "event", "expected_revision", "comment",
             "url", "events", "workflows", "secret"});
  std::string s;
  for (const char* name : {"workflow", "event", "comment", "url", "secret"}) {
    (void)rogatory::http::ReadString(*obj, name, false, &s);
  }
  std::optional<int64_t> n;
  (void)rogatory::http::ReadInt(*obj, "version", false, 1, std::numeric_limits<int32_t>::max(), &n);
  (void)rogatory::http::ReadInt(*obj, "expected_revision", false, 0,
                                std::numeric_limits<int64_t>::max(), &n);
  nlohmann::json sub;
  (void)rogatory::http::ReadObject(*obj, "data", &sub);
  std::vector<std::string> list;
  (void)rogatory::http::ReadStringList(*obj, "events", &list);
  std::map<std::string, std::string> map;
  (void)rogatory::http::ReadStringMap(*obj, "references", &map);
  FUZZ_CHECK(!obj->dump().empty());
  return 0;
}
