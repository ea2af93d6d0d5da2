#include "compiled_workflow.h"

#include <algorithm>
#include <map>
#include <set>

#include "field_check.h"

namespace rogatory {

bool CompiledCondition::Holds(const nlohmann::json* value) const {
  if (op == GuardOp::kSet) return (value != nullptr) == set;
  if (value == nullptr) return op == GuardOp::kNe;  // an unset field differs from every value
  int order = 0;  // <0, 0, >0: the value against the first one given
  bool in = false;
  if (type == FieldType::kInteger || type == FieldType::kBoolean || type == FieldType::kDateTime) {
    int64_t v = 0;
    if (type == FieldType::kDateTime) {
      // Stored data is normalised (NormaliseData), but any offset still compares right.
      if (!value->is_string()) return op == GuardOp::kNe;
      Result<TimePoint> t = ParseRfc3339(value->get_ref<const std::string&>());
      if (!t.ok()) return op == GuardOp::kNe;
      v = ToUnixMicros(*t);
    } else if (type == FieldType::kBoolean) {
      if (!value->is_boolean()) return op == GuardOp::kNe;
      v = value->get<bool>() ? 1 : 0;
    } else {
      if (!value->is_number_integer()) return op == GuardOp::kNe;
      v = value->get<int64_t>();
    }
    if (op == GuardOp::kIn) {
      in = std::find(numbers.begin(), numbers.end(), v) != numbers.end();
    } else {
      order = v < numbers[0] ? -1 : v > numbers[0] ? 1 : 0;
    }
  } else {
    if (!value->is_string()) return op == GuardOp::kNe;
    const std::string& v = value->get_ref<const std::string&>();
    if (op == GuardOp::kIn) {
      in = std::find(texts.begin(), texts.end(), v) != texts.end();
    } else {
      order = v.compare(texts[0]);
    }
  }
  switch (op) {
    case GuardOp::kEq:
      return order == 0;
    case GuardOp::kNe:
      return order != 0;
    case GuardOp::kIn:
      return in;
    case GuardOp::kLt:
      return order < 0;
    case GuardOp::kLe:
      return order <= 0;
    case GuardOp::kGt:
      return order > 0;
    case GuardOp::kGe:
      return order >= 0;
    case GuardOp::kSet:
      break;
  }
  return false;
}

bool CompiledTransition::GuardHolds(const nlohmann::json& event_data,
                                    const nlohmann::json& data) const {
  for (const CompiledCondition& c : when) {
    // The event's value wins over the request's; null in the event clears the field.
    auto it = event_data.find(c.field);
    const nlohmann::json* value = nullptr;
    if (it != event_data.end()) {
      value = &*it;
    } else if (auto d = data.find(c.field); d != data.end()) {
      value = &*d;
    }
    // Unset as IsFieldSet sees it: null, "" and [] are not values.
    if (value != nullptr &&
        (value->is_null() || (value->is_string() && value->get_ref<const std::string&>().empty()) ||
         (value->is_array() && value->empty()))) {
      value = nullptr;
    }
    if (!c.Holds(value)) return false;
  }
  return true;
}

namespace {

// Compiles one `when` condition against field `f`. InvalidArgument for values the validator
// would have refused.
Result<CompiledCondition> CompileCondition(const GuardCondition& g, const FieldDef& f) {
  CompiledCondition c;
  c.field = g.field;
  c.op = g.op;
  c.type = f.type;
  if (g.op == GuardOp::kSet) {
    if (!g.value.is_boolean()) return InvalidArgumentError("'set' takes true or false");
    c.set = g.value.get<bool>();
    return c;
  }
  const nlohmann::json values = g.op == GuardOp::kIn ? g.value : nlohmann::json::array({g.value});
  if (!values.is_array() || values.empty()) {
    return InvalidArgumentError("'in' on field '" + f.name + "' takes a list");
  }
  for (const auto& v : values) {
    ROGATORY_RETURN_IF_ERROR(CheckFieldValue(f, v));
    if (f.type == FieldType::kInteger) {
      c.numbers.push_back(v.get<int64_t>());
    } else if (f.type == FieldType::kBoolean) {
      c.numbers.push_back(v.get<bool>() ? 1 : 0);
    } else if (f.type == FieldType::kDateTime) {
      c.numbers.push_back(ToUnixMicros(ParseRfc3339(v.get<std::string>()).value()));
    } else {
      c.texts.push_back(v.get<std::string>());
    }
  }
  return c;
}

Status IdsOf(const std::unordered_map<std::string, int32_t>& ids,
             const std::vector<std::string>& names, const char* what, std::vector<int32_t>* out) {
  for (const auto& n : names) {
    int32_t id = CompiledWorkflow::Find(ids, n);
    if (id < 0) return InvalidArgumentError(std::string("unknown ") + what + " '" + n + "'");
    out->push_back(id);
  }
  return OkStatus();
}

}  // namespace

Result<std::unique_ptr<const CompiledWorkflow>> CompileWorkflow(const WorkflowDefinition& def) {
  auto cw = std::make_unique<CompiledWorkflow>();
  cw->def = def;
  for (const auto& s : def.states) {
    const int32_t id = static_cast<int32_t>(cw->state_names.size());
    cw->state_ids.emplace(s.name, id);
    cw->state_names.push_back(s.name);
    cw->state_phase.push_back(s.phase);
    cw->state_terminal.push_back(s.terminal ? 1 : 0);
    if (s.initial) cw->initial = id;
  }
  if (cw->initial < 0) return InvalidArgumentError("workflow " + def.id + " has no initial state");
  for (const auto& side : def.sides) {
    for (const auto& role : side.roles) cw->side_of_role.emplace(role, side.name);
  }
  for (size_t i = 0; i < def.fields.size(); ++i) {
    cw->field_ids.emplace(def.fields[i].name, static_cast<int32_t>(i));
  }
  for (const auto& t : def.transitions) {
    if (cw->event_ids.emplace(t.event, static_cast<int32_t>(cw->event_names.size())).second) {
      cw->event_names.push_back(t.event);
    }
  }
  for (size_t i = 0; i < def.deadlines.size(); ++i) {
    const DeadlineDef& d = def.deadlines[i];
    cw->deadline_ids.emplace(d.name, static_cast<int32_t>(i));
    int32_t ev = CompiledWorkflow::Find(cw->event_ids, d.on_expiry);
    if (ev < 0) {
      return InvalidArgumentError("deadline '" + d.name + "' expires into unknown event '" +
                                  d.on_expiry + "'");
    }
    CompiledDeadline cd{d.name, d.duration, d.extension, ev, d.counting, -1, {}};
    if (!d.from_field.empty()) {
      cd.from_field = CompiledWorkflow::Find(cw->field_ids, d.from_field);
      const FieldDef* f =
          cd.from_field < 0 ? nullptr : &def.fields[static_cast<size_t>(cd.from_field)];
      if (f == nullptr || (f->type != FieldType::kDate && f->type != FieldType::kDateTime)) {
        return InvalidArgumentError("deadline '" + d.name + "' counts from '" + d.from_field +
                                    "', which is not a date or datetime field");
      }
      cw->from_field_deadlines.push_back(static_cast<int32_t>(i));
    } else if (d.duration.IsZero()) {
      return InvalidArgumentError("deadline '" + d.name + "' has no duration");
    }
    if (!d.while_states.empty()) {
      cd.while_states.assign(cw->state_names.size(), 0);
      for (const auto& name : d.while_states) {
        const int32_t state = CompiledWorkflow::Find(cw->state_ids, name);
        if (state < 0) return InvalidArgumentError("unknown state '" + name + "' in 'while'");
        cd.while_states[static_cast<size_t>(state)] = 1;
      }
      cw->while_deadlines.push_back(static_cast<int32_t>(i));
    }
    cw->deadlines.push_back(std::move(cd));
  }

  const size_t states = cw->state_names.size(), events = cw->event_names.size();
  cw->dense = states * events <= kMaxDenseTransitionIndex;
  if (cw->dense) cw->transition_index.assign(states * events, GroupSpan{});
  std::map<uint64_t, std::vector<int32_t>> slots;  // (state, event) -> transitions, file order
  for (const auto& t : def.transitions) {
    CompiledTransition ct;
    ct.event = cw->event_ids.at(t.event);
    if (!t.to.empty()) {
      ct.to = CompiledWorkflow::Find(cw->state_ids, t.to);
      if (ct.to < 0) return InvalidArgumentError("unknown state '" + t.to + "'");
    }
    ct.roles = t.roles;
    for (const auto& name : t.assign) {
      if (def.FindSide(name) == nullptr) return InvalidArgumentError("unknown side '" + name + "'");
    }
    ct.assign = std::set<std::string>(t.assign.begin(), t.assign.end());
    ROGATORY_RETURN_IF_ERROR(IdsOf(cw->field_ids, t.require, "field", &ct.require));
    ROGATORY_RETURN_IF_ERROR(IdsOf(cw->deadline_ids, t.start, "deadline", &ct.start));
    ROGATORY_RETURN_IF_ERROR(IdsOf(cw->deadline_ids, t.stop, "deadline", &ct.stop));
    ROGATORY_RETURN_IF_ERROR(IdsOf(cw->deadline_ids, t.pause, "deadline", &ct.pause));
    ROGATORY_RETURN_IF_ERROR(IdsOf(cw->deadline_ids, t.resume, "deadline", &ct.resume));
    ROGATORY_RETURN_IF_ERROR(IdsOf(cw->deadline_ids, t.extend, "deadline", &ct.extend));
    for (const GuardCondition& g : t.when) {
      const int32_t field = CompiledWorkflow::Find(cw->field_ids, g.field);
      if (field < 0) return InvalidArgumentError("unknown field '" + g.field + "' in 'when'");
      const FieldDef& f = def.fields[static_cast<size_t>(field)];
      if (f.type == FieldType::kList && g.op != GuardOp::kSet) {
        return InvalidArgumentError("list field '" + f.name + "' can only be tested with 'set'");
      }
      ROGATORY_ASSIGN_OR_RETURN(CompiledCondition c, CompileCondition(g, f));
      ct.when.push_back(std::move(c));
    }
    const int32_t index = static_cast<int32_t>(cw->transitions.size());
    cw->transitions.push_back(std::move(ct));

    std::vector<int32_t> sources;
    if (t.from_any) {
      for (size_t s = 0; s < states; ++s) {
        if (!cw->state_terminal[s]) sources.push_back(static_cast<int32_t>(s));
      }
    } else {
      ROGATORY_RETURN_IF_ERROR(IdsOf(cw->state_ids, t.from, "state", &sources));
    }
    for (int32_t s : sources) {
      const uint64_t at =
          static_cast<uint64_t>(s) * events + static_cast<uint64_t>(cw->transitions[index].event);
      slots[at].push_back(index);
    }
  }
  // Each (state, event) slot's transitions, in file order, become one span of group_members.
  for (auto& [at, members] : slots) {
    GroupSpan span;
    span.begin = static_cast<int32_t>(cw->group_members.size());
    cw->group_members.insert(cw->group_members.end(), members.begin(), members.end());
    span.end = static_cast<int32_t>(cw->group_members.size());
    if (cw->dense) {
      cw->transition_index[static_cast<size_t>(at)] = span;
    } else {
      cw->sparse_transition_index.emplace(at, span);
    }
  }
  return std::unique_ptr<const CompiledWorkflow>(std::move(cw));
}

}  // namespace rogatory
