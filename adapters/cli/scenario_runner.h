// Runs one scenario on the real Engine over a fresh in-memory store and a virtual clock that
// moves only at `advance` steps; clocks that fall due on the way lapse through the deadline
// scheduler, as in `rogatory serve`.
#ifndef ROGATORY_ADAPTERS_CLI_SCENARIO_RUNNER_H_
#define ROGATORY_ADAPTERS_CLI_SCENARIO_RUNNER_H_

#include <string>
#include <vector>

#include "rogatory/request.h"
#include "rogatory/workflow.h"
#include "scenario.h"
#include "scenario_history.h"

namespace rogatory::cli {

// The outcome of one scenario.
struct ScenarioResult {
  bool passed = false;
  int line = 0;                       // the failing step (or expected value), when not passed
  std::string message;                // "expected ..., got ..."
  std::vector<HistoryEntry> history;  // the request's history, for coverage (may be partial)
  FiredTransitions fired;             // the entry each fire and lapse took, as the engine chose
  // "FAIL file:line: message" or "ok NAME (file)".
  std::string Summary(const Scenario& s) const;
};

// Runs `s` against `def` (the definition of s.workflow at s.version) and checks every step.
// Stops at the first step that does not hold.
ScenarioResult RunScenario(const Scenario& s, const WorkflowDefinition& def);

}  // namespace rogatory::cli

#endif  // ROGATORY_ADAPTERS_CLI_SCENARIO_RUNNER_H_
