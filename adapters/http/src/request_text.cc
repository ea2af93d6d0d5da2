#include "request_text.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "rogatory/time.h"

namespace rogatory::http {
namespace {

// Appends `j` as nlohmann dumps it for the API (compact, UTF-8 kept, bad UTF-8 replaced).
void AppendDump(std::string* out, const nlohmann::json& j) {
  *out += j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Appends `j` with the bytes AppendDump would write, without building nlohmann's serializer for
// the common values: objects, arrays, plain strings, integers, booleans and null are written
// here (nlohmann's objects iterate in the order its dump writes them); a float, or anything
// else, goes through AppendDump on its own.
void AppendValue(std::string* out, const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::object: {
      *out += '{';
      bool first = true;
      for (const auto& [key, value] : j.get_ref<const nlohmann::json::object_t&>()) {
        if (!first) *out += ',';
        first = false;
        AppendJsonString(out, key);
        *out += ':';
        AppendValue(out, value);
      }
      *out += '}';
      return;
    }
    case nlohmann::json::value_t::array: {
      *out += '[';
      bool first = true;
      for (const nlohmann::json& value : j) {
        if (!first) *out += ',';
        first = false;
        AppendValue(out, value);
      }
      *out += ']';
      return;
    }
    case nlohmann::json::value_t::string:
      return AppendJsonString(out, j.get_ref<const std::string&>());
    case nlohmann::json::value_t::boolean:
      *out += j.get<bool>() ? "true" : "false";
      return;
    case nlohmann::json::value_t::null:
      *out += "null";
      return;
    case nlohmann::json::value_t::number_integer:
      *out += std::to_string(j.get<int64_t>());
      return;
    case nlohmann::json::value_t::number_unsigned:
      *out += std::to_string(j.get<uint64_t>());
      return;
    default:  // floats (nlohmann's own shortest round-trip text), binary, discarded
      return AppendDump(out, j);
  }
}

void AppendKey(std::string* out, std::string_view key, bool first = false) {
  if (!first) *out += ',';
  *out += '"';
  *out += key;  // keys are ours: plain ASCII
  *out += "\":";
}

void AppendBool(std::string* out, bool b) { *out += b ? "true" : "false"; }

void AppendTime(std::string* out, TimePoint t) { AppendJsonString(out, FormatRfc3339(t)); }

}  // namespace

void AppendJsonString(std::string* out, std::string_view s) {
  // Printable ASCII other than '"' and '\\' is written as it is by every dump; anything else
  // (escapes, UTF-8, invalid bytes) goes through nlohmann so the bytes stay exactly its own.
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
      return AppendDump(out, nlohmann::json(std::string(s)));
    }
  }
  *out += '"';
  *out += s;
  *out += '"';
}

void AppendRequestJson(std::string* out, const Request& r) {
  // Keys in nlohmann's (std::map) order, as RequestToJson's object dumps them.
  *out += '{';
  AppendKey(out, "created_at", true);
  AppendTime(out, r.created_at);
  AppendKey(out, "data");
  AppendValue(out, r.data);
  AppendKey(out, "deadlines");
  *out += '[';
  for (size_t i = 0; i < r.deadlines.size(); ++i) {
    const DeadlineState& d = r.deadlines[i];
    if (i > 0) *out += ',';
    *out += '{';
    AppendKey(out, "due_at", true);
    AppendTime(out, d.due_at);
    AppendKey(out, "extended");
    AppendBool(out, d.extended);
    AppendKey(out, "lapsed");
    AppendBool(out, d.lapsed);
    if (d.lapsed) {
      AppendKey(out, "lapsed_at");
      AppendTime(out, d.lapsed_at);
    }
    AppendKey(out, "name");
    AppendJsonString(out, d.name);
    AppendKey(out, "paused");
    AppendBool(out, d.paused);
    if (d.paused) {
      AppendKey(out, "remaining_ms");
      *out += std::to_string(d.remaining.count() / 1000);
    }
    AppendKey(out, "started_at");
    AppendTime(out, d.started_at);
    *out += '}';
  }
  *out += ']';
  AppendKey(out, "head_hash");
  AppendJsonString(out, r.head_hash);
  AppendKey(out, "id");
  AppendJsonString(out, r.id);
  AppendKey(out, "parties");
  *out += '{';
  bool first = true;
  for (const auto& [side, authority] : r.parties) {
    if (!first) *out += ',';
    first = false;
    AppendJsonString(out, side);
    *out += ':';
    AppendJsonString(out, authority);
  }
  *out += '}';
  AppendKey(out, "phase");
  AppendJsonString(out, PhaseName(r.phase));
  AppendKey(out, "references");
  AppendValue(out, r.references);
  AppendKey(out, "revision");
  *out += std::to_string(r.revision);
  AppendKey(out, "state");
  AppendJsonString(out, r.state);
  AppendKey(out, "updated_at");
  AppendTime(out, r.updated_at);
  AppendKey(out, "version");
  *out += std::to_string(r.version);
  AppendKey(out, "workflow");
  AppendJsonString(out, r.workflow);
  *out += '}';
}

std::string RequestJsonText(const Request& r) {
  std::string out;
  out.reserve(512);
  AppendRequestJson(&out, r);
  return out;
}

}  // namespace rogatory::http
