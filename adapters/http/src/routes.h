// The API's routes, one file per resource; each Add*Routes registers its routes on the router.
#ifndef ROGATORY_ADAPTERS_HTTP_ROUTES_H_
#define ROGATORY_ADAPTERS_HTTP_ROUTES_H_

#include <string_view>

#include "metrics.h"
#include "rogatory/engine.h"
#include "rogatory/http_server.h"
#include "router.h"

namespace rogatory::http {

// What every route handler may use. Outlives the router.
struct ApiContext {
  Engine& engine;
  const HttpServerOptions& options;
  HttpMetrics& metrics;
  // Tells the dispatcher (if any) that outbox rows may be waiting.
  void OutboxWritten() const {
    if (options.on_outbox_written) options.on_outbox_written();
  }
};

// GET /v1/health, GET /v1/openapi.json, GET /metrics.
void AddSystemRoutes(Router& router, const ApiContext& ctx);
// GET /v1/workflows, GET /v1/workflows/{workflow}, its diagram.svg, POST /v1/workflows.
void AddWorkflowsRoutes(Router& router, const ApiContext& ctx);
// /v1/requests and everything under it.
void AddRequestsRoutes(Router& router, const ApiContext& ctx);
// /v1/subscriptions (admin).
void AddSubscriptionsRoutes(Router& router, const ApiContext& ctx);
// /v1/deliveries (admin).
void AddDeliveriesRoutes(Router& router, const ApiContext& ctx);

// GET /v1/stats (CONTRACT §9).
void AddStatsRoutes(Router& router, const ApiContext& ctx);
// GET /console, /console/ and /console/assets/{name}: the web console (public; it signs in
// with a token of its own against the API).
void AddConsoleRoutes(Router& router, const ApiContext& ctx);

// The OpenAPI 3 document (docs/openapi.json, embedded at build time).
std::string_view OpenApiDocument();

}  // namespace rogatory::http

#endif  // ROGATORY_ADAPTERS_HTTP_ROUTES_H_
