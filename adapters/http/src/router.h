// Matches a method and path against the API's route templates ("/v1/requests/{id}/events"),
// telling an unknown path (404) from a known path with the wrong method (405).
#ifndef ROGATORY_ADAPTERS_HTTP_ROUTER_H_
#define ROGATORY_ADAPTERS_HTTP_ROUTER_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace rogatory::http {

class Call;

// What a route needs before its handler runs.
struct RouteAccess {
  bool needs_token = true;  // false only for GET /v1/health
  bool admin = false;       // the token must carry the `admin` role
};

struct Route {
  std::string method;   // "GET", "POST", "DELETE"
  std::string pattern;  // "/v1/requests/{id}"; also the metrics label
  RouteAccess access;
  bool reads_body = false;  // the handler needs the request body (JSON)
  std::function<void(Call&)> handler;
};

// The outcome of matching: the route and its path parameters, or why none matched.
struct RouteMatch {
  const Route* route = nullptr;     // set on a match
  std::vector<std::string> params;  // {placeholders} in pattern order
  bool path_known = false;          // some route has this path (405 when route is null)
  std::string allowed;              // "GET, POST" for a 405's Allow header
};

class Router {
 public:
  // Adds a route. Patterns are literal segments and {name} placeholders matching one non-empty
  // segment. REQUIRES: no two routes with the same method and pattern.
  void Add(Route route);

  // Finds the route for `method` and `path`. HEAD matches GET routes. Thread-safe once all
  // routes are added.
  RouteMatch Match(std::string_view method, std::string_view path) const;

 private:
  struct Entry {
    Route route;
    std::vector<std::string> segments;  // "{...}" for a placeholder
  };
  std::vector<Entry> entries_;
};

}  // namespace rogatory::http

#endif  // ROGATORY_ADAPTERS_HTTP_ROUTER_H_
