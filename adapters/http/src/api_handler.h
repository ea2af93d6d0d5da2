// The API between the transport and the engine: takes one parsed request (message.h), routes
// it on its raw path, authenticates the bearer token, decodes path parameters and query, runs
// the route, and measures and logs the call. No sockets, so the fuzzer drives it directly
// (tests/fuzz/http_routes_fuzz.cc).
#ifndef ROGATORY_ADAPTERS_HTTP_API_HANDLER_H_
#define ROGATORY_ADAPTERS_HTTP_API_HANDLER_H_

#include <memory>
#include <string_view>

#include "auth.h"
#include "message.h"
#include "metrics.h"
#include "request_parser.h"
#include "rogatory/engine.h"
#include "rogatory/http_server.h"
#include "router.h"
#include "routes.h"

namespace rogatory::http {

class Call;

class ApiHandler {
 public:
  // InvalidArgument: a bad token in options.tokens (see TokenTable::Make). `engine` must
  // outlive the handler.
  static Result<std::unique_ptr<ApiHandler>> Make(Engine& engine, HttpServerOptions options);

  // Answers one request; never throws (a bug becomes a 500 with the request id). Moves the
  // body out of `req`. Thread-safe.
  void Handle(HttpRequest& req, HttpResponse* res);
  // Answers a request the transport could not read (malformed, ambiguous length, too large),
  // in the API's error shape; the transport closes the connection after it. Thread-safe.
  void Refuse(const FrameError& e, HttpResponse* res);

 private:
  ApiHandler(Engine& engine, HttpServerOptions options, TokenTable tokens);
  void Dispatch(HttpRequest& req, Call& c, std::string_view* route);

  HttpServerOptions options_;
  HttpMetrics metrics_;
  ApiContext ctx_;
  Router router_;
  TokenTable tokens_;
};

}  // namespace rogatory::http

#endif  // ROGATORY_ADAPTERS_HTTP_API_HANDLER_H_
