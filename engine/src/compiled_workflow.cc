#include "compiled_workflow.h"

namespace rogatory {
namespace {

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
    cw->deadlines.push_back({d.name, d.duration, d.extension, ev});
  }

  const size_t states = cw->state_names.size(), events = cw->event_names.size();
  cw->dense = states * events <= kMaxDenseTransitionIndex;
  if (cw->dense) cw->transition_index.assign(states * events, -1);
  for (const auto& t : def.transitions) {
    CompiledTransition ct;
    ct.event = cw->event_ids.at(t.event);
    if (!t.to.empty()) {
      ct.to = CompiledWorkflow::Find(cw->state_ids, t.to);
      if (ct.to < 0) return InvalidArgumentError("unknown state '" + t.to + "'");
    }
    ct.roles = t.roles;
    ROGATORY_RETURN_IF_ERROR(IdsOf(cw->field_ids, t.require, "field", &ct.require));
    ROGATORY_RETURN_IF_ERROR(IdsOf(cw->deadline_ids, t.start, "deadline", &ct.start));
    ROGATORY_RETURN_IF_ERROR(IdsOf(cw->deadline_ids, t.stop, "deadline", &ct.stop));
    ROGATORY_RETURN_IF_ERROR(IdsOf(cw->deadline_ids, t.pause, "deadline", &ct.pause));
    ROGATORY_RETURN_IF_ERROR(IdsOf(cw->deadline_ids, t.resume, "deadline", &ct.resume));
    ROGATORY_RETURN_IF_ERROR(IdsOf(cw->deadline_ids, t.extend, "deadline", &ct.extend));
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
      const size_t at =
          static_cast<size_t>(s) * events + static_cast<size_t>(cw->transitions[index].event);
      int32_t& slot = cw->dense ? cw->transition_index[at]
                                : cw->sparse_transition_index.emplace(at, -1).first->second;
      // An explicit source wins over "*" (the validator reports genuine duplicates).
      if (slot < 0 || !t.from_any) slot = index;
    }
  }
  return std::unique_ptr<const CompiledWorkflow>(std::move(cw));
}

}  // namespace rogatory
