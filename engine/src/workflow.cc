#include "rogatory/workflow.h"

#include <map>

namespace rogatory {
namespace {

nlohmann::json StringList(const std::vector<std::string>& v) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& s : v) out.push_back(s);
  return out;
}

// A condition's value as written in a label: text bare, lists in brackets.
std::string ValueText(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_array()) {
    std::string out = "[";
    for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + ValueText(v[i]);
    return out + "]";
  }
  return v.dump();
}

// `when` as JSON, as an admin would write it: `field: value`, `field: [a, b]`, or an object of
// operators when a field has another condition or several.
nlohmann::json WhenToJson(const std::vector<GuardCondition>& when) {
  std::map<std::string, std::vector<const GuardCondition*>> by_field;
  std::vector<std::string> order;
  for (const auto& c : when) {
    if (by_field[c.field].empty()) order.push_back(c.field);
    by_field[c.field].push_back(&c);
  }
  nlohmann::json out = nlohmann::json::object();
  for (const auto& field : order) {
    const auto& conditions = by_field[field];
    const GuardCondition& first = *conditions.front();
    if (conditions.size() == 1 && (first.op == GuardOp::kEq || first.op == GuardOp::kIn)) {
      out[field] = first.value;
      continue;
    }
    nlohmann::json ops = nlohmann::json::object();
    for (const GuardCondition* c : conditions) ops[GuardOpName(c->op)] = c->value;
    out[field] = std::move(ops);
  }
  return out;
}

}  // namespace

const char* CountingName(Counting c) { return c == Counting::kDays ? "days" : "exact"; }

const char* GuardOpName(GuardOp op) {
  switch (op) {
    case GuardOp::kEq:
      return "eq";
    case GuardOp::kNe:
      return "ne";
    case GuardOp::kIn:
      return "in";
    case GuardOp::kSet:
      return "set";
    case GuardOp::kLt:
      return "lt";
    case GuardOp::kLe:
      return "le";
    case GuardOp::kGt:
      return "gt";
    case GuardOp::kGe:
      return "ge";
  }
  return "unknown";
}

std::string GuardText(const std::vector<GuardCondition>& when) {
  std::string out;
  for (const auto& c : when) {
    if (!out.empty()) out += ", ";
    out += c.field;
    switch (c.op) {
      case GuardOp::kEq:
        out += " = " + ValueText(c.value);
        break;
      case GuardOp::kNe:
        out += " != " + ValueText(c.value);
        break;
      case GuardOp::kIn:
        out += " in " + ValueText(c.value);
        break;
      case GuardOp::kSet:
        out += c.value == true ? " set" : " not set";
        break;
      case GuardOp::kLt:
        out += " < " + ValueText(c.value);
        break;
      case GuardOp::kLe:
        out += " <= " + ValueText(c.value);
        break;
      case GuardOp::kGt:
        out += " > " + ValueText(c.value);
        break;
      case GuardOp::kGe:
        out += " >= " + ValueText(c.value);
        break;
    }
  }
  return out;
}

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
    case FieldType::kDateTime:
      return "datetime";
  }
  return "unknown";
}

