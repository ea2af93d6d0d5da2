#include "rogatory/workflow.h"

namespace rogatory {
namespace {

nlohmann::json StringList(const std::vector<std::string>& v) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& s : v) out.push_back(s);
  return out;
}

}  // namespace

const char* PhaseName(Phase phase) {
  switch (phase) {
    case Phase::kDrafting:
      return "drafting";
    case Phase::kTransmission:
      return "transmission";
    case Phase::kExecution:
      return "execution";
    case Phase::kClosure:
      return "closure";
  }
  return "unknown";
}

std::optional<Phase> ParsePhase(std::string_view name) {
  for (int i = 0; i < kPhaseCount; ++i) {
    if (name == PhaseName(static_cast<Phase>(i))) return static_cast<Phase>(i);
  }
  return std::nullopt;
}

const char* FieldTypeName(FieldType type) {
  switch (type) {
    case FieldType::kString:
      return "string";
    case FieldType::kInteger:
      return "integer";
    case FieldType::kBoolean:
      return "boolean";
    case FieldType::kDate:
      return "date";
    case FieldType::kEnum:
      return "enum";
    case FieldType::kList:
      return "list";
  }
  return "unknown";
}

std::optional<FieldType> ParseFieldType(std::string_view name) {
  for (FieldType t : {FieldType::kString, FieldType::kInteger, FieldType::kBoolean,
                      FieldType::kDate, FieldType::kEnum, FieldType::kList}) {
    if (name == FieldTypeName(t)) return t;
  }
  return std::nullopt;
}

const StateDef* WorkflowDefinition::FindState(std::string_view name) const {
  for (const auto& s : states) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

const FieldDef* WorkflowDefinition::FindField(std::string_view name) const {
  for (const auto& f : fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

const DeadlineDef* WorkflowDefinition::FindDeadline(std::string_view name) const {
  for (const auto& d : deadlines) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

const StateDef* WorkflowDefinition::InitialState() const {
  for (const auto& s : states) {
    if (s.initial) return &s;
  }
  return nullptr;
}

nlohmann::json DefinitionToJson(const WorkflowDefinition& def) {
  nlohmann::json j;
  j["workflow"] = def.id;
  j["version"] = def.version;
  j["title"] = def.title;
  if (!def.legal_basis.empty()) j["legal_basis"] = def.legal_basis;
  if (!def.description.empty()) j["description"] = def.description;
  nlohmann::json fields = nlohmann::json::object();
  for (const auto& f : def.fields) {
    nlohmann::json fj{{"type", FieldTypeName(f.type)}, {"required", f.required}};
    if (f.default_value) fj["default"] = *f.default_value;
    if (!f.values.empty()) fj["values"] = StringList(f.values);
    if (f.items) fj["items"] = FieldTypeName(*f.items);
    if (!f.description.empty()) fj["description"] = f.description;
    fields[f.name] = std::move(fj);
  }
  j["fields"] = std::move(fields);
  nlohmann::json states = nlohmann::json::object();
  for (const auto& s : def.states) {
    nlohmann::json sj{{"phase", PhaseName(s.phase)}};
    if (s.initial) sj["initial"] = true;
    if (s.terminal) sj["terminal"] = true;
    if (!s.description.empty()) sj["description"] = s.description;
    states[s.name] = std::move(sj);
  }
  j["states"] = std::move(states);
  nlohmann::json deadlines = nlohmann::json::object();
  for (const auto& d : def.deadlines) {
    nlohmann::json dj{{"duration", d.duration.ToString()}, {"on_expiry", d.on_expiry}};
    if (d.extension) dj["extension"] = d.extension->ToString();
    if (!d.description.empty()) dj["description"] = d.description;
    deadlines[d.name] = std::move(dj);
  }
  j["deadlines"] = std::move(deadlines);
  nlohmann::json transitions = nlohmann::json::array();
  for (const auto& t : def.transitions) {
    nlohmann::json tj{{"event", t.event}};
    if (t.from_any) {
      tj["from"] = "*";
    } else if (t.from.size() == 1) {
      tj["from"] = t.from[0];
    } else {
      tj["from"] = StringList(t.from);
    }
    if (!t.to.empty()) tj["to"] = t.to;
    tj["roles"] = StringList(t.roles);
    const std::pair<const char*, const std::vector<std::string>*> lists[] = {
        {"require", &t.require}, {"start", &t.start},   {"stop", &t.stop},
        {"pause", &t.pause},     {"resume", &t.resume}, {"extend", &t.extend}};
    for (const auto& [key, list] : lists) {
      if (!list->empty()) tj[key] = StringList(*list);
    }
    if (!t.description.empty()) tj["description"] = t.description;
    transitions.push_back(std::move(tj));
  }
  j["transitions"] = std::move(transitions);
  return j;
}

}  // namespace rogatory
