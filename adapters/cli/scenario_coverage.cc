#include "scenario_coverage.h"

#include <algorithm>

#include "scenario_history.h"

namespace rogatory::cli {
namespace {

std::string ShareText(const char* what, const CoverageShare& s) {
  return std::string(what) + " " + std::to_string(s.covered) + "/" + std::to_string(s.total) +
         " (" + std::to_string(s.Percent()) + "%)";
}

}  // namespace

std::string TransitionLabel(const TransitionDef& t) {
  std::string from = t.from_any ? "*" : "";
  for (size_t i = 0; i < t.from.size() && i < 3; ++i) from += (i ? "|" : "") + t.from[i];
  if (t.from.size() > 3) from += "|+" + std::to_string(t.from.size() - 3) + " more";
  return t.event + " " + from + " -> " + (t.to.empty() ? "(stays)" : t.to) + " (line " +
         std::to_string(t.line) + ")";
}

std::string WorkflowCoverage::Line() const {
  return "coverage " + workflow + "@" + std::to_string(version) + ": " +
         ShareText("transitions", transitions) + ", " + ShareText("deadlines", deadlines) + ", " +
         ShareText("states", states) + (exercised ? "" : " (no scenario)");
}

std::string WorkflowCoverage::Details() const {
  std::string out;
  for (const auto& t : transitions.missing) out += "  transition never fired: " + t + "\n";
  for (const auto& d : deadlines.missing) out += "  deadline never lapsed: " + d + "\n";
  for (const auto& s : states.missing) out += "  state never entered: " + s + "\n";
  return out;
}

int WorkflowCoverage::MinPercent() const {
  return std::min({transitions.Percent(), deadlines.Percent(), states.Percent()});
}

void CoverageCounter::Add(const WorkflowDefinition& def) {
  seen_[{def.id, def.version}].def = &def;
}

void CoverageCounter::Record(const WorkflowDefinition& def,
                             const std::vector<HistoryEntry>& history,
                             const FiredTransitions& fired) {
  Seen& s = seen_[{def.id, def.version}];
  s.def = &def;
  s.exercised = true;
  for (const auto& e : history) {
    s.states.insert(e.to_state);
    const std::string clock = LapsedClock(e);
    if (!clock.empty()) s.deadlines.insert(clock);
    const int t = FiredTransition(def, e, fired);
    if (t >= 0) s.transitions.insert(t);
  }
}

std::vector<WorkflowCoverage> CoverageCounter::Report() const {
  std::vector<WorkflowCoverage> out;
  for (const auto& [key, s] : seen_) {
    WorkflowCoverage c;
    c.workflow = key.first;
    c.version = key.second;
    c.exercised = s.exercised;
    const WorkflowDefinition& def = *s.def;
    for (size_t i = 0; i < def.transitions.size(); ++i) {
      ++c.transitions.total;
      if (s.transitions.count(static_cast<int>(i)) > 0) {
        ++c.transitions.covered;
      } else {
        const TransitionDef& t = def.transitions[i];
        c.transitions.missing.push_back(TransitionLabel(t));
      }
    }
    for (const auto& d : def.deadlines) {
      ++c.deadlines.total;
      if (s.deadlines.count(d.name) > 0) {
        ++c.deadlines.covered;
      } else {
        c.deadlines.missing.push_back(d.name);
      }
    }
    for (const auto& st : def.states) {
      ++c.states.total;
      if (s.states.count(st.name) > 0) {
        ++c.states.covered;
      } else {
        c.states.missing.push_back(st.name);
      }
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace rogatory::cli
