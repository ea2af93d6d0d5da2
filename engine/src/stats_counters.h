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

namespace rogatory {

class StatsCounters {
 public:
  // Workflow, version, kind and key of a summed counter.
  using Sums = std::map<std::tuple<std::string, int, std::string, std::string>, int64_t>;

  // Adds `delta` (StatsDelta's form) to the day cells and the monthly roll-ups.
  void Add(const std::map<StatsCellKey, int64_t>& delta);

  // Adds the changes of a step from `before` to `after`: StatsDelta's cells when the records
  // differ in workflow, version or creation day, StatsStepChanges' otherwise.
  void AddStep(const StatsRecord* before, const StatsRecord& after);

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
  // A cell's (kind, key) as one string, kind + '\0' + key: a kind never holds a NUL (they are
  // fixed names and field names), so the first NUL splits them back.
  using Cells = std::unordered_map<std::string, int64_t>;
  using Groups = std::map<GroupKey, Cells, GroupLess>;
  // One group table with the group its last lookup found: a step's changes all fall in the
  // same group (most steps of a day, in fact), so the tree is walked once per new group.
  struct Table {
    Table() = default;
    Table(Table&&) = default;  // a moved map keeps its nodes: `last` stays valid
    Table& operator=(Table&&) = default;
    // A copy's `last` would point into the original's groups: it starts without one.
    Table(const Table& other) : groups(other.groups) {}
    Table& operator=(const Table& other) {
      groups = other.groups;
      last = nullptr;
      return *this;
    }

    Groups groups;
    Cells* last = nullptr;  // into `groups` (its nodes never move)
    GroupKey last_key;
  };

  // The group of `v` in `table`, added empty when missing. Only Clear removes groups (there
  // is one per day, workflow version and scope), so a reference to one stays valid until then.
  static Cells& GroupOf(Table* table, const GroupView& v);
  // Adds n to the cell (kind, key). A cell that reaches zero is kept (and skipped by Sum), as
  // the SQL stores keep their rows at zero: a request's step moves it out of one state cell
  // and into another, again and again. So a group holds a cell for every state, phase and
  // value its requests have ever had, not only those they have now.
  void AddCell(Cells* cells, std::string_view kind, std::string_view key, int64_t n);

  Table days_;
  Table months_;       // the day cells rolled up: `day` is YYYY-MM
  std::string probe_;  // AddCell's lookup key, its capacity kept between calls
};

}  // namespace rogatory

#endif  // ROGATORY_ENGINE_STATS_COUNTERS_H_
