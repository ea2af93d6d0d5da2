// /v1/workflows: the loaded definitions.
#include <climits>

#include "call.h"
#include "routes.h"

namespace rogatory::http {
namespace {

void ListWorkflows(const ApiContext& ctx, Call& c) {
  if (!c.CheckQuery({})) return;
  nlohmann::json out = nlohmann::json::array();
  for (const WorkflowSummary& w : ctx.engine.ListWorkflows()) {
    out.push_back({{"workflow", w.workflow}, {"version", w.version}, {"title", w.title}});
  }
  c.Json(200, out);
}

void GetWorkflow(const ApiContext& ctx, Call& c) {
  if (!c.CheckQuery({"version"})) return;
  std::optional<int> version;
  if (auto v = c.Query("version")) {
    auto n = ParseDecimal(*v, 1, INT_MAX);
    if (!n) return c.Error(400, "invalid_query", "version must be a positive integer");
    version = static_cast<int>(*n);
  }
  Result<WorkflowDefinition> def = ctx.engine.GetDefinition(c.Param(0), version);
  if (!def.ok()) return c.Fail(def.status());
  c.Json(200, DefinitionToJson(*def));
}

}  // namespace

void AddWorkflowsRoutes(Router& router, const ApiContext& ctx) {
  const ApiContext* x = &ctx;
  router.Add({"GET", "/v1/workflows", {}, false, [x](Call& c) { ListWorkflows(*x, c); }});
  router.Add({"GET", "/v1/workflows/{workflow}", {}, false, [x](Call& c) { GetWorkflow(*x, c); }});
}

}  // namespace rogatory::http
