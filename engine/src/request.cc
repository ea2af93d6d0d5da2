#include "rogatory/request.h"

namespace rogatory {

bool Actor::HasRole(std::string_view role) const {
  for (const auto& r : roles) {
    if (r == role) return true;
  }
  return false;
}

Actor SystemActor() { return Actor{std::string(kSystemRole), {std::string(kSystemRole)}, ""}; }

const DeadlineState* Request::FindDeadline(std::string_view name) const {
  for (const auto& d : deadlines) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

bool Request::HasParty(std::string_view authority) const {
  for (const auto& [side, party] : parties) {
    if (party == authority) return true;
  }
  return false;
}

bool Request::IsOverdue(TimePoint now) const {
  for (const auto& d : deadlines) {
    if (!d.paused && d.due_at <= now) return true;
  }
  return false;
}

nlohmann::json RequestToJson(const Request& r) {
  nlohmann::json deadlines = nlohmann::json::array();
  for (const auto& d : r.deadlines) {
    nlohmann::json dj{{"name", d.name},
                      {"started_at", FormatRfc3339(d.started_at)},
                      {"due_at", FormatRfc3339(d.due_at)},
                      {"paused", d.paused},
                      {"extended", d.extended}};
    if (d.paused) dj["remaining_ms"] = d.remaining.count() / 1000;
    deadlines.push_back(std::move(dj));
  }
  return nlohmann::json{{"id", r.id},
                        {"workflow", r.workflow},
                        {"version", r.version},
                        {"references", r.references},
                        {"state", r.state},
                        {"phase", PhaseName(r.phase)},
                        {"data", r.data},
                        {"revision", r.revision},
                        {"created_at", FormatRfc3339(r.created_at)},
                        {"updated_at", FormatRfc3339(r.updated_at)},
                        {"deadlines", std::move(deadlines)},
                        {"parties", r.parties},
                        {"head_hash", r.head_hash}};
}

Result<Request> RequestFromJson(const nlohmann::json& j) {
  try {
    Request r;
    r.id = j.at("id").get<std::string>();
    r.workflow = j.at("workflow").get<std::string>();
    r.version = j.at("version").get<int>();
    r.references = j.at("references");
    r.state = j.at("state").get<std::string>();
    auto phase = ParsePhase(j.at("phase").get<std::string>());
    if (!phase) return InvalidArgumentError("request JSON has an unknown phase");
    r.phase = *phase;
    r.data = j.at("data");
    r.revision = j.at("revision").get<int64_t>();
    ROGATORY_ASSIGN_OR_RETURN(r.created_at, ParseRfc3339(j.at("created_at").get<std::string>()));
    ROGATORY_ASSIGN_OR_RETURN(r.updated_at, ParseRfc3339(j.at("updated_at").get<std::string>()));
    for (const auto& dj : j.at("deadlines")) {
      DeadlineState d;
      d.name = dj.at("name").get<std::string>();
      ROGATORY_ASSIGN_OR_RETURN(d.started_at, ParseRfc3339(dj.at("started_at").get<std::string>()));
      ROGATORY_ASSIGN_OR_RETURN(d.due_at, ParseRfc3339(dj.at("due_at").get<std::string>()));
      d.paused = dj.at("paused").get<bool>();
      d.extended = dj.value("extended", false);
      if (d.paused) d.remaining = std::chrono::milliseconds(dj.value("remaining_ms", int64_t{0}));
      r.deadlines.push_back(std::move(d));
    }
    r.head_hash = j.value("head_hash", std::string());
    if (auto parties = j.find("parties"); parties != j.end()) {
      r.parties = parties->get<std::map<std::string, std::string>>();
    }
    return r;
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgumentError(std::string("request JSON is malformed: ") + e.what());
  }
}

nlohmann::json HistoryEntryToJson(const HistoryEntry& e) {
  nlohmann::json j{
      {"seq", e.seq},
      {"event", e.event},
      {"from", e.from_state.empty() ? nlohmann::json(nullptr) : nlohmann::json(e.from_state)},
      {"to", e.to_state},
      {"actor", e.actor},
      {"authority", e.authority.empty() ? nlohmann::json(nullptr) : nlohmann::json(e.authority)},
      {"at", FormatRfc3339(e.at)},
      {"data", e.data},
      {"comment", e.comment},
      {"prev_hash", e.prev_hash},
      {"hash", e.hash}};
  return j;
}

}  // namespace rogatory
