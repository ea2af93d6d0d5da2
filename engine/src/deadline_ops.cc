#include "deadline_ops.h"

#include <algorithm>
#include <string>

#include "day_counting.h"

namespace rogatory {
namespace {

DeadlineState* Find(std::vector<DeadlineState>* ds, const std::string& name) {
  for (auto& d : *ds) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

void Remove(std::vector<DeadlineState>* ds, const std::string& name) {
  ds->erase(std::remove_if(ds->begin(), ds->end(),
                           [&](const DeadlineState& d) { return d.name == name; }),
            ds->end());
}

// The due time of a clock of `def` counting from `start`, with its extension once used.
TimePoint DueFrom(const CompiledDeadline& def, TimePoint start, bool extended,
                  const TimeZone& zone) {
  const TimePoint end = PeriodEnd(def, start, zone);
  return extended && def.extension ? ExtendPeriod(end, *def.extension, def.counting, zone) : end;
}

// A clock of `def` starting (or restarting) at `now`. InvalidArgument when it counts from a
// field that is not set.
Result<DeadlineState> Fresh(const CompiledWorkflow& cw, const CompiledDeadline& def,
                            const nlohmann::json& data, TimePoint now, const TimeZone& zone) {
  std::optional<TimePoint> start = ClockStart(def, cw, data, now, zone);
  if (!start) {
    return InvalidArgumentError("deadline '" + def.name + "' counts from field '" +
                                cw.def.fields[static_cast<size_t>(def.from_field)].name +
                                "', which is not set");
  }
  DeadlineState d;
  d.name = def.name;
  d.started_at = *start;
  d.due_at = PeriodEnd(def, *start, zone);
  return d;
}

}  // namespace

TimePoint PeriodEnd(const CompiledDeadline& def, TimePoint start, const TimeZone& zone) {
  return AddPeriod(start, def.duration, def.counting, zone);
}

std::optional<TimePoint> ClockStart(const CompiledDeadline& def, const CompiledWorkflow& cw,
                                    const nlohmann::json& data, TimePoint now,
                                    const TimeZone& zone) {
  if (def.from_field < 0) return now;
  const FieldDef& f = cw.def.fields[static_cast<size_t>(def.from_field)];
  auto it = data.find(f.name);
  if (it == data.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
    return std::nullopt;
  }
  const std::string& text = it->get_ref<const std::string&>();
  // A date stands for 00:00 of that day in the deployment's time zone.
  Result<TimePoint> t = f.type == FieldType::kDate ? StartOfDate(text, zone) : ParseRfc3339(text);
  if (!t.ok()) return std::nullopt;
  return *t;
}

Status ApplyDeadlineOps(const CompiledWorkflow& cw, const CompiledTransition& t,
                        const nlohmann::json& data, TimePoint now, const TimeZone& zone,
                        std::vector<DeadlineState>* ds) {
  for (int32_t id : t.stop) Remove(ds, cw.deadlines[static_cast<size_t>(id)].name);
  for (int32_t id : t.start) {
    const CompiledDeadline& def = cw.deadlines[static_cast<size_t>(id)];
    ROGATORY_ASSIGN_OR_RETURN(DeadlineState fresh, Fresh(cw, def, data, now, zone));
    if (DeadlineState* d = Find(ds, def.name)) {
      *d = std::move(fresh);  // starting a running (or lapsed) clock restarts it
    } else {
      ds->push_back(std::move(fresh));
    }
  }
  for (int32_t id : t.pause) {
    const CompiledDeadline& def = cw.deadlines[static_cast<size_t>(id)];
    DeadlineState* d = Find(ds, def.name);
    if (d == nullptr || d->paused || d->lapsed) continue;
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
      // A lapsed clock runs again: the extension counts from the due time it lapsed at, as it
      // would have from the running clock's (if that is still past, it lapses again).
      d->due_at = ExtendPeriod(d->due_at, *def.extension, def.counting, zone);
      d->lapsed = false;
      d->lapsed_at = TimePoint();
    }
  }
  return OkStatus();
}

Status SyncWhileClocks(const CompiledWorkflow& cw, int32_t from, int32_t to,
                       const nlohmann::json& data, TimePoint now, const TimeZone& zone,
                       std::vector<DeadlineState>* ds) {
  for (int32_t id : cw.while_deadlines) {
    const CompiledDeadline& def = cw.deadlines[static_cast<size_t>(id)];
    const bool is = def.Runs(to);
    // Created or migrated into `to`: the clocks it lists that the request lacks start now.
    const bool enters = from < 0 ? Find(ds, def.name) == nullptr : !def.Runs(from);
    if (is && enters) {
      ROGATORY_ASSIGN_OR_RETURN(DeadlineState fresh, Fresh(cw, def, data, now, zone));
      if (DeadlineState* d = Find(ds, def.name)) {
        *d = std::move(fresh);
      } else {
        ds->push_back(std::move(fresh));
      }
    } else if (!is) {
      Remove(ds, def.name);
    }
  }
  return OkStatus();
}

void RecomputeFromFieldClocks(const CompiledWorkflow& cw, const nlohmann::json& data,
                              const TimeZone& zone, std::vector<DeadlineState>* ds) {
  for (int32_t id : cw.from_field_deadlines) {
    const CompiledDeadline& def = cw.deadlines[static_cast<size_t>(id)];
    DeadlineState* d = Find(ds, def.name);
    if (d == nullptr || d->lapsed) continue;
    std::optional<TimePoint> start = ClockStart(def, cw, data, TimePoint(), zone);
    if (!start || *start == d->started_at) continue;
    const TimePoint due = DueFrom(def, *start, d->extended, zone);
    if (d->paused) d->remaining = std::max(Duration(0), d->remaining + (due - d->due_at));
    d->started_at = *start;
    d->due_at = due;
  }
}

}  // namespace rogatory
