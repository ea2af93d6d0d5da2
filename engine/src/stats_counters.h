// The statistics counters the memory store keeps (CONTRACT §9): the day cells and their
// monthly roll-ups, grouped by (scope, workflow, version, day) with the cells of a group keyed
// by (kind, key) alone. A step's changes fall in one group per scope, so a step finds its group
// once and each cell by one hashed string (issue 16 point 3: the five-string key of every cell
// was most of the memory store's step).
#ifndef ROGATORY_ENGINE_STATS_COUNTERS_H_
#define ROGATORY_ENGINE_STATS_COUNTERS_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "rogatory/stats.h"
#include "stats_in_place.h"

namespace rogatory {

class StatsCounters {
 public:
  // Workflow, version, kind and key of a summed counter.
  using Sums = std::map<std::tuple<std::string, int, std::string, std::string>, int64_t>;

  StatsCounters() = default;
  // Not copied: each day cell points at its month's cell (a copy's would point into this one).
  StatsCounters(const StatsCounters&) = delete;
  StatsCounters& operator=(const StatsCounters&) = delete;

  // Adds `delta` (StatsDelta's form) to the day cells and the monthly roll-ups.
  void Add(const std::map<StatsCellKey, int64_t>& delta);

  // Adds the changes of a step from `before` to `after`: StatsDelta's cells when the records
  // differ in workflow, version or creation day, StatsStepChanges' otherwise.
  void AddStep(const StatsRecord* before, const StatsRecord& after);

  // Adds the changes of a step MoveStatsRecordInPlace made: from `was` to `now`.
  void AddStateMove(const StatsStateMove& was, const StatsRecord& now);

  // Sums into `sums` the counters of `scope` (and `workflow`, unless empty) whose day lies in
  // [lo, hi]; `months` reads the monthly roll-ups (lo and hi are then YYYY-MM).
  void Sum(const std::string& scope, const std::string& workflow, bool months,
           const std::string& lo, const std::string& hi, Sums* sums) const;

  // Forgets every counter.
  void Clear();

 private:
  struct GroupKey {
    std::string scope;
    std::string workflow;
    int version = 0;
    std::string day;
  };
  struct GroupView {
    std::string_view scope;
    std::string_view workflow;
    int version = 0;
    std::string_view day;
  };
  // Orders keys and views alike: scope, workflow, version, day.
  struct GroupLess {
    using is_transparent = void;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      if (int c = std::string_view(a.scope).compare(b.scope)) return c < 0;
      if (int c = std::string_view(a.workflow).compare(b.workflow)) return c < 0;
      if (a.version != b.version) return a.version < b.version;
      return std::string_view(a.day).compare(b.day) < 0;
    }
  };
  // A cell's (kind, key) is one string, kind + '\0' + key: a kind never holds a NUL (they are
  // fixed names and field names), so the first NUL splits them back.
  using MonthCells = std::unordered_map<std::string, int64_t>;
  // A day's cell with its month's: one lookup counts both. The month's is a value in its
  // group's MonthCells, whose elements never move (an unordered_map rehashes by relinking).
  struct DayCell {
    int64_t n = 0;
    int64_t* month = nullptr;
  };
  using DayCells = std::unordered_map<std::string, DayCell>;
  // One group table with the group its last lookup found: a step's changes all fall in the
  // same group (most steps of a day, in fact), so the tree is walked once per new group.
  template <typename Cells>
  struct Table {
    std::map<GroupKey, Cells, GroupLess> groups;
    Cells* last = nullptr;  // into `groups` (its nodes never move)
    GroupKey last_key;
  };

  // The group of `v` in `table`, added empty when missing. Only Clear removes groups (there
  // is one per day, workflow version and scope), so a reference to one stays valid until then.
  template <typename Cells>
  static Cells& GroupOf(Table<Cells>* table, const GroupView& v);
  // Adds n to the cell (kind, key) of a day and to the same cell of its month. A cell that
  // reaches zero is kept (and skipped by Sum), as the SQL stores keep their rows at zero: a
  // request's step moves it out of one state cell and into another, again and again. So a
  // group holds a cell for every state, phase and value its requests have ever had, not only
  // those they have now.
  void AddCell(DayCells* days, MonthCells* months, std::string_view kind, std::string_view key,
               int64_t n);
  // Sum's work on one table.
  template <typename Cells>
  static void SumTable(const Table<Cells>& table, const std::string& scope,
                       const std::string& workflow, const std::string& lo, const std::string& hi,
                       Sums* sums);
  static int64_t CountOf(int64_t n) { return n; }
  static int64_t CountOf(const DayCell& c) { return c.n; }

  Table<DayCells> days_;
  Table<MonthCells> months_;  // the day cells rolled up: `day` is YYYY-MM
  std::string probe_;         // AddCell's lookup key, its capacity kept between calls
};

}  // namespace rogatory

#endif  // ROGATORY_ENGINE_STATS_COUNTERS_H_
