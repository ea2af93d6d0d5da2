// ApiHandler: one call from parsed request to answer, measured, logged and guarded.
#include "api_handler.h"

#include <chrono>

#include "access_log.h"
#include "call.h"
#include "client_text.h"
#include "errors.h"
#include "uri.h"

namespace rogatory::http {
namespace {

// The method as a metrics label: the methods HTTP defines for this API, or "OTHER", so that a
// client inventing methods cannot grow the label set.
std::string_view MethodLabel(std::string_view method) {
  for (std::string_view m : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
    if (method == m) return m;
  }
  return "OTHER";
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && EqualsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

}  // namespace

Result<std::unique_ptr<ApiHandler>> ApiHandler::Make(Engine& engine, HttpServerOptions options) {
  ROGATORY_ASSIGN_OR_RETURN(TokenTable tokens, TokenTable::Make(options.tokens));
  return std::unique_ptr<ApiHandler>(new ApiHandler(engine, std::move(options), std::move(tokens)));
}

ApiHandler::ApiHandler(Engine& engine, HttpServerOptions options, TokenTable tokens)
    : options_(std::move(options)),
      metrics_(options_.metrics_collectors),
      ctx_{engine, options_, metrics_},
      tokens_(std::move(tokens)) {
  AddSystemRoutes(router_, ctx_);
  AddWorkflowsRoutes(router_, ctx_);
  AddRequestsRoutes(router_, ctx_);
  AddSubscriptionsRoutes(router_, ctx_);
  AddDeliveriesRoutes(router_, ctx_);
  AddStatsRoutes(router_, ctx_);
  AddConsoleRoutes(router_, ctx_);
}

void ApiHandler::Refuse(const FrameError& e, HttpResponse* res) {
  const std::string id = NewRequestId();
  res->status = e.status;
  res->SetHeader("X-Request-Id", id);
  res->SetBody(ErrorBody({e.status, CodeForHttpStatus(e.status), e.message}), "application/json");
  metrics_.ObserveRequest("OTHER", "unmatched", e.status, 0);
  LogAccess({id, "", "-", "unparsed", "-", e.status, 0, res->body.size(), ""}, options_.json_logs);
}

void ApiHandler::Handle(HttpRequest& req, HttpResponse* res) {
  const auto start = std::chrono::steady_clock::now();
  metrics_.AddInFlight(1);
  Call c(req, *res, metrics_);
  const std::string* given = req.Header("X-Request-Id");
  c.request_id = given != nullptr && IsAcceptableRequestId(*given) ? *given : NewRequestId();
  std::string_view route = "unmatched";
  try {
    Dispatch(req, c, &route);
  } catch (const std::exception& e) {
    c.internal_error = std::string("exception: ") + e.what();
    c.Error(500, "internal", "internal error");
  } catch (...) {
    c.internal_error = "unknown exception";
    c.Error(500, "internal", "internal error");
  }
  res->SetHeader("X-Request-Id", c.request_id);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  metrics_.ObserveRequest(MethodLabel(req.method), route, res->status, seconds);
  metrics_.AddInFlight(-1);
  LogAccess({c.request_id, c.actor.id, req.method, route, req.RawPath(), res->status, seconds,
             res->body.size(), c.internal_error},
            options_.json_logs);
}

void ApiHandler::Dispatch(HttpRequest& req, Call& c, std::string_view* route) {
  // Routing sees the path as sent: "%2f" inside an id stays in its segment.
  RouteMatch m = router_.Match(req.method, req.RawPath());
  if (m.route == nullptr) {
    if (m.path_known) {
      c.SetHeader("Allow", m.allowed);
      return c.Error(405, "method_not_allowed",
                     "method " + Quote(req.method) + " is not allowed here; allowed: " + m.allowed);
    }
    return c.Error(404, "not_found", "no such route");
  }
  *route = m.route->pattern;
  if (m.route->access.needs_token) {
    const std::string* authorization = req.Header("Authorization");
    const std::string_view token =
        BearerToken(authorization == nullptr ? std::string_view() : *authorization);
    const Actor* actor = tokens_.Find(token);
    if (actor == nullptr) {
      c.SetHeader("WWW-Authenticate", token.empty()
                                          ? "Bearer realm=\"rogatory\""
                                          : "Bearer realm=\"rogatory\", error=\"invalid_token\"");
      return c.Error(401, "unauthenticated",
                     token.empty() ? "this route needs Authorization: Bearer TOKEN"
                                   : "the bearer token is not valid");
    }
    c.actor = *actor;
    if (m.route->access.admin && !c.actor.HasRole(kAdminRole)) {
      return c.Error(403, "permission_denied", "this route needs the admin role");
    }
  }
  for (std::string& param : m.params) {
    auto decoded = PercentDecode(param, false);
    if (!decoded) {
      return c.Error(400, "invalid_path",
                     "the path has a malformed %-escape or is not UTF-8 once decoded");
    }
    param = std::move(*decoded);
  }
  c.params = std::move(m.params);
  auto query = ParseQuery(req.RawQuery());
  if (!query) {
    return c.Error(400, "invalid_query",
                   "the query has a malformed %-escape or is not UTF-8 once decoded");
  }
  c.query = std::move(*query);
  if (m.route->reads_body) {
    const std::string* type = req.Header("Content-Type");
    if (type != nullptr && StartsWithIgnoreCase(*type, "multipart/")) {
      return c.Error(415, "unsupported_media_type", "the body must be JSON");
    }
    c.body = std::move(req.body);
  }
  m.route->handler(c);
}

}  // namespace rogatory::http
