// What a step does to a request's clocks: start (or restart), stop, pause keeping the time
// left, resume with that time, extend once by the deadline's extension; and the clocks the
// definition keeps by itself (CONTRACT §7): `while` clocks follow the request's state and
// `from_field` clocks follow their field.
#ifndef ROGATORY_ENGINE_SRC_DEADLINE_OPS_H_
#define ROGATORY_ENGINE_SRC_DEADLINE_OPS_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <vector>

#include "compiled_workflow.h"
#include "rogatory/request.h"
#include "rogatory/time_zone.h"

namespace rogatory {

// When a period of `def` that counts from `start` ends: the only place due times are computed.
// Clocks with `counting: days` count whole days in `zone` (day_counting.h).
TimePoint PeriodEnd(const CompiledDeadline& def, TimePoint start, const TimeZone& zone);

// Where a clock of `def` counts from when it starts at `now`: `now`, or for a `from_field`
// clock its field's value in `data` (nullopt when the field is not set).
std::optional<TimePoint> ClockStart(const CompiledDeadline& def, const CompiledWorkflow& cw,
                                    const nlohmann::json& data, TimePoint now,
                                    const TimeZone& zone);

// Applies `t`'s deadline effects in the order stop, start, pause, resume, extend; `data` is
// the request's data after the step (for `from_field` clocks). Stopping, pausing or resuming a
// clock that is not in that condition changes nothing; a lapsed clock is neither paused nor
// resumed. Extending a lapsed clock makes it run again, its extension counted from the due
// time it lapsed at. FailedPrecondition when `extend` names a clock that is not on the
// request or was extended before; InvalidArgument when a `from_field` clock starts while its
// field is not set.
// Due times come from AddPeriod/ExtendPeriod (day_counting.h): clocks with `counting: days`
// count whole days in `zone`; a paused one keeps whole days and ends at 24:00 after resuming.
Status ApplyDeadlineOps(const CompiledWorkflow& cw, const CompiledTransition& t,
                        const nlohmann::json& data, TimePoint now, const TimeZone& zone,
                        std::vector<DeadlineState>* deadlines);

// Keeps the `while` clocks consistent with a move from state `from` to state `to`: starts
// each clock whose states `to` is in and `from` is not, and removes each whose states `to` is
// not in (running, paused or lapsed). A step that stays in its listed states changes nothing.
// `from` -1 (a creation or a migration into `to`): the clocks `to` lists that are not on the
// request start now, the others keep running. InvalidArgument when a `from_field` clock must start
// while its field is not set. No-op (and no allocation) for a workflow without `while` clocks.
Status SyncWhileClocks(const CompiledWorkflow& cw, int32_t from, int32_t to,
                       const nlohmann::json& data, TimePoint now, const TimeZone& zone,
                       std::vector<DeadlineState>* deadlines);

// Recomputes the `from_field` clocks on the request whose field now holds another instant
// than the one they count from: a running clock gets its new due time; a paused one keeps
// paused and its time left moves by as much as its due time did; a lapsed one stays lapsed;
// a clock whose field was cleared keeps its due time. No-op for a workflow without them.
void RecomputeFromFieldClocks(const CompiledWorkflow& cw, const nlohmann::json& data,
                              const TimeZone& zone, std::vector<DeadlineState>* deadlines);

}  // namespace rogatory

#endif  // ROGATORY_ENGINE_SRC_DEADLINE_OPS_H_
