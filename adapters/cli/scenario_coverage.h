// Coverage of workflow versions by scenarios: which transition entries fired, which deadlines
// lapsed at least once and which states were entered, counted from the requests' histories.
#ifndef ROGATORY_ADAPTERS_CLI_SCENARIO_COVERAGE_H_
#define ROGATORY_ADAPTERS_CLI_SCENARIO_COVERAGE_H_

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "rogatory/request.h"
#include "rogatory/workflow.h"
#include "scenario_history.h"

namespace rogatory::cli {

// A count of covered items out of all, with the uncovered ones named.
struct CoverageShare {
  int covered = 0;
  int total = 0;
  std::vector<std::string> missing;  // in definition order
  // Percent covered, rounded down; 100 when there is nothing to cover.
  int Percent() const { return total == 0 ? 100 : covered * 100 / total; }
};

// The coverage of one workflow version.
struct WorkflowCoverage {
  std::string workflow;
  int version = 0;
  bool exercised = false;  // some scenario ran on it
  // A transition is one entry of `transitions:`; an entry with several `from` states or
  // `from: "*"` counts once, each guarded alternative (`when`) counts alone, and each is named
  // by TransitionLabel.
  CoverageShare transitions;
  CoverageShare deadlines;  // lapsed at least once
  CoverageShare states;     // entered (the initial state by creation)
  // "coverage eio@1: transitions 40/43 (93%), deadlines 4/4 (100%), states 26/26 (100%)".
  std::string Line() const;
  // The uncovered items, one indented line each ("  transition never fired: ...").
  std::string Details() const;
  // The lowest of the three percentages.
  int MinPercent() const;
};

// "refuse under_recognition|consultation -> refused (line 178)": a transition entry in messages.
std::string TransitionLabel(const TransitionDef& t);

// Accumulates histories of many scenarios, per workflow version.
class CoverageCounter {
 public:
  // Registers `def` so that it is reported even if no scenario touches it.
  void Add(const WorkflowDefinition& def);
  // Counts one request's history against `def` (which must have been added), crediting each
  // step the entry `fired` names for it (FiredTransition).
  void Record(const WorkflowDefinition& def, const std::vector<HistoryEntry>& history,
              const FiredTransitions& fired = {});
  // Every added version, ordered by workflow then version.
  std::vector<WorkflowCoverage> Report() const;

 private:
  struct Seen {
    const WorkflowDefinition* def = nullptr;
    bool exercised = false;
    std::set<int> transitions;
    std::set<std::string> deadlines, states;
  };
  std::map<std::pair<std::string, int>, Seen> seen_;
};

}  // namespace rogatory::cli

#endif  // ROGATORY_ADAPTERS_CLI_SCENARIO_COVERAGE_H_
