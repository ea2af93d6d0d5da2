// Reading a request's history against its definition: which transition entry each step fired,
// and which clocks have lapsed. Shared by the scenario runner (`expect: {lapsed: ...}`) and
// coverage counting.
#ifndef ROGATORY_ADAPTERS_CLI_SCENARIO_HISTORY_H_
#define ROGATORY_ADAPTERS_CLI_SCENARIO_HISTORY_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "rogatory/request.h"
#include "rogatory/workflow.h"

namespace rogatory::cli {

// The entry of def.transitions each step of one request took, by history seq (-1: none), as
// the engine chose it (Engine::ChooseTransition): the only way to tell apart guarded
// alternatives (CONTRACT §7) that share their from, event and target.
using FiredTransitions = std::map<int64_t, int>;

// The index in def.transitions of the entry that history entry `e` fired, or -1: for the
// creation, a migration, and a lapse whose on_expiry event the current state does not allow
// for `system` (or whose `require`d fields were missing), which the engine records without a
// transition. `fired[e.seq]` when recorded; otherwise the first entry for (from, event), which
// is right only for an event without guarded alternatives.
int FiredTransition(const WorkflowDefinition& def, const HistoryEntry& e,
                    const FiredTransitions& fired = {});

// Whether lapse `e` took transition entry `t` rather than being recorded without a
// transition (t does not let `system` fire it, or a `require`d field was missing).
bool LapseTook(const TransitionDef& t, const HistoryEntry& e);

// The clock whose lapse `e` records, or "" when `e` is no lapse.
std::string LapsedClock(const HistoryEntry& e);

}  // namespace rogatory::cli

#endif  // ROGATORY_ADAPTERS_CLI_SCENARIO_HISTORY_H_
