// HttpServer: routes, authenticates, runs the route and logs and measures every call, over the
// asynchronous transport (transport.h). Nothing thrown escapes a call.
//
// Where handlers run: on the transport's pool of `threads` threads, inline, on the thread that
// read the request (as cpp-httplib did). Route handlers call the engine synchronously and may
// wait on the store (a group commit, a PostgreSQL round trip); that holds one pool thread and
// only that connection, since any other thread runs any other connection's steps. Reading and
// writing never hold a thread, so slow or idle clients cannot use the pool up; only `threads`
// slow engine calls at once can, and those are bounded by the store, not by the clients. A
// separate worker pool would add a hand-off per call for no extra capacity, as the store's own
// concurrency is the limit.
#include "rogatory/http_server.h"

#include <openssl/evp.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <mutex>

#include "access_log.h"
#include "auth.h"
#include "call.h"
#include "client_text.h"
#include "errors.h"
#include "message.h"
#include "metrics.h"
#include "router.h"
#include "routes.h"
#include "transport.h"
#include "uri.h"

namespace rogatory {
namespace {

using http::Call;
using http::HttpRequest;
using http::HttpResponse;

// The method as a metrics label: the methods HTTP defines for this API, or "OTHER", so that a
// client inventing methods cannot grow the label set.
std::string_view MethodLabel(std::string_view method) {
  for (std::string_view m : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
    if (method == m) return m;
  }
  return "OTHER";
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && http::EqualsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

}  // namespace

std::string HashToken(const std::string& token) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(token.data(), token.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

class HttpServer::Impl {
 public:
  Impl(Engine& engine, HttpServerOptions options)
      : options_(std::move(options)),
        metrics_(options_.metrics_collectors),
        ctx_{engine, options_, metrics_} {
    http::AddSystemRoutes(router_, ctx_);
    http::AddWorkflowsRoutes(router_, ctx_);
    http::AddRequestsRoutes(router_, ctx_);
    http::AddSubscriptionsRoutes(router_, ctx_);
    http::AddDeliveriesRoutes(router_, ctx_);
  }

  ~Impl() { Stop(); }

  Status Start() {
    std::lock_guard lock(mu_);
    if (transport_) return FailedPreconditionError("the HTTP server was started before");
    ROGATORY_ASSIGN_OR_RETURN(tokens_, http::TokenTable::Make(options_.tokens));
    http::TransportOptions t;
    t.host = options_.host;
    t.port = options_.port;
    t.threads = options_.threads;
    t.max_connections = static_cast<size_t>(std::max(1, options_.max_connections));
    t.limits.max_body = options_.max_body;
    t.limits.max_head = options_.max_head;
    t.keep_alive_max = std::max(1, options_.keep_alive_max);
    t.keep_alive_timeout = options_.keep_alive_timeout;
    t.head_timeout = options_.head_timeout;
    t.body_timeout = options_.body_timeout;
    auto transport = std::make_unique<http::HttpTransport>(
        std::move(t), [this](HttpRequest& req, HttpResponse* res) { Handle(req, res); },
        [this](const http::FrameError& e, HttpResponse* res) { Refuse(e, res); });
    ROGATORY_RETURN_IF_ERROR(transport->Start());
    transport_ = std::move(transport);
    return OkStatus();
  }

  void Stop() {
    std::lock_guard lock(mu_);
    if (transport_) transport_->Stop();
  }

  int port() const { return transport_ ? transport_->port() : 0; }

  // Answers a request the transport could not read (malformed, ambiguous length, too large);
  // the transport closes the connection after it.
  void Refuse(const http::FrameError& e, HttpResponse* res) {
    const std::string id = http::NewRequestId();
    res->status = e.status;
    res->SetHeader("X-Request-Id", id);
    res->SetBody(http::ErrorBody({e.status, http::CodeForHttpStatus(e.status), e.message}),
                 "application/json");
    metrics_.ObserveRequest("OTHER", "unmatched", e.status, 0);
    http::LogAccess({id, "", "-", "unparsed", "-", e.status, 0, res->body.size(), ""},
                    options_.json_logs);
  }

  // Measures, logs and guards one call.
  void Handle(HttpRequest& req, HttpResponse* res) {
    const auto start = std::chrono::steady_clock::now();
    metrics_.AddInFlight(1);
    Call c(req, *res, metrics_);
    const std::string* given = req.Header("X-Request-Id");
    c.request_id =
        given != nullptr && http::IsAcceptableRequestId(*given) ? *given : http::NewRequestId();
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
    http::LogAccess({c.request_id, c.actor.id, req.method, route, req.RawPath(), res->status,
                     seconds, res->body.size(), c.internal_error},
                    options_.json_logs);
  }

 private:
  void Dispatch(HttpRequest& req, Call& c, std::string_view* route) {
    // Routing sees the path as sent: "%2f" inside an id stays in its segment.
    http::RouteMatch m = router_.Match(req.method, req.RawPath());
    if (m.route == nullptr) {
      if (m.path_known) {
        c.SetHeader("Allow", m.allowed);
        return c.Error(
            405, "method_not_allowed",
            "method " + http::Quote(req.method) + " is not allowed here; allowed: " + m.allowed);
      }
      return c.Error(404, "not_found", "no such route");
    }
    *route = m.route->pattern;
    if (m.route->access.needs_token) {
      const std::string* authorization = req.Header("Authorization");
      const std::string_view token =
          http::BearerToken(authorization == nullptr ? std::string_view() : *authorization);
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
      if (m.route->access.admin && !c.actor.HasRole(http::kAdminRole)) {
        return c.Error(403, "permission_denied", "this route needs the admin role");
      }
    }
    for (std::string& param : m.params) {
      auto decoded = http::PercentDecode(param, false);
      if (!decoded) {
        return c.Error(400, "invalid_path",
                       "the path has a malformed %-escape or is not UTF-8 once decoded");
      }
      param = std::move(*decoded);
    }
    c.params = std::move(m.params);
    auto query = http::ParseQuery(req.RawQuery());
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

  HttpServerOptions options_;
  http::HttpMetrics metrics_;
  http::ApiContext ctx_;
  http::Router router_;
  http::TokenTable tokens_;
  std::mutex mu_;
  std::unique_ptr<http::HttpTransport> transport_;  // GUARDED_BY(mu_)
};

HttpServer::HttpServer(Engine& engine, HttpServerOptions options)
    : impl_(std::make_unique<Impl>(engine, std::move(options))) {}

HttpServer::~HttpServer() = default;

Status HttpServer::Start() { return impl_->Start(); }

void HttpServer::Stop() { impl_->Stop(); }

int HttpServer::port() const { return impl_->port(); }

}  // namespace rogatory
