// A request's statistics record and its contribution to the counters (docs/statistics.md
// defines each kind).
#include <algorithm>
#include <iterator>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rogatory/stats.h"
#include "stats_in_place.h"

namespace rogatory {
namespace {

constexpr int64_t kMicrosPerDay = int64_t{86'400} * 1'000'000;

// The phase pairs whose durations are kept: the first entry into the first to the first entry
// into the second.
constexpr std::pair<Phase, Phase> kDurationPairs[] = {
    {Phase::kTransmission, Phase::kClosure},
    {Phase::kDrafting, Phase::kTransmission},
    {Phase::kTransmission, Phase::kExecution},
    {Phase::kExecution, Phase::kClosure},
};

struct Contribution {
  std::string kind;
  std::string key;
  int64_t n = 0;
};

// The authority ids counted as the counterpart of `r` for `scope`: the parties other than the
// scope's own authority; for the global scope, the parties other than the requesting side's.
std::set<std::string> Counterparts(const StatsRecord& r, const std::string& scope) {
  std::string self = scope;
  if (self.empty()) {
    auto it = r.parties.find(r.requesting_side);
    if (it != r.parties.end()) self = it->second;
  }
  std::set<std::string> out;
  for (const auto& [side, authority] : r.parties) {
    if (authority != self) out.insert(authority);
  }
  return out;
}

std::vector<Contribution> ContributionOf(const StatsRecord& r, const std::string& scope) {
  std::vector<Contribution> out;
  out.push_back({"total", "", 1});
  out.push_back({"state", r.state, 1});
  out.push_back({"phase", PhaseName(r.phase), 1});
  out.push_back({"status", r.terminal ? "closed" : "open", 1});
  if (r.terminal) out.push_back({"outcome", r.state, 1});
  if (r.lapsed_now) out.push_back({"overdue_lapsed", "", 1});
  for (const auto& [deadline, n] : r.lapses) out.push_back({"lapse", deadline, n});
  for (const auto& [field, values] : r.breakdowns) {
    for (const std::string& v : values) out.push_back({"breakdown:" + field, v, 1});
  }
  const std::set<std::string> others = Counterparts(r, scope);
  for (const std::string& authority : others) out.push_back({"cp_authority", authority, 1});
  if (others.empty() && !r.counterpart_value.empty()) {
    out.push_back({"cp_value", r.counterpart_value, 1});
  }
  for (const auto& [from, to] : kDurationPairs) {
    const int64_t a = r.phase_entered_us[static_cast<size_t>(from)];
    const int64_t b = r.phase_entered_us[static_cast<size_t>(to)];
    if (a < 0 || b < a) continue;
    out.push_back({std::string("dur:") + PhaseName(from) + ">" + PhaseName(to),
                   std::to_string((b - a) / kMicrosPerDay), 1});
  }
  return out;
}

std::set<std::string> ScopesOf(const StatsRecord& r) {
  std::set<std::string> scopes{""};
  for (const auto& [side, authority] : r.parties) scopes.insert(authority);
  return scopes;
}

void AddContribution(const StatsRecord& r, int64_t sign, std::map<StatsCellKey, int64_t>* delta) {
  for (const std::string& scope : ScopesOf(r)) {
    for (Contribution& c : ContributionOf(r, scope)) {
      (*delta)[StatsCellKey{scope, r.workflow, r.version, r.created_day, std::move(c.kind),
                            std::move(c.key)}] += sign * c.n;
    }
  }
}

// One record's contributions to one scope, as views into the record (and into `texts`, for
// the few keys that are computed): what StatsDelta compares for a step.
struct ContributionViews {
  struct Item {
    std::string_view kind;
    std::string_view key;
    int64_t n = 0;
  };
  std::vector<Item> items;
  std::vector<std::string> texts;  // reserved up front: views into it stay valid
  std::set<std::string> others;    // the counterpart authorities the views point into
  std::vector<char> matched;       // StatsStepChanges' marks, one per item
};

// The duration kinds of kDurationPairs, in the same order, as ContributionOf spells them.
const std::string& DurationKind(size_t i) {
  static const std::vector<std::string> kinds = [] {
    std::vector<std::string> out;
    for (const auto& [from, to] : kDurationPairs) {
      out.push_back(std::string("dur:") + PhaseName(from) + ">" + PhaseName(to));
    }
    return out;
  }();
  return kinds[i];
}

// ContributionOf(r, scope) without copying a string of the record: the same items (the
// equivalence is tested against the full computation in stats_delta_test.cc).
void ViewContributions(const StatsRecord& r, const std::string& scope, ContributionViews* out) {
  out->items.clear();
  out->texts.clear();
  size_t computed = 0;
  for (const auto& entry : r.breakdowns) computed += entry.second.empty() ? 0 : 1;
  for (const auto& [from, to] : kDurationPairs) {
    const int64_t a = r.phase_entered_us[static_cast<size_t>(from)];
    computed += a >= 0 && r.phase_entered_us[static_cast<size_t>(to)] >= a ? 1 : 0;
  }
  if (out->texts.capacity() < computed) out->texts.reserve(computed);
  auto add = [out](std::string_view kind, std::string_view key, int64_t n) {
    out->items.push_back({kind, key, n});
  };
  add("total", "", 1);
  add("state", r.state, 1);
  add("phase", PhaseName(r.phase), 1);
  add("status", r.terminal ? "closed" : "open", 1);
  if (r.terminal) add("outcome", r.state, 1);
  if (r.lapsed_now) add("overdue_lapsed", "", 1);
  for (const auto& [deadline, n] : r.lapses) add("lapse", deadline, n);
  for (const auto& [field, values] : r.breakdowns) {
    if (values.empty()) continue;
    out->texts.push_back("breakdown:" + field);
    for (const std::string& v : values) add(out->texts.back(), v, 1);
  }
  if (r.parties.empty()) {
    out->others.clear();  // no counterpart (the common case, without authorities)
  } else {
    out->others = Counterparts(r, scope);
  }
  for (const std::string& authority : out->others) add("cp_authority", authority, 1);
  if (out->others.empty() && !r.counterpart_value.empty()) {
    add("cp_value", r.counterpart_value, 1);
  }
  for (size_t i = 0; i < std::size(kDurationPairs); ++i) {
    const auto& [from, to] = kDurationPairs[i];
    const int64_t a = r.phase_entered_us[static_cast<size_t>(from)];
    const int64_t b = r.phase_entered_us[static_cast<size_t>(to)];
    if (a < 0 || b < a) continue;
    out->texts.push_back(std::to_string((b - a) / kMicrosPerDay));
    add(DurationKind(i), out->texts.back(), 1);
  }
}

}  // namespace

bool StatsSameCells(const StatsRecord& a, const StatsRecord& b) {
  return a.version == b.version && a.workflow == b.workflow && a.created_day == b.created_day;
}

namespace {

// True for the common step: no parties on either side (the global scope alone) and nothing
// changed but the state, the phase and whether the request is closed (a note, a move between
// phases already entered). Every other item of the two records' contributions cancels then.
bool OnlyStateMoved(const StatsRecord& a, const StatsRecord& b) {
  return a.parties.empty() && b.parties.empty() && a.lapsed_now == b.lapsed_now &&
         a.phase_entered_us == b.phase_entered_us && a.lapses == b.lapses &&
         a.counterpart_value == b.counterpart_value && a.breakdowns == b.breakdowns;
}

}  // namespace

// Per scope, the `after` items minus the `before` items, each pair that cancels left out.
// Within one scope a record's (kind, key) items are distinct, so each cell is reported once.
void StatsStepChanges(const StatsRecord& before, const StatsRecord& after,
                      const StatsChangeFn& change) {
  if (OnlyStateMoved(before, after)) {
    StatsStateMoveChanges(before.state, before.phase, before.terminal, after, change);
    return;
  }
  // Every step of every request comes here: the buffers keep their capacity between calls. A
  // call made from inside `change` (nested) gets buffers of its own: the outer call's views
  // point into the thread's.
  thread_local ContributionViews thread_b;
  thread_local ContributionViews thread_a;
  thread_local int depth = 0;
  std::optional<ContributionViews> own_b;
  std::optional<ContributionViews> own_a;
  if (depth > 0) {
    own_b.emplace();
    own_a.emplace();
  }
  ContributionViews& b = depth > 0 ? *own_b : thread_b;
  ContributionViews& a = depth > 0 ? *own_a : thread_a;
  struct Depth {
    int& n;
    explicit Depth(int& d) : n(d) { ++n; }
    ~Depth() { --n; }
  } nested(depth);
  static const std::set<std::string> kGlobalOnly{""};
  const bool no_parties = before.parties.empty() && after.parties.empty();
  const std::set<std::string> before_scopes =
      no_parties ? std::set<std::string>() : ScopesOf(before);
  const std::set<std::string> after_scopes = no_parties ? std::set<std::string>() : ScopesOf(after);
  const std::set<std::string>& before_in = no_parties ? kGlobalOnly : before_scopes;
  const std::set<std::string>& after_in = no_parties ? kGlobalOnly : after_scopes;
  auto put = [&](const std::string& scope, std::string_view kind, std::string_view key, int64_t n) {
    if (n != 0) change(scope, kind, key, n);
  };
  for (const std::string& scope : after_in) {
    ViewContributions(after, scope, &a);
    if (before_in.count(scope) == 0) {
      for (const auto& item : a.items) put(scope, item.kind, item.key, item.n);
      continue;
    }
    ViewContributions(before, scope, &b);
    b.matched.assign(b.items.size(), 0);
    for (const auto& item : a.items) {
      int64_t n = item.n;
      for (size_t i = 0; i < b.items.size(); ++i) {
        if (!b.matched[i] && b.items[i].kind == item.kind && b.items[i].key == item.key) {
          b.matched[i] = 1;
          n -= b.items[i].n;
          break;
        }
      }
      put(scope, item.kind, item.key, n);
    }
    for (size_t i = 0; i < b.items.size(); ++i) {
      if (!b.matched[i]) put(scope, b.items[i].kind, b.items[i].key, -b.items[i].n);
    }
  }
  for (const std::string& scope : before_in) {
    if (after_in.count(scope) != 0) continue;
    ViewContributions(before, scope, &b);
    for (const auto& item : b.items) put(scope, item.kind, item.key, -item.n);
  }
}

namespace {

std::string UtcDay(TimePoint t) { return FormatRfc3339(t).substr(0, 10); }

}  // namespace

StatsRecord NextStatsRecord(const StatsRecord* before, const Request& after,
                            const HistoryEntry& entry, const StatsFacts& facts) {
  StatsRecord r;
  NextStatsRecordInto(before, after, entry, facts, &r);
  return r;
}

void NextStatsRecordInto(const StatsRecord* before, const Request& after, const HistoryEntry& entry,
                         const StatsFacts& facts, StatsRecord* out) {
  StatsRecord& r = *out;
  if (before != nullptr) {
    r = *before;
  } else {
    r = StatsRecord();
    r.request_id = after.id;
    r.workflow = after.workflow;
    r.created_day = facts.created_day.empty() ? UtcDay(after.created_at) : facts.created_day;
  }
  r.version = after.version;
  r.state = after.state;
  r.phase = after.phase;
  r.terminal = facts.terminal;
  r.lapsed_now = std::any_of(after.deadlines.begin(), after.deadlines.end(),
                             [](const DeadlineState& d) { return d.lapsed; });
  r.breakdowns = facts.breakdowns;
  r.counterpart_value = facts.counterpart_value;
  r.requesting_side = facts.requesting_side;
  r.parties = after.parties;
  int64_t& entered = r.phase_entered_us[static_cast<size_t>(after.phase)];
  if (entered < 0) entered = ToUnixMicros(entry.at);
  if (!facts.lapsed_deadline.empty()) r.lapses[facts.lapsed_deadline] += 1;
}

bool MoveStatsRecordInPlace(StatsRecord* record, const Request& after, const StatsFacts& facts,
                            StatsStateMove* was) {
  // NextStatsRecordInto's fields, each but the three required to come out as they were (so no
  // first entry into a phase, which the entry would date).
  StatsRecord& r = *record;
  const bool lapsed_now = std::any_of(after.deadlines.begin(), after.deadlines.end(),
                                      [](const DeadlineState& d) { return d.lapsed; });
  if (r.version != after.version || r.lapsed_now != lapsed_now || !r.parties.empty() ||
      !after.parties.empty() || r.phase_entered_us[static_cast<size_t>(after.phase)] < 0 ||
      !facts.lapsed_deadline.empty() || r.counterpart_value != facts.counterpart_value ||
      r.requesting_side != facts.requesting_side || r.breakdowns != facts.breakdowns) {
    return false;
  }
  was->state.assign(r.state);
  was->phase = r.phase;
  was->terminal = r.terminal;
  r.state = after.state;
  r.phase = after.phase;
  r.terminal = facts.terminal;
  return true;
}

std::map<StatsCellKey, int64_t> StatsDelta(const StatsRecord* before, const StatsRecord* after) {
  std::map<StatsCellKey, int64_t> delta;
  if (before != nullptr && after != nullptr && StatsSameCells(*before, *after)) {
    // A step: the cells differ only in kind and key, and most of them cancel (the request
    // still counts once in "total", its status often stays "open"...). Only what changed is
    // keyed, without building the contributions that cancel.
    StatsStepChanges(
        *before, *after,
        [&](std::string_view scope, std::string_view kind, std::string_view key, int64_t n) {
          delta[StatsCellKey{std::string(scope), after->workflow, after->version,
                             after->created_day, std::string(kind), std::string(key)}] += n;
        });
    return delta;
  }
  if (before != nullptr) AddContribution(*before, -1, &delta);
  if (after != nullptr) AddContribution(*after, 1, &delta);
  for (auto it = delta.begin(); it != delta.end();) {
    it = it->second == 0 ? delta.erase(it) : std::next(it);
  }
  return delta;
}

bool StatsRecordMatches(const StatsRecord& r, const StatsQuery& q) {
  if (!q.workflow.empty() && r.workflow != q.workflow) return false;
  if (!q.from_day.empty() && r.created_day < q.from_day) return false;
  if (!q.to_day.empty() && r.created_day > q.to_day) return false;
  if (q.scope.empty()) return true;
  return std::any_of(r.parties.begin(), r.parties.end(),
                     [&](const auto& p) { return p.second == q.scope; });
}

}  // namespace rogatory
