#include "stats_report.h"

#include <map>
#include <tuple>
#include <utility>
#include <vector>

#include "stats_facts.h"

namespace rogatory {
namespace {

// The duration pairs in the order the report lists them (stats_record.cc keeps them).
constexpr std::pair<const char*, const char*> kPairs[] = {
    {"transmission", "closure"},
    {"drafting", "transmission"},
    {"transmission", "execution"},
    {"execution", "closure"},
};

// The value at rank ceil(p * n) (1-based) of the whole-day durations in `histogram`.
int64_t NearestRank(const std::map<int64_t, int64_t>& histogram, int64_t n, int percent) {
  const int64_t rank = (n * percent + 99) / 100;
  int64_t seen = 0;
  for (const auto& [days, count] : histogram) {
    seen += count;
    if (seen >= rank) return days;
  }
  return histogram.empty() ? 0 : histogram.rbegin()->first;
}

struct Figures {
  int64_t total = 0, open = 0, closed = 0, overdue = 0;
  std::map<std::string, int64_t> by_state, by_phase, lapses, outcomes, by_counterpart;
  std::map<std::string, std::map<std::string, int64_t>> breakdowns;
  std::map<std::string, std::map<int64_t, int64_t>> durations;  // "from>to" -> days -> n
};

// Every figure the definition names starts at zero, so a chart shows all states.
void SeedFromDefinition(const WorkflowDefinition& def, Figures* f) {
  for (const StateDef& s : def.states) {
    f->by_state.emplace(s.name, 0);
    if (s.terminal) f->outcomes.emplace(s.name, 0);
  }
  for (int p = 0; p < kPhaseCount; ++p) f->by_phase.emplace(PhaseName(static_cast<Phase>(p)), 0);
  for (const DeadlineDef& d : def.deadlines) f->lapses.emplace(d.name, 0);
  for (const std::string& field : def.stats.fields) {
    auto& values = f->breakdowns[field];
    if (const FieldDef* fd = def.FindField(field); fd != nullptr) {
      for (const std::string& v : fd->values) values.emplace(v, 0);
    }
  }
}

void AddCell(const Engine& engine, const StatsCell& c, Figures* f) {
  if (c.kind == "total") {
    f->total += c.n;
  } else if (c.kind == "status") {
    (c.key == "closed" ? f->closed : f->open) += c.n;
  } else if (c.kind == "state") {
    f->by_state[c.key] += c.n;
  } else if (c.kind == "phase") {
    f->by_phase[c.key] += c.n;
  } else if (c.kind == "outcome") {
    f->outcomes[c.key] += c.n;
  } else if (c.kind == "lapse") {
    f->lapses[c.key] += c.n;
  } else if (c.kind == "overdue_lapsed" || c.kind == "overdue_running") {
    f->overdue += c.n;
  } else if (c.kind == "cp_authority") {
    const Authority* a = engine.FindAuthority(c.key);
    f->by_counterpart[a != nullptr && !a->country.empty() ? a->country : c.key] += c.n;
  } else if (c.kind == "cp_value") {
    f->by_counterpart[c.key] += c.n;
  } else if (c.kind.rfind("breakdown:", 0) == 0) {
    f->breakdowns[c.kind.substr(10)][c.key] += c.n;
  } else if (c.kind.rfind("dur:", 0) == 0) {
    f->durations[c.kind.substr(4)][std::stoll(c.key)] += c.n;
  }
}

nlohmann::json FiguresToJson(const std::string& workflow, int version, const Figures& f) {
  nlohmann::json durations = nlohmann::json::array();
  for (const auto& [from, to] : kPairs) {
    const std::string name = std::string(from) + ">" + to;
    int64_t n = 0;
    auto it = f.durations.find(name);
    if (it != f.durations.end()) {
      for (const auto& [days, count] : it->second) n += count;
    }
    nlohmann::json d{{"from", from}, {"to", to}, {"count", n}};
    if (n > 0) {
      d["median_days"] = NearestRank(it->second, n, 50);
      d["p90_days"] = NearestRank(it->second, n, 90);
    } else {
      d["median_days"] = nullptr;
      d["p90_days"] = nullptr;
    }
    durations.push_back(std::move(d));
  }
  return nlohmann::json{{"workflow", workflow},
                        {"version", version},
                        {"total", f.total},
                        {"open", f.open},
                        {"closed", f.closed},
                        {"overdue", f.overdue},
                        {"by_state", f.by_state},
                        {"by_phase", f.by_phase},
                        {"lapses", f.lapses},
                        {"outcomes", f.outcomes},
                        {"breakdowns", nlohmann::json(f.breakdowns)},
                        {"by_counterpart", f.by_counterpart},
                        {"durations", std::move(durations)}};
}

Status CheckDay(const std::string& day, const char* name) {
  if (day.empty() || IsValidDate(day)) return OkStatus();
  return InvalidArgumentError(std::string(name) + ": '" + day + "' is not a date (YYYY-MM-DD)");
}

}  // namespace

Result<nlohmann::json> BuildStatsReport(const Engine& engine, const StatsCall& call,
                                        const std::string& scope, bool sees_nothing) {
  ROGATORY_RETURN_IF_ERROR(CheckDay(call.from, "from"));
  ROGATORY_RETURN_IF_ERROR(CheckDay(call.to, "to"));
  if (!call.from.empty() && !call.to.empty() && call.from > call.to) {
    return InvalidArgumentError("from (" + call.from + ") is after to (" + call.to + ")");
  }
  std::map<std::pair<std::string, int>, Figures> figures;
  for (const WorkflowSummary& w : engine.ListWorkflows()) {
    if (!call.workflow.empty() && w.workflow != call.workflow) continue;
    figures.emplace(std::make_pair(w.workflow, w.version), Figures());
  }
  if (!call.workflow.empty() && figures.empty()) {
    return NotFoundError("workflow '" + call.workflow + "' not found");
  }
  std::vector<StatsCell> cells;
  if (!sees_nothing) {
    StatsQuery q{scope, call.workflow, call.from, call.to, engine.clock().Now()};
    ROGATORY_ASSIGN_OR_RETURN(cells, engine.store().QueryStats(q));
  }
  for (auto& [key, f] : figures) {
    Result<WorkflowDefinition> def = engine.GetDefinition(key.first, key.second);
    if (def.ok()) SeedFromDefinition(*def, &f);
  }
  for (const StatsCell& c : cells) AddCell(engine, c, &figures[{c.workflow, c.version}]);
  nlohmann::json workflows = nlohmann::json::array();
  for (const auto& [key, f] : figures) {
    if (sees_nothing) continue;
    workflows.push_back(FiguresToJson(key.first, key.second, f));
  }
  return nlohmann::json{
      {"from", call.from.empty() ? nlohmann::json(nullptr) : nlohmann::json(call.from)},
      {"to", call.to.empty() ? nlohmann::json(nullptr) : nlohmann::json(call.to)},
      {"workflows", std::move(workflows)}};
}

Result<int64_t> RebuildStatsFromHistories(const Engine& engine) {
  std::map<std::pair<std::string, int>, WorkflowDefinition> definitions;
  DefinitionLookup lookup = [&](const std::string& workflow,
                                int version) -> const WorkflowDefinition* {
    auto key = std::make_pair(workflow, version);
    auto it = definitions.find(key);
    if (it == definitions.end()) {
      Result<WorkflowDefinition> def = engine.GetDefinition(workflow, version);
      if (!def.ok()) return nullptr;
      it = definitions.emplace(key, std::move(*def)).first;
    }
    return &it->second;
  };
  std::vector<StatsRecord> records;
  RequestQuery q;
  q.limit = 1000;
  for (;;) {
    ROGATORY_ASSIGN_OR_RETURN(RequestPage page, engine.List(q));
    for (const Request& r : page.items) {
      ROGATORY_ASSIGN_OR_RETURN(std::vector<HistoryEntry> history, engine.History(r.id));
      ROGATORY_ASSIGN_OR_RETURN(StatsRecord rec,
                                StatsRecordFromHistory(r, history, lookup, engine.time_zone()));
      records.push_back(std::move(rec));
    }
    if (page.next.empty()) break;
    q.after = page.next;
  }
  ROGATORY_RETURN_IF_ERROR(engine.store().ReplaceStats(records));
  return static_cast<int64_t>(records.size());
}

}  // namespace rogatory
