// The engine's side of the statistics (CONTRACT §9): what a request in a given state means for
// the counters (StatsFacts), and a request's StatsRecord recomputed from its history (the
// rebuild, and the reference the incremental counters are tested against).
#ifndef ROGATORY_ENGINE_SRC_STATS_FACTS_H_
#define ROGATORY_ENGINE_SRC_STATS_FACTS_H_

#include <functional>
#include <vector>

#include "rogatory/request.h"
#include "rogatory/stats.h"
#include "rogatory/time_zone.h"
#include "rogatory/workflow.h"

namespace rogatory {

// The facts of request `r` (after a step) under its definition `def`, creation days in `zone`.
// `lapsed_deadline` is left empty (the step sets it).
StatsFacts StatsFactsOf(const WorkflowDefinition& def, const Request& r, const TimeZone& zone);

// The name of the deadline whose lapse history entry `e` records, or "" (a lapse is recorded by
// the `system` actor with data exactly {"deadline": NAME} and comment "deadline 'NAME' lapsed…").
std::string LapsedDeadlineOf(const HistoryEntry& e);

// Looks a definition up by workflow and version (nullptr when it is not loaded).
using DefinitionLookup = std::function<const WorkflowDefinition*(const std::string&, int)>;

// The record of request `r` recomputed from its whole `history` (oldest first): the same
// record the steps built one by one. Each entry's phase is its target state's phase in the
// version in effect then (a `migrate` entry names the version it moved to).
Result<StatsRecord> StatsRecordFromHistory(const Request& r,
                                           const std::vector<HistoryEntry>& history,
                                           const DefinitionLookup& lookup, const TimeZone& zone);

}  // namespace rogatory

#endif  // ROGATORY_ENGINE_SRC_STATS_FACTS_H_
