// HttpServer: the API handler (api_handler.h: routes, auth, logs, metrics) behind the
// asynchronous transport (transport.h).
//
// Where handlers run: on the transport's `threads` event-loop threads, inline, on the loop that
// read the request. Route handlers call the engine synchronously and may wait on the store (a
// group commit, a PostgreSQL round trip); that holds the loop, and so the other connections it
// holds (one in `threads`), while up to `threads` calls wait on one group commit together.
// Reading and writing never hold a thread, so slow or idle clients cannot use the loops up. A
// worker pool behind one loop per core was measured (docs/performance.md): its two hand-offs per
// call cost more than they bought on 2 shared cores, in memory and on SQLite.
#include "rogatory/http_server.h"

#include <openssl/evp.h>

#include <mutex>

#include "api_handler.h"
#include "message.h"
#include "transport.h"

namespace rogatory {

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
  Impl(Engine& engine, HttpServerOptions options) : engine_(engine), options_(std::move(options)) {}

  ~Impl() { Stop(); }

  Status Start() {
    std::lock_guard lock(mu_);
    if (transport_) return FailedPreconditionError("the HTTP server was started before");
    ROGATORY_ASSIGN_OR_RETURN(api_, http::ApiHandler::Make(engine_, options_));
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
    http::ApiHandler* api = api_.get();
    auto transport = std::make_unique<http::HttpTransport>(
        std::move(t),
        [api](http::HttpRequest& req, http::HttpResponse* res) { api->Handle(req, res); },
        [api](const http::FrameError& e, http::HttpResponse* res) { api->Refuse(e, res); });
    ROGATORY_RETURN_IF_ERROR(transport->Start());
    transport_ = std::move(transport);
    return OkStatus();
  }

  void Stop() {
    std::lock_guard lock(mu_);
    if (transport_) transport_->Stop();
  }

  int port() const { return transport_ ? transport_->port() : 0; }

 private:
  Engine& engine_;
  HttpServerOptions options_;
  std::mutex mu_;
  std::unique_ptr<http::ApiHandler> api_;           // GUARDED_BY(mu_)
  std::unique_ptr<http::HttpTransport> transport_;  // GUARDED_BY(mu_)
};

HttpServer::HttpServer(Engine& engine, HttpServerOptions options)
    : impl_(std::make_unique<Impl>(engine, std::move(options))) {}

HttpServer::~HttpServer() = default;

Status HttpServer::Start() { return impl_->Start(); }

void HttpServer::Stop() { impl_->Stop(); }

int HttpServer::port() const { return impl_->port(); }

}  // namespace rogatory
