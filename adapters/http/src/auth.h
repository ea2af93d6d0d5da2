// Bearer-token access: tokens are known only by their SHA-256 and compared in constant time;
// each maps to the actor (id and roles) that the engine checks transitions against.
#ifndef ROGATORY_ADAPTERS_HTTP_AUTH_H_
#define ROGATORY_ADAPTERS_HTTP_AUTH_H_

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "rogatory/http_server.h"
#include "rogatory/request.h"
#include "rogatory/status.h"

namespace rogatory::http {

// The role that may manage subscriptions and deliveries, deploy workflows and migrate requests.
inline constexpr std::string_view kAdminRole = "admin";
// The role that may read /metrics (and nothing else; admin may read it too).
inline constexpr std::string_view kMetricsRole = "metrics";

class Call;
using Handler = std::function<void(Call&)>;

// Wraps `handler` for the request routes: 403 unless the caller holds a role other than
// `metrics` (a workflow role, `admin`, ...). A token without roles, or with only `metrics`,
// may call only /v1/health and the routes that need no role (workflows, the OpenAPI document).
Handler NeedsRequestRole(Handler handler);
// Wraps `handler` for /metrics: 403 unless the caller holds `metrics` or `admin`.
Handler NeedsMetricsRole(Handler handler);

class TokenTable {
 public:
  // InvalidArgument: a sha256 that is not 64 hex digits, an empty actor, or the same hash
  // twice.
  static Result<TokenTable> Make(const std::vector<HttpToken>& tokens);

  // The actor whose token is `token`, or nullptr. Hashes `token` and compares the digest with
  // every configured one without stopping early, so timing reveals nothing about which (if any)
  // matched. Thread-safe.
  const Actor* Find(std::string_view token) const;

 private:
  struct Entry {
    std::array<uint8_t, 32> digest;
    Actor actor;
  };
  std::vector<Entry> entries_;
};

// The token of an `Authorization: Bearer TOKEN` header value, or empty when the header is not
// of that form (scheme case-insensitive).
std::string_view BearerToken(std::string_view authorization);

}  // namespace rogatory::http

#endif  // ROGATORY_ADAPTERS_HTTP_AUTH_H_
