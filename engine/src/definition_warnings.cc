// Advice on valid definitions: things that run, but probably not as the author meant.
#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "rogatory/definition_loader.h"

namespace rogatory {
namespace {

bool Names(const std::vector<std::string>& list, const std::string& name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

// The states transition `t` leaves from ("*": every non-terminal state).
std::vector<std::string> Sources(const WorkflowDefinition& def, const TransitionDef& t) {
  if (!t.from_any) return t.from;
  std::vector<std::string> out;
  for (const StateDef& s : def.states) {
    if (!s.terminal) out.push_back(s.name);
  }
  return out;
}

bool IsTerminal(const WorkflowDefinition& def, const std::string& state) {
  const StateDef* s = def.FindState(state);
  return s != nullptr && s->terminal;
}

// The non-terminal states in which deadline `d` can lapse: entered by a transition that starts
// it, then followed through every transition that does not stop it, tracking whether it is
// paused (a paused clock cannot lapse). A terminal state stops every clock, and the transition
// its own lapse fires has used it up (unless that transition starts it again).
std::set<std::string> StatesWhereItCanLapse(const WorkflowDefinition& def, const DeadlineDef& d) {
  std::set<std::pair<std::string, bool>> seen;  // (state, paused)
  std::vector<std::pair<std::string, bool>> todo;
  auto enter = [&](const std::string& state, bool paused) {
    if (!IsTerminal(def, state) && seen.insert({state, paused}).second) {
      todo.push_back({state, paused});
    }
  };
  for (const TransitionDef& t : def.transitions) {
    if (!Names(t.start, d.name)) continue;
    if (!t.to.empty()) {
      enter(t.to, false);
    } else {
      for (const std::string& s : Sources(def, t)) enter(s, false);
    }
  }
  while (!todo.empty()) {
    const auto [state, paused] = todo.back();
    todo.pop_back();
    for (const TransitionDef& t : def.transitions) {
      if (Names(t.start, d.name) || Names(t.stop, d.name) || t.event == d.on_expiry ||
          !Names(Sources(def, t), state)) {
        continue;
      }
      const bool now_paused =
          Names(t.pause, d.name) ? true : (Names(t.resume, d.name) ? false : paused);
      enter(t.to.empty() ? state : t.to, now_paused);
    }
  }
  std::set<std::string> out;
  for (const auto& [state, paused] : seen) {
    if (!paused) out.insert(state);
  }
  return out;
}

}  // namespace

std::vector<DefinitionError> DefinitionWarnings(const WorkflowDefinition& def) {
  std::vector<DefinitionError> out;
  for (const DeadlineDef& d : def.deadlines) {
    std::vector<std::string> unhandled;
    for (const std::string& state : StatesWhereItCanLapse(def, d)) {
      bool accepted = false;
      for (const TransitionDef& t : def.transitions) {
        accepted = accepted || (t.event == d.on_expiry && Names(Sources(def, t), state));
      }
      if (!accepted) unhandled.push_back(state);
    }
    if (unhandled.empty()) continue;
    std::string states;
    for (const std::string& s : unhandled) states += (states.empty() ? "'" : ", '") + s + "'";
    out.push_back(DefinitionError{
        def.source_name, d.line,
        "deadline '" + d.name + "' can lapse in state" + (unhandled.size() == 1 ? " " : "s ") +
            states + ", where no transition accepts its on_expiry event '" + d.on_expiry +
            "': such a lapse is recorded in the history without a state change"});
  }
  return out;
}

}  // namespace rogatory
