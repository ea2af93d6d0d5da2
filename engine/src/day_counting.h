// Where a clock's due time comes from: an exact sum (`counting: exact`) or whole days counted
// as Regulation (EEC, Euratom) No 1182/71 Art. 3 does (`counting: days`, CONTRACT §7).
//
// Whole days, in the deployment's time zone:
// - the day of the starting event is not counted (Art. 3(1), second subparagraph);
// - P10D ends at the end (24:00) of the 10th day after it; P1W on the same weekday a week
//   later; P1M / P1Y on the same-numbered day, or the month's last day when there is none
//   (31 January + P1M ends with 28/29 February) (Art. 3(2)(b), (c));
// - Saturdays, Sundays and public holidays count (Art. 3(3)). The roll-over of a period that
//   ends on one of them to the next working day (Art. 3(4)) is NOT applied: it needs each
//   state's holiday calendar, which the engine does not have.
// The end of a day is the first instant of the next local day, so a clock ending on a
// daylight-saving change day ends at the right UTC instant (Europe/Paris, 29 March 2026:
// 22:00Z; 25 October 2026: 23:00Z).
#ifndef ROGATORY_ENGINE_SRC_DAY_COUNTING_H_
#define ROGATORY_ENGINE_SRC_DAY_COUNTING_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "rogatory/status.h"
#include "rogatory/time.h"
#include "rogatory/time_zone.h"
#include "rogatory/workflow.h"

namespace rogatory {

// The due time of a period `d` that starts at `start`. kExact: d.AddTo(start). kDays: the end
// of the period's last local day, as above. REQUIRES for kDays: `d` has no time part (the
// validator refuses `counting: days` on PT… durations).
TimePoint AddPeriod(TimePoint start, const IsoDuration& d, Counting c, const TimeZone& zone);

// The due time after extending a clock due at `due` by `d`. kDays: the extension runs from the
// period's last day (the day before local midnight `due`), so P30D more ends 30 whole days later.
TimePoint ExtendPeriod(TimePoint due, const IsoDuration& d, Counting c, const TimeZone& zone);

// What a days-counted clock paused at `now` keeps: the whole days of its period after today
// (today is not given back; it will not be counted on resuming either). Zero when due today
// or earlier.
Duration WholeDaysLeft(TimePoint now, TimePoint due, const TimeZone& zone);

// 00:00 local time of the date `yyyy_mm_dd` (or the first instant of that day when midnight
// does not exist there). InvalidArgument when it is not an existing YYYY-MM-DD date.
Result<TimePoint> StartOfDate(std::string_view yyyy_mm_dd, const TimeZone& zone);

// The local calendar date of `t` in `zone`, as YYYY-MM-DD.
std::string LocalDateText(TimePoint t, const TimeZone& zone);

}  // namespace rogatory

#endif  // ROGATORY_ENGINE_SRC_DAY_COUNTING_H_
