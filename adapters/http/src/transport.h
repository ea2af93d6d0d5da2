// The server's connections: Boost.Asio sockets served asynchronously by a fixed number of
// threads, each running an event loop of its own that holds its share of the connections; each
// request is framed by RequestParser and handed to the server as an HttpRequest on that loop.
// Idle and slow connections cost no thread; reading a request's head and body each has a
// deadline; pipelined requests are answered in order; a refused request is answered with
// `Connection: close` and nothing after it is parsed. Beast and Asio stay in transport.cc.
#ifndef ROGATORY_ADAPTERS_HTTP_TRANSPORT_H_
#define ROGATORY_ADAPTERS_HTTP_TRANSPORT_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "message.h"
#include "request_parser.h"
#include "rogatory/status.h"

namespace rogatory::http {

struct TransportOptions {
  std::string host = "127.0.0.1";
  int port = 0;
  int threads = 16;  // event loops, one thread each: also the calls answered at once
  size_t max_connections = 10000;
  FrameLimits limits;
  int keep_alive_max = 10000;
  std::chrono::milliseconds keep_alive_timeout{2000};  // idle between requests
  std::chrono::milliseconds head_timeout{10000};       // first byte to end of head
  std::chrono::milliseconds body_timeout{30000};       // end of head to end of body
  std::chrono::milliseconds write_timeout{10000};      // one answer
};

// Answers one request (runs on the connection's loop thread; may block it).
using RequestHandler = std::function<void(HttpRequest& request, HttpResponse* response)>;
// Builds the answer to a request that could not be read (status in `error`); the connection
// is closed after it.
using RefusalHandler = std::function<void(const FrameError& error, HttpResponse* response)>;

class HttpTransport {
 public:
  HttpTransport(TransportOptions options, RequestHandler on_request, RefusalHandler on_refusal);
  // Stops if still running.
  ~HttpTransport();
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;

  // Binds and listens on host:port and starts the threads. Unavailable when it cannot bind.
  Status Start();
  // Stops accepting, closes idle connections and those still sending a request, lets every
  // request already received be answered, then joins the threads. Idempotent.
  void Stop();
  // The bound port. REQUIRES: Start() succeeded.
  int port() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// The bytes of `response` on the wire: status line, headers, Content-Length (except for 1xx,
// 204 and 304), `Connection: close` unless `keep_alive` (`Connection: keep-alive` for an
// `http10` client that asked for it), then the body unless `head_only`.
std::string SerializeResponse(const HttpResponse& response, bool keep_alive, bool head_only,
                              bool http10);

}  // namespace rogatory::http

#endif  // ROGATORY_ADAPTERS_HTTP_TRANSPORT_H_
