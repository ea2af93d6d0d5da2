// The common step on a statistics record made where the record is kept: most steps only move a
// request's state (and with it perhaps its phase, or closedness), and the memory store then
// changes those three fields of its record instead of building the next record beside it.
#ifndef ROGATORY_ENGINE_SRC_STATS_IN_PLACE_H_
#define ROGATORY_ENGINE_SRC_STATS_IN_PLACE_H_

#include <string>
#include <string_view>

#include "rogatory/stats.h"
#include "rogatory/workflow.h"

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
// without parties, from `was_*` to `after`'s: what StatsStepChanges reports for such a step (its
// state, phase, status and outcome items), all in the global scope, passed to `change` as
// (scope, kind, key, n). A template, so that the memory store's counters take them without a
// std::function call per change.
template <typename Change>
void StatsStateMoveChanges(std::string_view was_state, Phase was_phase, bool was_terminal,
                           const StatsRecord& after, const Change& change) {
  constexpr std::string_view global = "";
  auto move = [&](std::string_view kind, std::string_view was, std::string_view is) {
    if (was == is) return;
    change(global, kind, was, -1);
    change(global, kind, is, 1);
  };
  move("state", was_state, after.state);
  move("phase", PhaseName(was_phase), PhaseName(after.phase));
  move("status", was_terminal ? "closed" : "open", after.terminal ? "closed" : "open");
  if (was_terminal != after.terminal || was_state != after.state) {
    if (was_terminal) change(global, "outcome", was_state, -1);
    if (after.terminal) change(global, "outcome", after.state, 1);
  }
}

}  // namespace rogatory

#endif  // ROGATORY_ENGINE_SRC_STATS_IN_PLACE_H_
