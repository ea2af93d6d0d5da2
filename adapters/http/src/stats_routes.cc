// GET /v1/stats (CONTRACT §9, docs/statistics.md): the figures over the requests the caller may
// see, from the store's counters.
#include "auth.h"
#include "call.h"
#include "routes.h"

namespace rogatory::http {
namespace {

void GetStats(const ApiContext& ctx, Call& c) {
  if (!c.CheckQuery({"workflow", "from", "to"})) return;
  StatsCall call;
  call.workflow = c.Query("workflow").value_or("");
  call.from = c.Query("from").value_or("");
  call.to = c.Query("to").value_or("");
  // Malformed dates are a bad query (400), not a refused step (422).
  for (const auto& [name, value] : {std::pair<const char*, std::string>{"from", call.from},
                                    std::pair<const char*, std::string>{"to", call.to}}) {
    if (!value.empty() && !IsValidDate(value)) {
      return c.Error(400, "invalid_query",
                     std::string(name) + " must be a date (YYYY-MM-DD), not '" + value + "'");
    }
  }
  if (!call.from.empty() && !call.to.empty() && call.from > call.to) {
    return c.Error(400, "invalid_query", "from (" + call.from + ") is after to (" + call.to + ")");
  }
  Result<nlohmann::json> report = ctx.engine.Stats(call, c.actor);
  if (!report.ok()) return c.Fail(report.status());
  c.Json(200, *report);
}

}  // namespace

void AddStatsRoutes(Router& router, const ApiContext& ctx) {
  const ApiContext* x = &ctx;
  // Like the request routes: a roleless or metrics-only token reads no figures (403).
  router.Add({"GET", "/v1/stats", {}, false, NeedsRequestRole([x](Call& c) { GetStats(*x, c); })});
}

}  // namespace rogatory::http
