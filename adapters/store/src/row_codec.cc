#include "row_codec.h"

#include <cerrno>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "rogatory/canonical_json.h"

namespace rogatory::store_internal {
namespace {

using nlohmann::json;

void AppendMember(std::string* out, std::string_view key, int64_t value) {
  out->push_back('"');
  out->append(key);
  out->append("\":");
  out->append(std::to_string(value));
  out->push_back(',');
}

void AppendMember(std::string* out, std::string_view key, bool value) {
  out->push_back('"');
  out->append(key);
  out->append(value ? "\":true," : "\":false,");
}

// Deadlines as the JSON text of the requests.deadlines column: the bytes nlohmann's dump of
// [{"due_at", "extended", ["lapsed", "lapsed_at",] "name", "paused", "remaining",
// "started_at"}] writes (keys sorted), rendered directly: building the JSON objects first cost
// more than the rest of a step's row.
std::string DeadlinesToJson(const std::vector<DeadlineState>& deadlines) {
  if (deadlines.empty()) return "[]";
  std::string out = "[";
  for (const DeadlineState& d : deadlines) {
    out.push_back('{');
    AppendMember(&out, "due_at", static_cast<int64_t>(ToUnixMicros(d.due_at)));
    AppendMember(&out, "extended", d.extended);
    if (d.lapsed) {
      AppendMember(&out, "lapsed", true);
      AppendMember(&out, "lapsed_at", static_cast<int64_t>(ToUnixMicros(d.lapsed_at)));
    }
    out.append("\"name\":");
    AppendCanonicalJsonString(&out, d.name);
    out.push_back(',');
    AppendMember(&out, "paused", d.paused);
    AppendMember(&out, "remaining", static_cast<int64_t>(d.remaining.count()));
    AppendMember(&out, "started_at", static_cast<int64_t>(ToUnixMicros(d.started_at)));
    out.back() = '}';
    out.push_back(',');
  }
  out.back() = ']';
  return out;
}

// The parties as a JSON object (a std::map: already in key order, as dump() sorts them).
std::string PartiesToJson(const std::map<std::string, std::string>& parties) {
  if (parties.empty()) return "{}";
  std::string out = "{";
  for (const auto& [side, authority] : parties) {
    AppendCanonicalJsonString(&out, side);
    out.push_back(':');
    AppendCanonicalJsonString(&out, authority);
    out.push_back(',');
  }
  out.back() = '}';
  return out;
}

// An object column: "{}" without going through the serializer when empty (most refs and
// event data are).
void DumpObject(const json& j, std::string* out) {
  if (j.is_object() && j.empty()) {
    out->assign("{}");
  } else {
    *out = j.dump();
  }
}

std::vector<DeadlineState> DeadlinesFromJson(const json& a) {
  std::vector<DeadlineState> out;
  for (const json& j : a) {
    DeadlineState d;
    d.name = j.at("name").get<std::string>();
    d.started_at = FromUnixMicros(j.at("started_at").get<int64_t>());
    d.due_at = FromUnixMicros(j.at("due_at").get<int64_t>());
    d.paused = j.at("paused").get<bool>();
    d.remaining = Duration(j.at("remaining").get<int64_t>());
    d.extended = j.at("extended").get<bool>();
    // Rows written before schema version 4 have neither key: running or paused clocks.
    d.lapsed = j.value("lapsed", false);
    if (d.lapsed) d.lapsed_at = FromUnixMicros(j.at("lapsed_at").get<int64_t>());
    out.push_back(std::move(d));
  }
  return out;
}

Status Damaged(const std::string& what) {
  return InternalError("store: stored " + what + " is damaged (not the JSON it should be)");
}

}  // namespace

void ToRow(const Request& r, RequestRow* row) {
  row->id = r.id;
  row->workflow = r.workflow;
  row->version = r.version;
  row->state = r.state;
  row->phase = PhaseName(r.phase);
  row->revision = r.revision;
  DumpObject(r.data, &row->data);
  DumpObject(r.references, &row->refs);
  row->deadlines = DeadlinesToJson(r.deadlines);
  row->created_at = ToUnixMicros(r.created_at);
  row->updated_at = ToUnixMicros(r.updated_at);
  row->head_hash = r.head_hash;
  row->parties = PartiesToJson(r.parties);
}

void ToRow(const HistoryEntry& e, HistoryRow* row) {
  row->request_id = e.request_id;
  row->seq = e.seq;
  row->event = e.event;
  row->from_state = e.from_state;
  row->to_state = e.to_state;
  row->actor = e.actor;
  row->at = ToUnixMicros(e.at);
  DumpObject(e.data, &row->data);
  row->comment = e.comment;
  row->prev_hash = e.prev_hash;
  row->hash = e.hash;
  row->authority = e.authority;
}

void ToRow(const Subscription& s, SubscriptionRow* row) {
  row->id = s.id;
  row->url = s.url;
  row->secret = s.secret;
  row->events = StringListToJson(s.events);
  row->workflows = StringListToJson(s.workflows);
  row->active = s.active ? 1 : 0;
  row->created_at = ToUnixMicros(s.created_at);
  row->authority = s.authority;
}

Result<Request> FromRow(const RequestRow& row) {
  Request r;
  r.id = row.id;
  r.workflow = row.workflow;
  r.version = row.version;
  r.state = row.state;
  std::optional<Phase> phase = ParsePhase(row.phase);
  if (!phase) return InternalError("store: request " + row.id + " has an unknown phase");
  r.phase = *phase;
  r.revision = row.revision;
  r.created_at = FromUnixMicros(row.created_at);
  r.updated_at = FromUnixMicros(row.updated_at);
  r.head_hash = row.head_hash;
  try {
    r.data = json::parse(row.data);
    r.references = json::parse(row.refs);
    r.deadlines = DeadlinesFromJson(json::parse(row.deadlines));
    r.parties = json::parse(row.parties).get<std::map<std::string, std::string>>();
  } catch (const json::exception&) {
    return Damaged("request " + row.id);
  }
  return r;
}

Result<HistoryEntry> FromRow(const HistoryRow& row) {
  HistoryEntry e;
  e.request_id = row.request_id;
  e.seq = row.seq;
  e.event = row.event;
  e.from_state = row.from_state;
  e.to_state = row.to_state;
  e.actor = row.actor;
  e.at = FromUnixMicros(row.at);
  e.comment = row.comment;
  e.prev_hash = row.prev_hash;
  e.hash = row.hash;
  e.authority = row.authority;
  try {
    e.data = json::parse(row.data);
  } catch (const json::exception&) {
    return Damaged("history of request " + row.request_id + " seq " + std::to_string(row.seq));
  }
  return e;
}

Result<Delivery> FromRow(const DeliveryRow& row) {
  Delivery d;
  d.id = FormatDeliveryId(row.id);
  d.subscription_id = row.subscription_id;
  d.request_id = row.request_id;
  d.revision = row.revision;
  d.type = row.type;
  d.body = row.payload;
  std::optional<DeliveryStatus> status = ParseDeliveryStatus(row.status);
  if (!status) return InternalError("store: delivery " + d.id + " has an unknown status");
  d.status = *status;
  d.attempts = row.attempts;
  d.last_error = row.last_error;
  d.next_attempt_at = FromUnixMicros(row.next_attempt_at);
  d.created_at = FromUnixMicros(row.created_at);
  return d;
}

Result<Subscription> FromRow(const SubscriptionRow& row) {
  Subscription s;
  s.id = row.id;
  s.url = row.url;
  s.secret = row.secret;
  s.active = row.active != 0;
  s.created_at = FromUnixMicros(row.created_at);
  s.authority = row.authority;
  try {
    s.events = StringListFromJson(row.events);
    s.workflows = StringListFromJson(row.workflows);
  } catch (const json::exception&) {
    return Damaged("subscription " + row.id);
  }
  return s;
}

std::string FormatDeliveryId(long long n) {
  std::string digits = std::to_string(n);
  return std::string(digits.size() < 20 ? 20 - digits.size() : 0, '0') + digits;
}

long long ParseDeliveryId(const std::string& id) {
  if (id.empty() || id.size() > 20) return -1;
  for (char c : id) {
    if (c < '0' || c > '9') return -1;
  }
  errno = 0;
  long long n = std::strtoll(id.c_str(), nullptr, 10);
  return errno == 0 ? n : -1;
}

std::string StringListToJson(const std::vector<std::string>& list) { return json(list).dump(); }

std::vector<std::string> StringListFromJson(const std::string& text) {
  std::vector<std::string> out;
  for (const json& j : json::parse(text)) out.push_back(j.get<std::string>());
  return out;
}

}  // namespace rogatory::store_internal
