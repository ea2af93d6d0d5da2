#include "stats_counters.h"

#include <climits>

namespace rogatory {

StatsCounters::Cells& StatsCounters::GroupOf(Groups* groups, const GroupView& v) {
  auto it = groups->lower_bound(v);
  if (it == groups->end() || GroupLess()(v, it->first)) {
    it = groups->emplace_hint(
        it, GroupKey{std::string(v.scope), std::string(v.workflow), v.version, std::string(v.day)},
        Cells());
  }
  return it->second;
}

void StatsCounters::AddCell(Cells* cells, std::string_view kind, std::string_view key, int64_t n) {
  const std::pair<std::string_view, std::string_view> view(kind, key);
  auto it = cells->lower_bound(view);
  if (it != cells->end() && !CellLess()(view, it->first)) {
    it->second += n;  // a cell at zero stays: a request's state cells come and go every step
    return;
  }
  cells->emplace_hint(it, std::make_pair(std::string(kind), std::string(key)), n);
}

void StatsCounters::Add(const std::map<StatsCellKey, int64_t>& delta) {
  for (const auto& [k, n] : delta) {
    const std::string_view month = std::string_view(k.day).substr(0, 7);
    AddCell(&GroupOf(&days_, {k.scope, k.workflow, k.version, k.day}), k.kind, k.key, n);
    AddCell(&GroupOf(&months_, {k.scope, k.workflow, k.version, month}), k.kind, k.key, n);
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
    Cells* day_cells = nullptr;
    Cells* month_cells = nullptr;
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
        AddCell(t.day_cells, kind, key, n);
        AddCell(t.month_cells, kind, key, n);
      });
}

void StatsCounters::Sum(const std::string& scope, const std::string& workflow, bool months,
                        const std::string& lo, const std::string& hi, Sums* sums) const {
  const Groups& groups = months ? months_ : days_;
  for (auto it = groups.lower_bound(GroupView{scope, workflow, INT_MIN, ""});
       it != groups.end() && it->first.scope == scope; ++it) {
    const GroupKey& g = it->first;
    if (!workflow.empty() && g.workflow != workflow) break;
    if (g.day < lo || g.day > hi) continue;
    for (const auto& [cell, n] : it->second) {
      if (n == 0) continue;
      (*sums)[{g.workflow, g.version, cell.first, cell.second}] += n;
    }
  }
}

void StatsCounters::Clear() {
  days_.clear();
  months_.clear();
}

}  // namespace rogatory
