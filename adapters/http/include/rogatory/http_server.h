// The REST API of CONTRACT §4 over HTTP/1.1: bearer-token access, JSON bodies, Prometheus
// metrics and structured access logs. The HTTP library (Boost.Beast) stays inside the adapter;
// nothing of it appears here.
#ifndef ROGATORY_HTTP_SERVER_H_
#define ROGATORY_HTTP_SERVER_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "rogatory/engine.h"
#include "rogatory/status.h"

namespace rogatory {

// One bearer token of the deployment config: who it acts as and with which roles. Only the
// SHA-256 of the token is kept (lowercase hex, 64 characters).
struct HttpToken {
  std::string actor;
  std::vector<std::string> roles;
  std::string sha256;
  // CONTRACT §8: the authority the token acts for (an id of EngineOptions::authorities), or
  // empty. The engine decides what such a caller sees and may fire.
  std::string authority{};
};

// Appends Prometheus text-format lines (with their # HELP / # TYPE) to `out`. Called on every
// scrape of /metrics from a server thread; must be thread-safe and quick.
using MetricsCollector = std::function<void(std::string* out)>;

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port (see HttpServer::port())
  std::vector<HttpToken> tokens;
  // Bodies larger than this get 413 before they are read.
  size_t max_body = 1048576;
  // Subscriptions to loopback, private, link-local ... addresses are refused when false (SSRF).
  bool allow_private_webhooks = false;
  // Threads, each an event loop holding its share of the connections (round robin) and running
  // their route handlers: calls answered at once. Connections are asynchronous: an idle or slow
  // one holds no thread; a call holds its loop while it runs.
  int threads = 16;
  // Connections open at once; one more is accepted and closed at once.
  int max_connections = 10000;
  // Largest request line plus headers, in bytes (431 beyond).
  size_t max_head = 16384;
  // Requests served on one keep-alive connection before it is closed.
  int keep_alive_max = 10000;
  // How long an idle keep-alive connection is kept open.
  std::chrono::seconds keep_alive_timeout{2};
  // A request's head must arrive within head_timeout of its first byte (and of the connection's
  // opening, for the first request), and its body within body_timeout of the head; otherwise
  // the connection is closed. This keeps slow clients from holding connections forever.
  std::chrono::milliseconds head_timeout{10000};
  std::chrono::milliseconds body_timeout{30000};
  // Access logs as one JSON object per line (true) or as `key=value` text (false).
  bool json_logs = false;
  // Extra metrics appended to /metrics (e.g. the webhook dispatcher's counters and the overdue
  // deadlines gauge), in registration order.
  std::vector<MetricsCollector> metrics_collectors;
  // Called after every call that may have written webhook outbox rows (a creation, a
  // transition, a migration, a delivery re-queued), e.g. to wake the dispatcher. Must be
  // thread-safe and must not block.
  std::function<void()> on_outbox_written;
  // Draws a workflow's diagram as an SVG document for GET /v1/workflows/{id}/diagram.svg
  // (e.g. rogatory::RenderSvg of rogatory/graph_svg.h, wired by the composition root so this
  // adapter does not depend on Graphviz). Unset: that route answers 501. Must be thread-safe.
  std::function<Result<std::string>(const WorkflowDefinition&)> draw_diagram{};
};

// The REST server. Every route but GET /v1/health and GET /v1/openapi.json needs a bearer token.
//
// Example:
//   HttpServer server(engine, options);
//   if (Status s = server.Start(); !s.ok()) return s;
//   ...  // until SIGTERM
//   server.Stop();
class HttpServer {
 public:
  // `engine` must outlive the server.
  HttpServer(Engine& engine, HttpServerOptions options);
  // Stops the server if it is still running.
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds host:port and starts serving on background threads; returns once connections are
  // accepted. InvalidArgument: a token's sha256 is not 64 hex characters. Unavailable: the
  // address cannot be bound. FailedPrecondition: already started.
  Status Start();

  // Stops accepting connections, lets every call already received finish and answer, then
  // returns. Idle connections and those still sending a request are closed. Idempotent.
  void Stop();

  // The port actually bound (useful with port 0). REQUIRES: Start() succeeded.
  int port() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// Lowercase hex SHA-256 of `token`: what the config stores for a bearer token.
std::string HashToken(const std::string& token);

}  // namespace rogatory

#endif  // ROGATORY_HTTP_SERVER_H_
