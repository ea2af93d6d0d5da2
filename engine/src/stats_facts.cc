#include "stats_facts.h"

#include <set>
#include <string>

#include "day_counting.h"

namespace rogatory {
namespace {

// A field value as the breakdowns count it.
std::string ValueText(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

}  // namespace

StatsFacts StatsFactsOf(const WorkflowDefinition& def, const Request& r, const TimeZone& zone) {
  StatsFacts f;
  const StateDef* state = def.FindState(r.state);
  f.terminal = state != nullptr && state->terminal;
  f.created_day = LocalDateText(r.created_at, zone);
  if (!def.sides.empty()) f.requesting_side = def.sides.front().name;
  for (const std::string& field : def.stats.fields) {
    auto it = r.data.find(field);
    if (it == r.data.end() || it->is_null()) continue;
    std::set<std::string> values;
    if (it->is_array()) {
      for (const auto& item : *it) values.insert(ValueText(item));
    } else {
      values.insert(ValueText(*it));
    }
    if (!values.empty()) f.breakdowns[field].assign(values.begin(), values.end());
  }
  if (!def.stats.counterpart.empty()) {
    auto it = r.data.find(def.stats.counterpart);
    if (it != r.data.end() && !it->is_null()) f.counterpart_value = ValueText(*it);
  }
  return f;
}

std::string LapsedDeadlineOf(const HistoryEntry& e) {
  if (e.actor != kSystemRole || !e.data.is_object() || e.data.size() != 1) return "";
  auto it = e.data.find("deadline");
  if (it == e.data.end() || !it->is_string()) return "";
  const std::string name = it->get<std::string>();
  if (e.comment.rfind("deadline '" + name + "' lapsed", 0) != 0) return "";
  return name;
}

Result<StatsRecord> StatsRecordFromHistory(const Request& r,
                                           const std::vector<HistoryEntry>& history,
                                           const DefinitionLookup& lookup, const TimeZone& zone) {
  if (history.empty()) return InternalError("request " + r.id + " has no history");
  // The version at creation: the first migration's origin, else the current one.
  int version = r.version;
  for (const HistoryEntry& e : history) {
    if (e.event == "migrate" && e.data.contains("from_version")) {
      version = e.data["from_version"].get<int>();
      break;
    }
  }
  const WorkflowDefinition* current = lookup(r.workflow, r.version);
  if (current == nullptr) {
    return FailedPreconditionError("request " + r.id + ": workflow " + r.workflow + " version " +
                                   std::to_string(r.version) + " is not loaded");
  }
  StatsRecord rec;
  bool first = true;
  for (const HistoryEntry& e : history) {
    if (e.event == "migrate" && e.data.contains("to_version")) {
      version = e.data["to_version"].get<int>();
    }
    const WorkflowDefinition* def = lookup(r.workflow, version);
    const StateDef* s = def != nullptr ? def->FindState(e.to_state) : nullptr;
    if (s == nullptr) {
      return FailedPreconditionError("request " + r.id + ": state '" + e.to_state +
                                     "' is not in workflow " + r.workflow + " version " +
                                     std::to_string(version));
    }
    // Only the phase entries and the lapses accumulate; the rest is the request's final state.
    Request step = r;
    step.phase = s->phase;
    StatsFacts facts = StatsFactsOf(*current, r, zone);
    facts.lapsed_deadline = LapsedDeadlineOf(e);
    rec = NextStatsRecord(first ? nullptr : &rec, step, e, facts);
    first = false;
  }
  rec.phase = r.phase;
  return rec;
}

}  // namespace rogatory
