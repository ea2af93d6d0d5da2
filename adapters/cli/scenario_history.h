// Reading a request's history against its definition: which transition entry each step fired,
// and which clocks have lapsed. Shared by the scenario runner (`expect: {lapsed: ...}`) and
// coverage counting.
#ifndef ROGATORY_ADAPTERS_CLI_SCENARIO_HISTORY_H_
#define ROGATORY_ADAPTERS_CLI_SCENARIO_HISTORY_H_

#include <string>
#include <vector>

#include "rogatory/request.h"
#include "rogatory/workflow.h"

namespace rogatory::cli {

// The index in def.transitions of the entry that history entry `e` fired, or -1: for the
// creation, a migration, and a lapse whose on_expiry event the current state does not allow
// for `system` (or whose `require`d fields were missing), which the engine records without a
// transition. Until guards (CONTRACT §7) exist, (from, event) names one entry.
int FiredTransition(const WorkflowDefinition& def, const HistoryEntry& e);

// The clock whose lapse `e` records, or "" when `e` is no lapse.
std::string LapsedClock(const HistoryEntry& e);

// The clocks that have lapsed and not been started, stopped or closed since, sorted. Today the
// engine removes a lapsed clock from the request, so this is read from the history (the
// `system` entries that record lapses); once CONTRACT §7's `lapsed: true` clocks exist on the
// request, the runner reads them there instead.
std::vector<std::string> LapsedClocks(const WorkflowDefinition& def,
                                      const std::vector<HistoryEntry>& history);

}  // namespace rogatory::cli

#endif  // ROGATORY_ADAPTERS_CLI_SCENARIO_HISTORY_H_
