// HttpServer: cpp-httplib configured for throughput (TCP_NODELAY, long keep-alive), one
// catch-all handler per method that routes, authenticates, reads the body within the limit,
// runs the route, and logs and measures every call. Nothing thrown escapes a call.
#include "rogatory/http_server.h"

#include <httplib.h>
#include <openssl/evp.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "access_log.h"
#include "auth.h"
#include "call.h"
#include "errors.h"
#include "metrics.h"
#include "router.h"
#include "routes.h"

namespace rogatory {
namespace {

using http::ApiError;
using http::Call;

// The declared body length: -1 when there is no Content-Length, -2 when it is not a number.
int64_t DeclaredLength(const httplib::Request& req) {
  if (!req.has_header("Content-Length")) return -1;
  const std::string v = req.get_header_value("Content-Length");
  auto n = http::ParseDecimal(v, 0, INT64_MAX / 16);
  return n ? *n : -2;
}

bool IsChunked(const httplib::Request& req) {
  return req.get_header_value("Transfer-Encoding").find("chunked") != std::string::npos;
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
    if (server_) return FailedPreconditionError("the HTTP server was started before");
    ROGATORY_ASSIGN_OR_RETURN(tokens_, http::TokenTable::Make(options_.tokens));
    auto server = std::make_unique<httplib::Server>();
    Configure(*server);
    int port = options_.port;
    if (port == 0) {
      port = server->bind_to_any_port(options_.host);
      if (port <= 0) return UnavailableError("cannot listen on " + options_.host + ":0");
    } else if (!server->bind_to_port(options_.host, port)) {
      return UnavailableError("cannot listen on " + options_.host + ":" + std::to_string(port) +
                              " (address in use, or not an address of this machine)");
    }
    port_ = port;
    server_ = std::move(server);
    thread_ = std::thread([s = server_.get()] { s->listen_after_bind(); });
    for (int i = 0; i < 500 && !server_->is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return OkStatus();
  }

  void Stop() {
    std::lock_guard lock(mu_);
    if (!server_ || stopped_) return;
    stopped_ = true;
    // Closes the listening socket; listen_after_bind then drains the thread pool, so every
    // call already read is answered before the thread ends.
    while (thread_.joinable() && !server_->is_running()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    server_->stop();
    if (thread_.joinable()) thread_.join();
  }

  int port() const { return port_; }

 private:
  void Configure(httplib::Server& s) {
    const size_t threads = static_cast<size_t>(std::max(1, options_.threads));
    s.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    s.set_tcp_nodelay(true);
    // httplib's default sets SO_REUSEPORT, which would let a second server share the port
    // silently; SO_REUSEADDR alone allows a quick restart and refuses a second listener.
    s.set_socket_options([](socket_t sock) {
      int yes = 1;
      setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });
    s.set_keep_alive_max_count(static_cast<size_t>(std::max(1, options_.keep_alive_max)));
    s.set_keep_alive_timeout(options_.keep_alive_timeout.count());
    s.set_read_timeout(10);
    s.set_write_timeout(10);
    s.set_payload_max_length(options_.max_body);
    // A client that waits for 100 Continue learns of a too large body before sending it.
    s.set_expect_100_continue_handler([this](const httplib::Request& req, httplib::Response& res) {
      if (DeclaredLength(req) > static_cast<int64_t>(options_.max_body)) {
        WriteTooLarge(res);
        return 413;
      }
      return 100;
    });
    // Errors httplib answers itself (unparsable request line, URI too long, ...) get the API's
    // error shape too; answers the routes wrote already have a body and are left alone.
    s.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request&,
                                                                httplib::Response& res) {
      if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
      const char* code = http::CodeForHttpStatus(res.status);
      res.set_content(
          http::ErrorBody({res.status, code,
                           "the request was refused (HTTP " + std::to_string(res.status) + ")"}),
          "application/json");
      return httplib::Server::HandlerResponse::Handled;
    }));
    s.set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
          res.status = 500;
          res.set_content(http::ErrorBody({500, "internal", "internal error"}), "application/json");
        });
    auto plain = [this](const httplib::Request& req, httplib::Response& res) {
      Handle(req, res, nullptr);
    };
    auto with_body = [this](const httplib::Request& req, httplib::Response& res,
                            const httplib::ContentReader& reader) { Handle(req, res, &reader); };
    s.Get(".*", plain);
    s.Options(".*", plain);
    s.Post(".*", with_body);
    s.Put(".*", with_body);
    s.Patch(".*", with_body);
    s.Delete(".*", with_body);
  }

  void WriteTooLarge(httplib::Response& res) const {
    res.status = 413;
    res.set_header("Connection", "close");
    res.set_content(http::ErrorBody({413, "payload_too_large",
                                     "the body is larger than limits.max_body (" +
                                         std::to_string(options_.max_body) + " bytes)"}),
                    "application/json");
  }

  // Measures, logs and guards one call.
  void Handle(const httplib::Request& req, httplib::Response& res,
              const httplib::ContentReader* reader) {
    const auto start = std::chrono::steady_clock::now();
    metrics_.AddInFlight(1);
    Call c(req, res, metrics_);
    const std::string given = req.get_header_value("X-Request-Id");
    c.request_id = http::IsAcceptableRequestId(given) ? given : http::NewRequestId();
    std::string_view route = "unmatched";
    bool body_read = false;
    try {
      Dispatch(c, reader, &route, &body_read);
    } catch (const std::exception& e) {
      c.internal_error = std::string("exception: ") + e.what();
      c.Error(500, "internal", "internal error");
    } catch (...) {
      c.internal_error = "unknown exception";
      c.Error(500, "internal", "internal error");
    }
    // Keep the connection in step: a body the route did not read is discarded.
    if (reader != nullptr && !body_read && res.status != 413) DrainBody(req, *reader, res);
    res.set_header("X-Request-Id", c.request_id);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    metrics_.ObserveRequest(req.method, route, res.status, seconds);
    metrics_.AddInFlight(-1);
    http::LogAccess({c.request_id, c.actor.id, req.method, route, req.path, res.status, seconds,
                     res.body.size(), c.internal_error},
                    options_.json_logs);
  }

  void Dispatch(Call& c, const httplib::ContentReader* reader, std::string_view* route,
                bool* body_read) {
    const httplib::Request& req = c.req;
    // Refuse a declared oversized body first, before any of it is read.
    if (DeclaredLength(req) > static_cast<int64_t>(options_.max_body)) {
      WriteTooLarge(c.res);
      return;
    }
    http::RouteMatch m = router_.Match(req.method, req.path);
    if (m.route == nullptr) {
      if (m.path_known) {
        c.res.set_header("Allow", m.allowed);
        return c.Error(405, "method_not_allowed",
                       "method " + req.method + " is not allowed here; allowed: " + m.allowed);
      }
      return c.Error(404, "not_found", "no such route");
    }
    *route = m.route->pattern;
    c.params = std::move(m.params);
    if (m.route->access.needs_token) {
      const std::string authorization = req.get_header_value("Authorization");
      const std::string_view token = http::BearerToken(authorization);
      const Actor* actor = tokens_.Find(token);
      if (actor == nullptr) {
        c.res.set_header("WWW-Authenticate",
                         token.empty() ? "Bearer realm=\"rogatory\""
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
    if (m.route->reads_body) {
      *body_read = true;
      if (!ReadBody(c, reader)) return;
    }
    m.route->handler(c);
  }

  // Reads the whole body into c.body, refusing more than max_body bytes (413) and multipart
  // bodies (415). Returns false when it answered an error.
  bool ReadBody(Call& c, const httplib::ContentReader* reader) {
    const httplib::Request& req = c.req;
    if (req.is_multipart_form_data()) {
      c.Error(415, "unsupported_media_type", "the body must be JSON");
      return false;
    }
    if (reader == nullptr || (DeclaredLength(req) <= 0 && !IsChunked(req))) return true;
    bool too_large = false;
    const size_t limit = options_.max_body;
    const bool ok = (*reader)([&](const char* data, size_t n) {
      if (c.body.size() + n > limit) {
        too_large = true;
        return false;
      }
      c.body.append(data, n);
      return true;
    });
    if (too_large) {
      WriteTooLarge(c.res);
      return false;
    }
    if (!ok) {
      c.res.set_header("Connection", "close");
      c.Error(400, "malformed_body", "the body could not be read");
      return false;
    }
    return true;
  }

  // Reads and discards a body the route did not need (at most max_body bytes).
  void DrainBody(const httplib::Request& req, const httplib::ContentReader& reader,
                 httplib::Response& res) const {
    if (req.is_multipart_form_data() || (DeclaredLength(req) <= 0 && !IsChunked(req))) return;
    size_t seen = 0;
    const size_t limit = options_.max_body;
    const bool ok = reader([&](const char*, size_t n) {
      seen += n;
      return seen <= limit;
    });
    if (!ok) res.set_header("Connection", "close");
  }

  HttpServerOptions options_;
  http::HttpMetrics metrics_;
  http::ApiContext ctx_;
  http::Router router_;
  http::TokenTable tokens_;
  std::mutex mu_;
  std::unique_ptr<httplib::Server> server_;  // GUARDED_BY(mu_)
  std::thread thread_;
  bool stopped_ = false;
  int port_ = 0;
};

HttpServer::HttpServer(Engine& engine, HttpServerOptions options)
    : impl_(std::make_unique<Impl>(engine, std::move(options))) {}

HttpServer::~HttpServer() = default;

Status HttpServer::Start() { return impl_->Start(); }

void HttpServer::Stop() { impl_->Stop(); }

int HttpServer::port() const { return impl_->port(); }

}  // namespace rogatory
