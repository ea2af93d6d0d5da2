#include "deadline_ops.h"

#include <algorithm>

#include "day_counting.h"

namespace rogatory {
namespace {

DeadlineState* Find(std::vector<DeadlineState>* ds, const std::string& name) {
  for (auto& d : *ds) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

}  // namespace

Status ApplyDeadlineOps(const CompiledWorkflow& cw, const CompiledTransition& t, TimePoint now,
                        const TimeZone& zone, std::vector<DeadlineState>* ds) {
  for (int32_t id : t.stop) {
    const std::string& name = cw.deadlines[static_cast<size_t>(id)].name;
    ds->erase(std::remove_if(ds->begin(), ds->end(),
                             [&](const DeadlineState& d) { return d.name == name; }),
              ds->end());
  }
  for (int32_t id : t.start) {
    const CompiledDeadline& def = cw.deadlines[static_cast<size_t>(id)];
    DeadlineState fresh{def.name, now,         AddPeriod(now, def.duration, def.counting, zone),
                        false,    Duration(0), false,
                        false,    TimePoint()};
    if (DeadlineState* d = Find(ds, def.name)) {
      *d = fresh;  // starting a running clock restarts it
    } else {
      ds->push_back(std::move(fresh));
    }
  }
  for (int32_t id : t.pause) {
    const CompiledDeadline& def = cw.deadlines[static_cast<size_t>(id)];
    DeadlineState* d = Find(ds, def.name);
    if (d == nullptr || d->paused) continue;
    d->paused = true;
    d->remaining = def.counting == Counting::kDays ? WholeDaysLeft(now, d->due_at, zone)
                                                   : std::max(Duration(0), d->due_at - now);
  }
  for (int32_t id : t.resume) {
    const CompiledDeadline& def = cw.deadlines[static_cast<size_t>(id)];
    DeadlineState* d = Find(ds, def.name);
    if (d == nullptr || !d->paused) continue;
    d->paused = false;
    d->due_at = def.counting == Counting::kDays
                    ? AddPeriod(now, IsoDuration{0, d->remaining}, Counting::kDays, zone)
                    : now + d->remaining;
    d->remaining = Duration(0);
  }
  for (int32_t id : t.extend) {
    const CompiledDeadline& def = cw.deadlines[static_cast<size_t>(id)];
    DeadlineState* d = Find(ds, def.name);
    if (d == nullptr) {
      return FailedPreconditionError("deadline '" + def.name +
                                     "' is not running, so it cannot "
                                     "be extended");
    }
    if (d->extended) {
      return FailedPreconditionError("deadline '" + def.name + "' has already been extended");
    }
    if (!def.extension) {
      return FailedPreconditionError("deadline '" + def.name + "' has no extension");
    }
    d->extended = true;
    if (d->paused) {
      d->remaining = def.extension->AddTo(FromUnixMicros(0) + d->remaining) - FromUnixMicros(0);
    } else {
      d->due_at = ExtendPeriod(d->due_at, *def.extension, def.counting, zone);
    }
  }
  return OkStatus();
}

}  // namespace rogatory
