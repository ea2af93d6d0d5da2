// The common step on a statistics record made where the record is kept: most steps only move a
// request's state (and with it perhaps its phase, or closedness), and the memory store then
// changes those three fields of its record instead of building the next record beside it.
#ifndef ROGATORY_ENGINE_SRC_STATS_IN_PLACE_H_
#define ROGATORY_ENGINE_SRC_STATS_IN_PLACE_H_

#include <string>
#include <string_view>

#include "rogatory/stats.h"

namespace rogatory {

// What a record's state, phase and closedness were before MoveStatsRecordInPlace.
struct StatsStateMove {
  std::string state;
  Phase phase = Phase::kDrafting;
  bool terminal = false;
};

// When NextStatsRecord(record, after, entry, facts) would differ from `*record` in nothing but
// the state, the phase and the closedness, whatever the entry (the request has no parties and
// enters no phase for the first time), makes `*record` that record, puts what the three were
// into `*was` (its string's storage reused) and returns true. Otherwise returns false and
// changes nothing.
bool MoveStatsRecordInPlace(StatsRecord* record, const Request& after, const StatsFacts& facts,
                            StatsStateMove* was);

// The counter changes of a step that moved only the state, phase or closedness of a record
// without parties, from `was` to `now`'s: what StatsStepChanges reports for such a step, all in
// the global scope.
void StatsStateMoveChanges(const StatsStateMove& was, const StatsRecord& now,
                           const StatsChangeFn& change);

}  // namespace rogatory

#endif  // ROGATORY_ENGINE_SRC_STATS_IN_PLACE_H_
