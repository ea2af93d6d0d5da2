// Health, the OpenAPI document and Prometheus metrics.
#include "auth.h"
#include "call.h"
#include "routes.h"

namespace rogatory::http {

void AddSystemRoutes(Router& router, const ApiContext& ctx) {
  const ApiContext* x = &ctx;
  router.Add({"GET", "/v1/health", {false, false}, false, [](Call& c) {
                c.Json(200, {{"status", "ok"}});
              }});
  router.Add({"GET", "/v1/openapi.json", {}, false, [](Call& c) {
                c.Text(200, std::string(OpenApiDocument()), "application/json");
              }});
  router.Add({"GET", "/metrics", {}, false, NeedsMetricsRole([x](Call& c) {
                c.Text(200, x->metrics.Render(), "text/plain; version=0.0.4");
              })});
}

}  // namespace rogatory::http
