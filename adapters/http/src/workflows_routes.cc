// /v1/workflows: the loaded definitions, and deploying a new one (admin) without a restart.
#include <climits>

#include "call.h"
#include "rogatory/definition_loader.h"
#include "routes.h"

namespace rogatory::http {
namespace {

// Where a version came from, as GET /v1/workflows shows it: `source` is the file's path, or
// "api" with `deployed_by` the actor who deployed it; `loaded_at` is when this node loaded it.
nlohmann::json SummaryToJson(const WorkflowSummary& w) {
  nlohmann::json j = {{"workflow", w.workflow}, {"version", w.version}, {"title", w.title}};
  constexpr std::string_view kFile = "file:", kApi = "api:";
  if (w.origin.rfind(kFile, 0) == 0) {
    j["source"] = w.origin.substr(kFile.size());
  } else if (w.origin.rfind(kApi, 0) == 0) {
    j["source"] = "api";
    j["deployed_by"] = w.origin.substr(kApi.size());
  } else {
    j["source"] = w.origin.empty() ? "unknown" : w.origin;
  }
  j["loaded_at"] = FormatRfc3339(w.loaded_at);
  return j;
}

void ListWorkflows(const ApiContext& ctx, Call& c) {
  if (!c.CheckQuery({})) return;
  nlohmann::json out = nlohmann::json::array();
  for (const WorkflowSummary& w : ctx.engine.ListWorkflows()) out.push_back(SummaryToJson(w));
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

// The definition's diagram (the same picture as `rogatory graph --format svg`), drawn on each
// call by the server's draw_diagram. The SVG gets a policy of its own: opened directly, it runs
// nothing.
void GetDiagram(const ApiContext& ctx, Call& c) {
  if (!c.CheckQuery({"version"})) return;
  std::optional<int> version;
  if (auto v = c.Query("version")) {
    auto n = ParseDecimal(*v, 1, INT_MAX);
    if (!n) return c.Error(400, "invalid_query", "version must be a positive integer");
    version = static_cast<int>(*n);
  }
  Result<WorkflowDefinition> def = ctx.engine.GetDefinition(c.Param(0), version);
  if (!def.ok()) return c.Fail(def.status());
  if (!ctx.options.draw_diagram) {
    return c.Error(501, "not_implemented", "this server draws no diagrams");
  }
  Result<std::string> svg = ctx.options.draw_diagram(*def);
  if (!svg.ok()) return c.Fail(svg.status());
  c.SetHeader("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
  c.SetHeader("X-Content-Type-Options", "nosniff");
  c.SetHeader("Cache-Control", "private, no-cache");
  c.Text(200, std::move(*svg), "image/svg+xml");
}

// The body is the definition's YAML text, exactly as a file under workflows/ would hold it
// (any Content-Type: YAML, and JSON as a subset of it). Every problem is listed with its line,
// as `rogatory validate` prints them. 201 when new, 200 when the identical text was deployed
// before; another text under a loaded (workflow, version) is 409 (versions never change).
void DeployWorkflow(const ApiContext& ctx, Call& c) {
  if (!c.CheckQuery({})) return;
  LoadReport report = ParseDefinition(c.body, "body");
  if (!report.ok()) {
    nlohmann::json details = nlohmann::json::array();
    for (const DefinitionError& e : report.errors) {
      details.push_back({{"line", e.line}, {"message", e.message}});
    }
    const size_t n = report.errors.size();
    return c.Json(
        422, {{"error",
               {{"code", "invalid_argument"},
                {"message", "the definition is not valid (" + std::to_string(n) +
                                (n == 1 ? " problem" : " problems") + "); nothing was deployed"},
                {"details", details}}}});
  }
  const WorkflowDefinition& def = report.definitions[0];
  Result<bool> added = ctx.engine.DeployDefinition(def, c.actor);
  if (!added.ok()) return c.Fail(added.status());
  for (const WorkflowSummary& w : ctx.engine.ListWorkflows()) {
    if (w.workflow == def.id && w.version == def.version) {
      nlohmann::json out = SummaryToJson(w);
      // Advice on a valid definition (rogatory validate prints the same as warnings).
      if (!report.warnings.empty()) {
        out["warnings"] = nlohmann::json::array();
        for (const DefinitionError& e : report.warnings) {
          out["warnings"].push_back({{"line", e.line}, {"message", e.message}});
        }
      }
      return c.Json(*added ? 201 : 200, out);
    }
  }
  c.Error(500, "internal", "internal error");
}

}  // namespace

void AddWorkflowsRoutes(Router& router, const ApiContext& ctx) {
  const ApiContext* x = &ctx;
  router.Add({"GET", "/v1/workflows", {}, false, [x](Call& c) { ListWorkflows(*x, c); }});
  router.Add(
      {"POST", "/v1/workflows", {true, true}, true, [x](Call& c) { DeployWorkflow(*x, c); }});
  router.Add({"GET", "/v1/workflows/{workflow}", {}, false, [x](Call& c) { GetWorkflow(*x, c); }});
  router.Add({"GET", "/v1/workflows/{workflow}/diagram.svg", {}, false, [x](Call& c) {
                GetDiagram(*x, c);
              }});
}

}  // namespace rogatory::http
