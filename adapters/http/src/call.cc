#include "call.h"

#include <random>

#include "client_text.h"
#include "metrics.h"

namespace rogatory::http {

void Call::Json(int status, const nlohmann::json& j) {
  res.status = status;
  res.SetBody(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json");
}

void Call::Text(int status, std::string body, std::string_view content_type) {
  res.status = status;
  res.SetBody(std::move(body), content_type);
}

void Call::Empty(int status) {
  res.status = status;
  res.body.clear();
}

void Call::Error(const ApiError& e) {
  res.status = e.http_status;
  nlohmann::json err{{"code", e.code}, {"message", SafeText(e.message, kMaxMessage)}};
  if (e.http_status >= 500) err["request_id"] = request_id;
  res.SetBody(nlohmann::json{{"error", std::move(err)}}.dump(), "application/json");
  if (e.http_status == 503) res.SetHeader("Retry-After", "1");
}

void Call::Error(int status, std::string_view code, std::string_view message) {
  Error(ApiError{status, std::string(code), std::string(message)});
}

void Call::Fail(const Status& s) {
  if (s.code() == StatusCode::kUnavailable || s.code() == StatusCode::kInternal) {
    metrics.CountStoreError(s.code());
    internal_error = s.ToString();
  }
  Error(ApiErrorFromStatus(s));
}

std::optional<std::string> Call::Query(const char* name) const {
  for (const auto& [k, v] : query) {
    if (k == name) return v;
  }
  return std::nullopt;
}

bool Call::CheckQuery(std::initializer_list<std::string_view> allowed) {
  for (const auto& [name, value] : query) {
    bool known = false;
    for (std::string_view a : allowed) known = known || name == a;
    if (!known) {
      Error(400, "invalid_query", "unknown query parameter '" + Quote(name) + "'");
      return false;
    }
  }
  return true;
}

std::optional<int64_t> ParseDecimal(std::string_view text, int64_t min, int64_t max) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  if (v < min || v > max) return std::nullopt;
  return v;
}

std::string NewRequestId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t v = rng();
  std::string id(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) id[static_cast<size_t>(i)] = kHex[v & 15];
  return id;
}

bool IsAcceptableRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace rogatory::http
