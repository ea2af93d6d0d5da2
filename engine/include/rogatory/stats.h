// Statistics kept incrementally (CONTRACT §9, docs/statistics.md). Each request has a small
// StatsRecord (its state, phase, first entry into each phase, lapses, breakdown values, parties)
// that every step rewrites in the step's own transaction; the record's contribution to a set of
// counters ("cells", per scope, workflow, version and creation day) is adjusted by the
// difference between the old and the new record. A call then sums cells over days: its cost
// depends on the number of days and distinct values, not on the number of requests.
#ifndef ROGATORY_STATS_H_
#define ROGATORY_STATS_H_

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "rogatory/request.h"
#include "rogatory/status.h"
#include "rogatory/time.h"
#include "rogatory/workflow.h"

namespace rogatory {

// What the engine knows about a step that a store cannot know by itself; set on every Mutation
// the engine writes (Mutation::stats).
struct StatsFacts {
  bool terminal = false;    // the request's state after the step is terminal
  std::string created_day;  // YYYY-MM-DD of the request's creation, deployment time zone
  // The values of the fields the workflow lists under `stats:`, after the step (a list field
  // gives each distinct item; unset fields are absent). Booleans as "true"/"false".
  std::map<std::string, std::vector<std::string>> breakdowns{};
  std::string counterpart_value{};  // the `{counterpart: FIELD}` value, empty when none
  std::string requesting_side{};    // the workflow's first side (empty without sides)
  std::string lapsed_deadline{};    // the clock whose lapse this step records, if any
};

// One request's statistics record. Phase entry times are unix microseconds, -1 = never.
struct StatsRecord {
  RequestId request_id;
  std::string workflow;
  int version = 0;
  std::string created_day;
  std::string state;
  Phase phase = Phase::kDrafting;
  bool terminal = false;
  bool lapsed_now = false;  // a lapsed clock is on the request (it is overdue, CONTRACT §7)
  std::map<std::string, std::vector<std::string>> breakdowns{};
  std::string counterpart_value{};
  std::string requesting_side{};
  std::map<std::string, std::string> parties{};
  std::map<std::string, int64_t> lapses{};  // deadline -> how many times it lapsed
  std::array<int64_t, kPhaseCount> phase_entered_us{{-1, -1, -1, -1}};

  // Every field, in order (the SQL stores write a record again only when a step changed it).
  auto Tie() const {
    return std::tie(request_id, workflow, version, created_day, state, phase, terminal, lapsed_now,
                    breakdowns, counterpart_value, requesting_side, parties, lapses,
                    phase_entered_us);
  }
  friend bool operator==(const StatsRecord& a, const StatsRecord& b) { return a.Tie() == b.Tie(); }
  friend bool operator!=(const StatsRecord& a, const StatsRecord& b) { return !(a == b); }
};

// The key of one counter: `scope` is "" (every request) or an authority id (the requests it is
// a party to); `day` the creation day; `kind`/`key` what is counted (docs/statistics.md).
struct StatsCellKey {
  std::string scope;
  std::string workflow;
  int version = 0;
  std::string day;
  std::string kind;
  std::string key;
  // Ordered by scope, workflow, version, day, kind, key (what std::tie gives), with one
  // three-way comparison per field: every step's counters are looked up by it.
  friend bool operator<(const StatsCellKey& a, const StatsCellKey& b) {
    if (int c = a.scope.compare(b.scope)) return c < 0;
    if (int c = a.workflow.compare(b.workflow)) return c < 0;
    if (a.version != b.version) return a.version < b.version;
    if (int c = a.day.compare(b.day)) return c < 0;
    if (int c = a.kind.compare(b.kind)) return c < 0;
    return a.key.compare(b.key) < 0;
  }
};

// A counter summed over the days a query covers.
struct StatsCell {
  std::string workflow;
  int version = 0;
  std::string kind;
  std::string key;
  int64_t n = 0;
};

// What a statistics call asks a store for. Days are YYYY-MM-DD; empty means open-ended.
struct StatsQuery {
  std::string scope;     // "" = every request, else an authority id
  std::string workflow;  // empty: every workflow
  std::string from_day;
  std::string to_day;
  TimePoint now;  // for the running clocks already past due ("overdue_running")
};

// The record after step `m`, from the record before it (nullptr for a creation).
StatsRecord NextStatsRecord(const StatsRecord* before, const Request& after,
                            const HistoryEntry& entry, const StatsFacts& facts);

// NextStatsRecord into `*out`, which must not be `before`: assigning into a record kept from an
// earlier step reuses its strings' and maps' storage (a step then allocates nothing for it).
void NextStatsRecordInto(const StatsRecord* before, const Request& after, const HistoryEntry& entry,
                         const StatsFacts& facts, StatsRecord* out);

// The counters to add (positive) or remove (negative) when a request's record goes from
// `before` to `after` (either may be nullptr); zero changes are left out.
std::map<StatsCellKey, int64_t> StatsDelta(const StatsRecord* before, const StatsRecord* after);

// True when `a` and `b` count under the same workflow, version and creation day: the cells of a
// step between them differ only in scope, kind and key.
bool StatsSameCells(const StatsRecord& a, const StatsRecord& b);

// One counter change of a step: scope, kind, key (views valid during the call only) and n.
using StatsChangeFn = std::function<void(std::string_view scope, std::string_view kind,
                                         std::string_view key, int64_t n)>;

// The cells StatsDelta(&before, &after) holds for records with StatsSameCells, passed to
// `change` (in no particular order) without building a key or a map: the per-step form for a
// store that finds each (scope, workflow, version, day) group once per step. Each cell is passed
// once when the records' values are distinct, as StatsFacts gives them (a value repeated in a
// list field is passed once per repeat: adding them gives StatsDelta's count). `scope` views
// stay valid until StatsStepChanges returns, `kind` and `key` only during the call. `change`
// may itself call StatsDelta or StatsStepChanges.
void StatsStepChanges(const StatsRecord& before, const StatsRecord& after,
                      const StatsChangeFn& change);

// True when `r` falls in `q` (scope, workflow, creation day range).
bool StatsRecordMatches(const StatsRecord& r, const StatsQuery& q);

// The record as compact JSON text and back (SQL stores keep it in one column): the bytes of
// nlohmann's dump() of its object, keys sorted. InvalidArgument when `text` is not such a
// record. The out-parameter form reuses `out`'s buffer (a writer's, step after step).
std::string StatsRecordToText(const StatsRecord& r);
void StatsRecordToText(const StatsRecord& r, std::string* out);
Result<StatsRecord> StatsRecordFromText(const std::string& text);

}  // namespace rogatory

#endif  // ROGATORY_STATS_H_
