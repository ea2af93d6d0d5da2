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
                c.res.status = 200;
                const std::string_view doc = OpenApiDocument();
                c.res.set_content(doc.data(), doc.size(), "application/json");
              }});
  router.Add({"GET", "/metrics", {}, false, NeedsMetricsRole([x](Call& c) {
                c.res.status = 200;
                c.res.set_content(x->metrics.Render(), "text/plain; version=0.0.4");
              })});
}

}  // namespace rogatory::http
