#include "stats_counters.h"

#include <climits>

namespace rogatory {

template <typename Cells>
Cells& StatsCounters::GroupOf(Table<Cells>* table, const GroupView& v) {
  const GroupKey& last = table->last_key;
  if (table->last != nullptr && v.version == last.version && v.day == last.day &&
      v.workflow == last.workflow && v.scope == last.scope) {
    return *table->last;
  }
  auto& groups = table->groups;
  auto it = groups.lower_bound(v);
  if (it == groups.end() || GroupLess()(v, it->first)) {
    it = groups.emplace_hint(
        it, GroupKey{std::string(v.scope), std::string(v.workflow), v.version, std::string(v.day)},
        Cells());
  }
  table->last = &it->second;
  table->last_key = it->first;
  return it->second;
}

void StatsCounters::AddCell(DayCells* days, MonthCells* months, std::string_view kind,
                            std::string_view key, int64_t n) {
  probe_.assign(kind);
  probe_.push_back('\0');
  probe_.append(key);
  auto it = days->find(probe_);
  if (it == days->end()) {
    int64_t* month = &(*months)[probe_];  // a new day cell may join an existing month cell
    it = days->emplace(probe_, DayCell{0, month}).first;
  }
  // A cell at zero stays: a request's state cells come and go every step.
  it->second.n += n;
  *it->second.month += n;
}

void StatsCounters::Add(const std::map<StatsCellKey, int64_t>& delta) {
  for (const auto& [k, n] : delta) {
    const std::string_view month = std::string_view(k.day).substr(0, 7);
    AddCell(&GroupOf(&days_, {k.scope, k.workflow, k.version, k.day}),
            &GroupOf(&months_, {k.scope, k.workflow, k.version, month}), k.kind, k.key, n);
  }
}

void StatsCounters::AddStep(const StatsRecord* before, const StatsRecord& after) {
  if (before == nullptr || !StatsSameCells(*before, after)) {
    Add(StatsDelta(before, &after));
    return;
  }
  // Every change has the records' workflow, version and day: the groups are found once per
  // scope (almost always only the global one), not once per cell. The callback captures one
  // pointer, so std::function keeps it without allocating.
  struct Target {
    StatsCounters* counters;
    const StatsRecord* after;
    std::string_view month;
    std::string scope;  // the cached groups' (a copy: a view is only promised for one call)
    DayCells* day_cells = nullptr;
    MonthCells* month_cells = nullptr;
  } t{this, &after, std::string_view(after.created_day).substr(0, 7), {}};
  StatsStepChanges(
      *before, after,
      [&t](std::string_view scope, std::string_view kind, std::string_view key, int64_t n) {
        if (t.day_cells == nullptr || scope != t.scope) {
          const StatsRecord& r = *t.after;
          t.scope.assign(scope);
          t.day_cells = &GroupOf(&t.counters->days_, {scope, r.workflow, r.version, r.created_day});
          t.month_cells = &GroupOf(&t.counters->months_, {scope, r.workflow, r.version, t.month});
        }
        t.counters->AddCell(t.day_cells, t.month_cells, kind, key, n);
      });
}

void StatsCounters::AddStateMove(const StatsStateMove& was, const StatsRecord& now) {
  // Every change is in the global scope: its groups are found once.
  DayCells* days = nullptr;
  MonthCells* months = nullptr;
  StatsStateMoveChanges(
      was.state, was.phase, was.terminal, now,
      [&](std::string_view scope, std::string_view kind, std::string_view key, int64_t n) {
        if (days == nullptr) {
          days = &GroupOf(&days_, {scope, now.workflow, now.version, now.created_day});
          months = &GroupOf(&months_, {scope, now.workflow, now.version,
                                       std::string_view(now.created_day).substr(0, 7)});
        }
        AddCell(days, months, kind, key, n);
      });
}

template <typename Cells>
void StatsCounters::SumTable(const Table<Cells>& table, const std::string& scope,
                             const std::string& workflow, const std::string& lo,
                             const std::string& hi, Sums* sums) {
  const auto& groups = table.groups;
  for (auto it = groups.lower_bound(GroupView{scope, workflow, INT_MIN, ""});
       it != groups.end() && it->first.scope == scope; ++it) {
    const GroupKey& g = it->first;
    if (!workflow.empty() && g.workflow != workflow) break;
    if (g.day < lo || g.day > hi) continue;
    for (const auto& [cell, c] : it->second) {
      const int64_t n = CountOf(c);
      if (n == 0) continue;
      const size_t nul = cell.find('\0');
      (*sums)[{g.workflow, g.version, cell.substr(0, nul), cell.substr(nul + 1)}] += n;
    }
  }
}

void StatsCounters::Sum(const std::string& scope, const std::string& workflow, bool months,
                        const std::string& lo, const std::string& hi, Sums* sums) const {
  if (months) {
    SumTable(months_, scope, workflow, lo, hi, sums);
  } else {
    SumTable(days_, scope, workflow, lo, hi, sums);
  }
}

void StatsCounters::Clear() {
  days_ = Table<DayCells>();
  months_ = Table<MonthCells>();
}

}  // namespace rogatory
