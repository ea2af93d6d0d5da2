// What a transition does to a request's clocks: start (or restart), stop, pause keeping the
// time left, resume with that time, extend once by the deadline's extension.
#ifndef ROGATORY_ENGINE_SRC_DEADLINE_OPS_H_
#define ROGATORY_ENGINE_SRC_DEADLINE_OPS_H_

#include <vector>

#include "compiled_workflow.h"
#include "rogatory/request.h"
#include "rogatory/time_zone.h"

namespace rogatory {

// Applies `t`'s deadline effects in the order stop, start, pause, resume, extend.
// Stopping, pausing or resuming a clock that is not in that condition changes nothing.
// FailedPrecondition when `extend` names a clock that is not running or was extended before.
// Due times come from AddPeriod/ExtendPeriod (day_counting.h): clocks with `counting: days`
// count whole days in `zone`; a paused one keeps whole days and ends at 24:00 after resuming.
Status ApplyDeadlineOps(const CompiledWorkflow& cw, const CompiledTransition& t, TimePoint now,
                        const TimeZone& zone, std::vector<DeadlineState>* deadlines);

}  // namespace rogatory

#endif  // ROGATORY_ENGINE_SRC_DEADLINE_OPS_H_
