// /v1/requests: create, read, list, fire events, the events one may fire, history, migrate.
#include <climits>
#include <utility>

#include "auth.h"
#include "call.h"
#include "json_body.h"
#include "request_text.h"
#include "routes.h"

namespace rogatory::http {
namespace {

constexpr size_t kMaxIdempotencyKey = 255;

// Reads the Idempotency-Key header into `*key`. Answers 400 and returns false when it is
// present but empty, longer than 255 characters or not printable ASCII.
bool ReadIdempotencyKey(Call& c, std::string* key) {
  const std::string* header = c.Header("Idempotency-Key");
  if (header == nullptr) return true;
  std::string value = *header;
  bool ok = !value.empty() && value.size() <= kMaxIdempotencyKey;
  for (char ch : value) ok = ok && ch >= 0x21 && ch <= 0x7e;
  if (!ok) {
    c.Error(400, "invalid_header",
            "Idempotency-Key must be 1 to 255 printable ASCII characters without spaces");
    return false;
  }
  *key = std::move(value);
  return true;
}

// Parses the body as a JSON object; answers 400 and returns nullopt when it is not one.
std::optional<nlohmann::json> Body(Call& c) {
  ApiError error;
  auto body = ParseJsonObject(c.body, &error);
  if (!body) c.Error(error);
  return body;
}

void CreateRequest(const ApiContext& ctx, Call& c) {
  auto body = Body(c);
  if (!body) return;
  CreateCall call;
  std::optional<int64_t> version;
  Status s = RejectUnknownFields(
      *body, {"workflow", "version", "data", "references", "comment", "parties"});
  if (s.ok()) s = ReadString(*body, "workflow", true, &call.workflow);
  if (s.ok()) s = ReadInt(*body, "version", false, 1, INT_MAX, &version);
  if (s.ok()) s = TakeObject(&*body, "data", &call.data);
  if (s.ok()) s = TakeObject(&*body, "references", &call.references);
  if (s.ok()) s = ReadString(*body, "comment", false, &call.comment);
  if (s.ok()) s = ReadStringMap(*body, "parties", &call.parties);
  if (!s.ok()) return c.Fail(s);
  if (version) call.version = static_cast<int>(*version);
  if (!ReadIdempotencyKey(c, &call.idempotency_key)) return;

  Result<Request> r = ctx.engine.Create(call, c.actor);
  if (!r.ok()) return c.Fail(r.status());
  ctx.metrics.CountTransition(r->workflow, std::string(kCreateEvent));
  ctx.OutboxWritten();
  c.SetHeader("Location", "/v1/requests/" + r->id);
  c.JsonText(201, RequestJsonText(*r));
}

void GetRequest(const ApiContext& ctx, Call& c) {
  // The engine decides what the caller may see (CONTRACT §8), for this and every id route.
  Result<Request> r = ctx.engine.Get(c.Param(0), c.actor);
  if (!r.ok()) return c.Fail(r.status());
  c.JsonText(200, RequestJsonText(*r));
}

void ListRequests(const ApiContext& ctx, Call& c) {
  if (!c.CheckQuery({"workflow", "state", "phase", "overdue", "limit", "after", "party"})) return;
  RequestQuery q;
  q.workflow = c.Query("workflow").value_or("");
  q.state = c.Query("state").value_or("");
  q.after = c.Query("after").value_or("");
  q.party = c.Query("party").value_or("");
  if (auto phase = c.Query("phase")) {
    q.phase = ParsePhase(*phase);
    if (!q.phase) {
      return c.Error(400, "invalid_query",
                     "phase must be drafting, transmission, execution or closure");
    }
  }
  if (auto overdue = c.Query("overdue")) {
    if (*overdue != "true" && *overdue != "false") {
      return c.Error(400, "invalid_query", "overdue must be true or false");
    }
    q.overdue_only = *overdue == "true";
  }
  if (auto limit = c.Query("limit")) {
    auto n = ParseDecimal(*limit, 1, 1000);
    if (!n) return c.Error(400, "invalid_query", "limit must be an integer from 1 to 1000");
    q.limit = static_cast<int>(*n);
  }
  Result<RequestPage> page = ctx.engine.List(std::move(q), c.actor);
  if (!page.ok()) return c.Fail(page.status());
  // {"items": [...], "next": ...}, as nlohmann would dump it (request_text.h).
  std::string out = "{\"items\":[";
  for (size_t i = 0; i < page->items.size(); ++i) {
    if (i > 0) out += ',';
    AppendRequestJson(&out, page->items[i]);
  }
  out += "],\"next\":";
  if (page->next.empty()) {
    out += "null";
  } else {
    AppendJsonString(&out, page->next);
  }
  out += '}';
  c.JsonText(200, std::move(out));
}

void FireEvent(const ApiContext& ctx, Call& c) {
  auto body = Body(c);
  if (!body) return;
  EventCall call;
  std::optional<int64_t> expected;
  Status s =
      RejectUnknownFields(*body, {"event", "data", "expected_revision", "comment", "parties"});
  if (s.ok()) s = ReadString(*body, "event", true, &call.event);
  if (s.ok()) s = TakeObject(&*body, "data", &call.data);
  if (s.ok()) s = ReadInt(*body, "expected_revision", false, 1, INT64_MAX, &expected);
  if (s.ok()) s = ReadString(*body, "comment", false, &call.comment);
  if (s.ok()) s = ReadStringMap(*body, "parties", &call.parties);
  if (!s.ok()) return c.Fail(s);
  call.expected_revision = expected;
  if (!ReadIdempotencyKey(c, &call.idempotency_key)) return;

  Result<Request> r = ctx.engine.Fire(c.Param(0), call, c.actor);
  if (!r.ok()) return c.Fail(r.status());
  ctx.metrics.CountTransition(r->workflow, call.event);
  ctx.OutboxWritten();
  c.JsonText(200, RequestJsonText(*r));
}

void AvailableEvents(const ApiContext& ctx, Call& c) {
  auto events = ctx.engine.AvailableEvents(c.Param(0), c.actor);
  if (!events.ok()) return c.Fail(events.status());
  nlohmann::json out = nlohmann::json::array();
  for (const AvailableEvent& e : *events) {
    nlohmann::json item{
        {"event", e.event}, {"to", e.to}, {"require", e.require}, {"missing", e.missing}};
    if (!e.assign.empty()) item["assign"] = e.assign;
    out.push_back(std::move(item));
  }
  c.Json(200, out);
}

void History(const ApiContext& ctx, Call& c) {
  auto entries = ctx.engine.History(c.Param(0), c.actor);
  if (!entries.ok()) return c.Fail(entries.status());
  nlohmann::json out = nlohmann::json::array();
  for (const HistoryEntry& e : *entries) out.push_back(HistoryEntryToJson(e));
  c.Json(200, out);
}

void Migrate(const ApiContext& ctx, Call& c) {
  auto body = Body(c);
  if (!body) return;
  MigrationCall call;
  std::optional<int64_t> target;
  Status s = RejectUnknownFields(*body, {"target_version", "state_map", "comment"});
  if (s.ok()) s = ReadInt(*body, "target_version", true, 1, INT_MAX, &target);
  if (s.ok()) s = ReadStringMap(*body, "state_map", &call.state_map);
  if (s.ok()) s = ReadString(*body, "comment", false, &call.comment);
  if (!s.ok()) return c.Fail(s);
  call.target_version = static_cast<int>(*target);
  Result<Request> r = ctx.engine.Migrate(c.Param(0), call, c.actor);
  if (!r.ok()) return c.Fail(r.status());
  ctx.metrics.CountTransition(r->workflow, "migrate");
  ctx.OutboxWritten();
  c.JsonText(200, RequestJsonText(*r));
}

}  // namespace

void AddRequestsRoutes(Router& router, const ApiContext& ctx) {
  const ApiContext* x = &ctx;
  // Every request route needs a role (auth.h: a roleless or metrics-only token reads nothing).
  auto add = [&router](const char* method, const char* pattern, bool body, Handler h) {
    router.Add({method, pattern, {}, body, NeedsRequestRole(std::move(h))});
  };
  add("POST", "/v1/requests", true, [x](Call& c) { CreateRequest(*x, c); });
  add("GET", "/v1/requests", false, [x](Call& c) { ListRequests(*x, c); });
  add("GET", "/v1/requests/{id}", false, [x](Call& c) { GetRequest(*x, c); });
  add("POST", "/v1/requests/{id}/events", true, [x](Call& c) { FireEvent(*x, c); });
  add("GET", "/v1/requests/{id}/events", false, [x](Call& c) { AvailableEvents(*x, c); });
  add("GET", "/v1/requests/{id}/history", false, [x](Call& c) { History(*x, c); });
  router.Add(
      {"POST", "/v1/requests/{id}/migrate", {true, true}, true, [x](Call& c) { Migrate(*x, c); }});
}

}  // namespace rogatory::http
