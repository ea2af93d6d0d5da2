#include "router.h"

#include <utility>

namespace rogatory::http {
namespace {

// "/v1/requests/x" -> {"v1", "requests", "x"}; a trailing slash gives an empty last segment.
std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.empty() || path[0] != '/') return out;
  size_t start = 1;
  while (true) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) {
      out.push_back(path.substr(start));
      return out;
    }
    out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
}

bool IsPlaceholder(std::string_view s) {
  return s.size() >= 2 && s.front() == '{' && s.back() == '}';
}

}  // namespace

void Router::Add(Route route) {
  Entry e;
  for (std::string_view s : Split(route.pattern)) e.segments.emplace_back(s);
  e.route = std::move(route);
  entries_.push_back(std::move(e));
}

RouteMatch Router::Match(std::string_view method, std::string_view path) const {
  RouteMatch m;
  const std::string_view effective = method == "HEAD" ? std::string_view("GET") : method;
  const std::vector<std::string_view> parts = Split(path);
  for (const Entry& e : entries_) {
    if (e.segments.size() != parts.size()) continue;
    std::vector<std::string> params;
    bool ok = true;
    for (size_t i = 0; i < parts.size() && ok; ++i) {
      if (IsPlaceholder(e.segments[i])) {
        if (parts[i].empty())
          ok = false;
        else
          params.emplace_back(parts[i]);
      } else {
        ok = e.segments[i] == parts[i];
      }
    }
    if (!ok) continue;
    m.path_known = true;
    if (e.route.method == effective) {
      m.route = &e.route;
      m.params = std::move(params);
      return m;
    }
    if (m.allowed.find(e.route.method) == std::string::npos) {
      m.allowed += (m.allowed.empty() ? "" : ", ") + e.route.method;
      if (e.route.method == "GET") m.allowed += ", HEAD";
    }
  }
  return m;
}

}  // namespace rogatory::http
