#include "scenario_history.h"

#include <algorithm>
#include <set>

namespace rogatory::cli {
namespace {

bool Contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

std::string LapsedClock(const HistoryEntry& e) {
  if (e.actor != "system" || !e.data.is_object()) return "";
  auto it = e.data.find("deadline");
  return it != e.data.end() && it->is_string() ? it->get<std::string>() : "";
}

bool LapseTook(const TransitionDef& t, const HistoryEntry& e) {
  // The engine records a lapse it could not turn into the transition (the state does not
  // allow it for `system`, or a `require`d field is missing) with a longer comment.
  const std::string clock = LapsedClock(e);
  return Contains(t.roles, std::string(kSystemRole)) &&
         e.comment == "deadline '" + clock + "' lapsed";
}

int FiredTransition(const WorkflowDefinition& def, const HistoryEntry& e,
                    const FiredTransitions& fired) {
  if (auto it = fired.find(e.seq); it != fired.end()) return it->second;
  if (e.seq <= 1 || e.event == kCreateEvent) return -1;
  const StateDef* from = def.FindState(e.from_state);
  if (from == nullptr) return -1;  // e.g. a migration from another version's state
  int found = -1;
  for (size_t i = 0; i < def.transitions.size(); ++i) {
    const TransitionDef& t = def.transitions[i];
    if (t.event != e.event) continue;
    if ((t.from_any && !from->terminal) || Contains(t.from, e.from_state)) {
      found = static_cast<int>(i);
      break;
    }
  }
  if (found < 0) return -1;
  if (!LapsedClock(e).empty() && !LapseTook(def.transitions[static_cast<size_t>(found)], e)) {
    return -1;
  }
  return found;
}

}  // namespace rogatory::cli