std::optional<FieldType> ParseFieldType(std::string_view name) {
  for (FieldType t : {FieldType::kString, FieldType::kInteger, FieldType::kBoolean,
                      FieldType::kDate, FieldType::kDateTime, FieldType::kEnum, FieldType::kList}) {
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

const SideDef* WorkflowDefinition::FindSide(std::string_view name) const {
  for (const auto& side : sides) {
    if (side.name == name) return &side;
  }
  return nullptr;
}

const EventDef* WorkflowDefinition::FindEvent(std::string_view name) const {
  for (const auto& e : events) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

const SideDef* WorkflowDefinition::SideOfRole(std::string_view role) const {
  for (const auto& side : sides) {
    for (const auto& r : side.roles) {
      if (r == role) return &side;
    }
  }
  return nullptr;
}

const StateDef* WorkflowDefinition::InitialState() const {
  for (const auto& s : states) {
    if (s.initial) return &s;
  }
  return nullptr;
}

namespace {

nlohmann::json LabelsJson(const Labels& labels) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [lang, text] : labels) out[lang] = text;
  return out;
}

}  // namespace

nlohmann::json DefinitionToJson(const WorkflowDefinition& def) {
  nlohmann::json j;
  j["workflow"] = def.id;
  j["version"] = def.version;
  j["title"] = def.title;
  if (!def.labels.empty()) j["labels"] = LabelsJson(def.labels);
  if (!def.legal_basis.empty()) j["legal_basis"] = def.legal_basis;
  if (!def.description.empty()) j["description"] = def.description;
  nlohmann::json fields = nlohmann::json::object();
  for (const auto& f : def.fields) {
    nlohmann::json fj{{"type", FieldTypeName(f.type)}, {"required", f.required}};
    if (f.default_value) fj["default"] = *f.default_value;
    if (!f.values.empty()) fj["values"] = StringList(f.values);
    if (f.items) fj["items"] = FieldTypeName(*f.items);
    if (!f.description.empty()) fj["description"] = f.description;
    if (!f.labels.empty()) fj["labels"] = LabelsJson(f.labels);
    if (!f.value_labels.empty()) {
      nlohmann::json vj = nlohmann::json::object();
      for (const auto& [value, labels] : f.value_labels) vj[value] = LabelsJson(labels);
      fj["value_labels"] = std::move(vj);
    }
    fields[f.name] = std::move(fj);
  }
  j["fields"] = std::move(fields);
  nlohmann::json states = nlohmann::json::object();
  for (const auto& s : def.states) {
    nlohmann::json sj{{"phase", PhaseName(s.phase)}};
    if (s.initial) sj["initial"] = true;
    if (s.terminal) sj["terminal"] = true;
    if (!s.description.empty()) sj["description"] = s.description;
    if (!s.labels.empty()) sj["labels"] = LabelsJson(s.labels);
    states[s.name] = std::move(sj);
  }
  j["states"] = std::move(states);
  nlohmann::json deadlines = nlohmann::json::object();
  for (const auto& d : def.deadlines) {
    nlohmann::json dj{
        {"duration", d.duration.IsZero() ? std::string("P0D") : d.duration.ToString()},
        {"on_expiry", d.on_expiry}};
    if (d.extension) dj["extension"] = d.extension->ToString();
    if (d.counting != Counting::kExact) dj["counting"] = CountingName(d.counting);
    if (!d.from_field.empty()) dj["from_field"] = d.from_field;
    if (!d.while_states.empty()) dj["while"] = StringList(d.while_states);
    if (!d.description.empty()) dj["description"] = d.description;
    deadlines[d.name] = std::move(dj);
  }
  j["deadlines"] = std::move(deadlines);
  if (!def.events.empty()) {
    nlohmann::json events = nlohmann::json::object();
    for (const auto& e : def.events) {
      nlohmann::json ej = nlohmann::json::object();
      if (!e.labels.empty()) ej["labels"] = LabelsJson(e.labels);
      if (!e.description.empty()) ej["description"] = e.description;
      events[e.name] = std::move(ej);
    }
    j["events"] = std::move(events);
  }
  if (!def.stats.fields.empty() || !def.stats.counterpart.empty()) {
    j["stats"] = {
        {"fields", StringList(def.stats.fields)},
        {"counterpart", def.stats.counterpart.empty() ? nlohmann::json(nullptr)
                                                      : nlohmann::json(def.stats.counterpart)}};
  }
  if (!def.sides.empty()) {
    nlohmann::json sides = nlohmann::json::object();
    for (const auto& side : def.sides) sides[side.name] = StringList(side.roles);
    j["sides"] = std::move(sides);
  }
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
        {"require", &t.require}, {"start", &t.start},   {"stop", &t.stop},    {"pause", &t.pause},
        {"resume", &t.resume},   {"extend", &t.extend}, {"assign", &t.assign}};
    for (const auto& [key, list] : lists) {
      if (!list->empty()) tj[key] = StringList(*list);
    }
    if (!t.when.empty()) tj["when"] = WhenToJson(t.when);
    if (!t.description.empty()) tj["description"] = t.description;
    transitions.push_back(std::move(tj));
  }
  j["transitions"] = std::move(transitions);
  return j;
}

}  // namespace rogatory
