// StatsDelta checked against counters computed without it: a reference written here from the
// definitions of docs/statistics.md (what one record adds to each counter), itself checked on
// hand-made records whose counters are written out by hand. A step (both records of one
// workflow, version and creation day) takes StatsDelta's fast path, which keys only the cells
// that change: it must give exactly the reference's after-minus-before, zero changes left out.
#include <gtest/gtest.h>

#include <initializer_list>
#include <iterator>
#include <map>
#include <random>
#include <set>
#include <string>
#include <string_view>

#include "rogatory/stats.h"
#include "stats_counters.h"
#include "stats_in_place.h"

namespace rogatory {
namespace {

using Cells = std::map<StatsCellKey, int64_t>;

constexpr int64_t kDayUs = int64_t{86'400'000'000};
constexpr int64_t kHourUs = kDayUs / 24;

// The phases by their enum value, spelled as docs/statistics.md does.
const char* const kPhaseNames[] = {"drafting", "transmission", "execution", "closure"};

// One record's counters, straight from docs/statistics.md ("The figures", "Durations"): the
// request counts once in each scope (every request, and each authority that is a party to it).
Cells ReferenceCells(const StatsRecord& r) {
  std::set<std::string> scopes{""};
  for (const auto& party : r.parties) scopes.insert(party.second);
  Cells out;
  for (const std::string& scope : scopes) {
    auto count = [&](const std::string& kind, const std::string& key, int64_t n) {
      out[StatsCellKey{scope, r.workflow, r.version, r.created_day, kind, key}] += n;
    };
    count("total", "", 1);
    count("state", r.state, 1);
    count("phase", kPhaseNames[static_cast<int>(r.phase)], 1);
    count("status", r.terminal ? "closed" : "open", 1);
    if (r.terminal) count("outcome", r.state, 1);
    if (r.lapsed_now) count("overdue_lapsed", "", 1);
    for (const auto& lapse : r.lapses) count("lapse", lapse.first, lapse.second);
    for (const auto& field : r.breakdowns) {
      for (const std::string& value : field.second) count("breakdown:" + field.first, value, 1);
    }
    // The other side: for an authority, the other parties; for every request, the parties
    // other than the requesting side's.
    std::string self = scope;
    if (scope.empty() && r.parties.count(r.requesting_side) != 0) {
      self = r.parties.at(r.requesting_side);
    }
    std::set<std::string> others;
    for (const auto& party : r.parties) {
      if (party.second != self) others.insert(party.second);
    }
    for (const std::string& authority : others) count("cp_authority", authority, 1);
    if (others.empty() && !r.counterpart_value.empty()) count("cp_value", r.counterpart_value, 1);
    // Whole days between the first entries, for the pairs entered in that order.
    const size_t pairs[][2] = {{1, 3}, {0, 1}, {1, 2}, {2, 3}};
    for (const auto& pair : pairs) {
      const int64_t from = r.phase_entered_us[pair[0]];
      const int64_t to = r.phase_entered_us[pair[1]];
      if (from < 0 || to < from) continue;
      count(std::string("dur:") + kPhaseNames[pair[0]] + ">" + kPhaseNames[pair[1]],
            std::to_string((to - from) / kDayUs), 1);
    }
  }
  return out;
}

// The reference's after minus before, zero changes left out.
Cells ReferenceDelta(const StatsRecord& before, const StatsRecord& after) {
  Cells out = ReferenceCells(after);
  for (const auto& [key, n] : ReferenceCells(before)) out[key] -= n;
  for (auto it = out.begin(); it != out.end();) it = it->second == 0 ? out.erase(it) : ++it;
  return out;
}

// The cells as comparable text (StatsCellKey has only an order), one line each.
std::string Text(const Cells& cells) {
  std::string out;
  for (const auto& [k, n] : cells) {
    out += "[" + k.scope + "|" + k.workflow + "|" + std::to_string(k.version) + "|" + k.day + "|" +
           k.kind + "|" + k.key + "] " + std::to_string(n) + "\n";
  }
  return out;
}

// Cells written out by hand: (scope, kind, key, n) of workflow mla version 2, day 2026-03-10.
struct HandCell {
  const char* scope;
  const char* kind;
  const char* key;
  int64_t n;
};

Cells HandCells(std::initializer_list<HandCell> cells) {
  Cells out;
  for (const HandCell& c : cells) {
    out[StatsCellKey{c.scope, "mla", 2, "2026-03-10", c.kind, c.key}] += c.n;
  }
  return out;
}

StatsRecord HandRecordBase() {
  StatsRecord r;
  r.request_id = "01J0000000000000000000000R";
  r.workflow = "mla";
  r.version = 2;
  r.created_day = "2026-03-10";
  r.requesting_side = "issuing";
  return r;
}

// Refused in closure, between two authorities, a clock lapsed twice, a refusal ground.
StatsRecord RefusedRecord() {
  StatsRecord r = HandRecordBase();
  r.state = "refused";
  r.phase = Phase::kClosure;
  r.terminal = true;
  r.breakdowns["refusal_ground"] = {"sovereignty"};
  r.counterpart_value = "DE";
  r.parties = {{"issuing", "fr-pps"}, {"executing", "de-bmj"}};
  r.lapses["reply"] = 2;
  r.phase_entered_us = {{0, kDayUs + kHourUs, -1, 4 * kDayUs + 2 * kHourUs}};
  return r;
}

// Transmitted by fr-pps, no executing authority yet (its counterpart is the field's value).
StatsRecord TransmittedRecord() {
  StatsRecord r = HandRecordBase();
  r.state = "transmitted";
  r.phase = Phase::kTransmission;
  r.counterpart_value = "DE";
  r.parties = {{"issuing", "fr-pps"}};
  r.phase_entered_us = {{0, kDayUs + kHourUs, -1, -1}};
  return r;
}

// TransmittedRecord a step later: recognised by de-bmj, whose acknowledgement clock lapsed.
StatsRecord ExecutingRecord() {
  StatsRecord r = TransmittedRecord();
  r.state = "executing";
  r.phase = Phase::kExecution;
  r.lapsed_now = true;
  r.lapses["ack"] = 1;
  r.parties["executing"] = "de-bmj";
  r.phase_entered_us[2] = 3 * kDayUs;
  return r;
}

StatsRecord RandomRecord(std::mt19937& rng) {
  auto pick = [&rng](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  StatsRecord r = HandRecordBase();
  r.state = "s" + std::to_string(pick(3));
  r.phase = static_cast<Phase>(pick(kPhaseCount));
  r.terminal = pick(2) == 0;
  r.lapsed_now = pick(2) == 0;
  const char* fields[] = {"offence", "country"};
  for (const char* f : fields) {
    if (pick(2) == 0) continue;
    for (int i = 0, n = pick(3); i < n; ++i) r.breakdowns[f].push_back("v" + std::to_string(i));
  }
  if (pick(2) == 0) r.counterpart_value = "FR";
  r.requesting_side = pick(3) == 0 ? "" : "issuing";
  const char* authorities[] = {"fr-pps", "de-bmj", "be-fps"};
  if (pick(2) == 0) r.parties["issuing"] = authorities[pick(3)];
  if (pick(2) == 0) r.parties["executing"] = authorities[pick(3)];
  if (pick(2) == 0) r.lapses["reply"] = 1 + pick(2);
  if (pick(2) == 0) r.lapses["ack"] = 1;
  for (auto& us : r.phase_entered_us) us = pick(3) == 0 ? -1 : int64_t{pick(40)} * kDayUs / 3;
  return r;
}

// The common step StatsStepChanges takes a short way for: no parties, and `after` is `before`
// with only the state, phase and closedness of the `after` given.
void OnlyTheStateMoves(StatsRecord* before, StatsRecord* after) {
  before->parties.clear();
  StatsRecord moved = *before;
  moved.state = after->state;
  moved.phase = after->phase;
  moved.terminal = after->terminal;
  *after = moved;
}

TEST(StatsDeltaTest, TheReferenceCountsAHandMadeRecordAsWrittenOut) {
  Cells expected;
  // Each scope: the global one (its counterpart is the executing side's de-bmj) and both parties.
  const std::pair<const char*, const char*> scopes[] = {
      {"", "de-bmj"}, {"de-bmj", "fr-pps"}, {"fr-pps", "de-bmj"}};
  for (const auto& [scope, counterpart] : scopes) {
    const Cells one = HandCells({{scope, "total", "", 1},
                                 {scope, "state", "refused", 1},
                                 {scope, "phase", "closure", 1},
                                 {scope, "status", "closed", 1},
                                 {scope, "outcome", "refused", 1},
                                 {scope, "lapse", "reply", 2},
                                 {scope, "breakdown:refusal_ground", "sovereignty", 1},
                                 {scope, "cp_authority", counterpart, 1},
                                 {scope, "dur:transmission>closure", "3", 1},
                                 {scope, "dur:drafting>transmission", "1", 1}});
    expected.insert(one.begin(), one.end());
  }
  EXPECT_EQ(Text(ReferenceCells(RefusedRecord())), Text(expected));
}

TEST(StatsDeltaTest, ACreationAddsTheReferenceCounters) {
  const StatsRecord refused = RefusedRecord();
  EXPECT_EQ(Text(StatsDelta(nullptr, &refused)), Text(ReferenceCells(refused)));
  std::mt19937 rng(20261203);
  for (int i = 0; i < 1000; ++i) {
    const StatsRecord r = RandomRecord(rng);
    ASSERT_EQ(Text(StatsDelta(nullptr, &r)), Text(ReferenceCells(r))) << "case " << i;
  }
}

TEST(StatsDeltaTest, AHandMadeStepChangesTheCountersWrittenOut) {
  const StatsRecord before = TransmittedRecord();
  const StatsRecord after = ExecutingRecord();
  // The global scope and fr-pps: the request moves from transmitted to executing, its
  // counterpart from the field's value to the new party; de-bmj gains the whole request.
  Cells expected;
  for (const char* scope : {"", "fr-pps"}) {
    const Cells one = HandCells({{scope, "state", "transmitted", -1},
                                 {scope, "state", "executing", 1},
                                 {scope, "phase", "transmission", -1},
                                 {scope, "phase", "execution", 1},
                                 {scope, "overdue_lapsed", "", 1},
                                 {scope, "lapse", "ack", 1},
                                 {scope, "cp_value", "DE", -1},
                                 {scope, "cp_authority", "de-bmj", 1},
                                 {scope, "dur:transmission>execution", "1", 1}});
    expected.insert(one.begin(), one.end());
  }
  const Cells added = HandCells({{"de-bmj", "total", "", 1},
                                 {"de-bmj", "state", "executing", 1},
                                 {"de-bmj", "phase", "execution", 1},
                                 {"de-bmj", "status", "open", 1},
                                 {"de-bmj", "overdue_lapsed", "", 1},
                                 {"de-bmj", "lapse", "ack", 1},
                                 {"de-bmj", "cp_authority", "fr-pps", 1},
                                 {"de-bmj", "dur:drafting>transmission", "1", 1},
                                 {"de-bmj", "dur:transmission>execution", "1", 1}});
  expected.insert(added.begin(), added.end());
  EXPECT_EQ(Text(StatsDelta(&before, &after)), Text(expected));
  EXPECT_EQ(Text(ReferenceDelta(before, after)), Text(expected));
}

TEST(StatsDeltaTest, AStepChangesExactlyTheReferenceCounters) {
  std::mt19937 rng(20261202);
  for (int i = 0; i < 3000; ++i) {
    StatsRecord before = RandomRecord(rng);
    StatsRecord after = RandomRecord(rng);
    if (i % 5 == 0) after = before;  // a step that changes no cell at all
    if (i % 7 == 0) after.parties = before.parties;
    if (i % 3 == 1) OnlyTheStateMoves(&before, &after);
    ASSERT_EQ(Text(StatsDelta(&before, &after)), Text(ReferenceDelta(before, after)))
        << "case " << i;
  }
}

// The per-step form the memory store adds from: every cell of the reference's delta, each
// reported exactly once, nothing else.
TEST(StatsDeltaTest, StepChangesReportEachChangedCellOnce) {
  std::mt19937 rng(20261205);
  for (int i = 0; i < 3000; ++i) {
    StatsRecord before = RandomRecord(rng);
    StatsRecord after = RandomRecord(rng);
    if (i % 5 == 0) after = before;
    if (i % 7 == 0) after.parties = before.parties;
    if (i % 3 == 1) OnlyTheStateMoves(&before, &after);
    Cells reported;
    int duplicates = 0;
    StatsStepChanges(
        before, after,
        [&](std::string_view scope, std::string_view kind, std::string_view key, int64_t n) {
          EXPECT_NE(n, 0);
          auto [it, fresh] =
              reported.emplace(StatsCellKey{std::string(scope), after.workflow, after.version,
                                            after.created_day, std::string(kind), std::string(key)},
                               n);
          duplicates += fresh ? 0 : 1;
        });
    ASSERT_EQ(duplicates, 0) << "case " << i;
    ASSERT_EQ(Text(reported), Text(ReferenceDelta(before, after))) << "case " << i;
  }
}

// The memory store's step in place (stats_in_place.h): taken exactly when the next record differs
// from the kept one only in state, phase and closedness without parties; it then leaves the kept
// record equal to NextStatsRecord's and reports the reference's changes. Otherwise it changes
// nothing.
TEST(StatsDeltaTest, AStepInPlaceIsTheNextRecordAndItsChanges) {
  std::mt19937 rng(20261206);
  int in_place = 0;
  for (int i = 0; i < 4000; ++i) {
    StatsRecord before = RandomRecord(rng);
    StatsRecord target = RandomRecord(rng);
    if (i % 2 == 0) OnlyTheStateMoves(&before, &target);
    Request after;
    after.id = before.request_id;
    after.workflow = before.workflow;
    after.version = target.version + (i % 11 == 0 ? 1 : 0);
    after.state = target.state;
    after.phase = target.phase;
    after.parties = target.parties;
    if (target.lapsed_now || i % 3 == 0) {
      DeadlineState d;
      d.name = "reply";
      d.lapsed = target.lapsed_now;
      after.deadlines.push_back(d);
    }
    StatsFacts facts;
    facts.terminal = target.terminal;
    facts.created_day = before.created_day;
    facts.breakdowns = target.breakdowns;
    facts.counterpart_value = target.counterpart_value;
    facts.requesting_side = target.requesting_side;
    if (i % 13 == 0) facts.lapsed_deadline = "reply";
    HistoryEntry entry;
    entry.at = TimePoint(Duration(int64_t{i} * kHourUs));
    const StatsRecord next = NextStatsRecord(&before, after, entry, facts);
    StatsRecord others = next;  // the next record but for the three fields that may move
    others.state = before.state;
    others.phase = before.phase;
    others.terminal = before.terminal;
    const bool expected = others == before && before.parties.empty() && next.parties.empty();

    StatsRecord kept = before;
    StatsStateMove was;
    was.state = "left over from an earlier step";
    const bool moved = MoveStatsRecordInPlace(&kept, after, facts, &was);
    ASSERT_EQ(moved, expected) << "case " << i;
    if (!moved) {
      ASSERT_TRUE(kept == before) << "case " << i;
      continue;
    }
    ++in_place;
    ASSERT_TRUE(kept == next) << "case " << i;
    Cells reported;
    StatsStateMoveChanges(
        was.state, was.phase, was.terminal, kept,
        [&](std::string_view scope, std::string_view kind, std::string_view key, int64_t n) {
          reported[StatsCellKey{std::string(scope), kept.workflow, kept.version, kept.created_day,
                                std::string(kind), std::string(key)}] += n;
        });
    for (auto it = reported.begin(); it != reported.end();) {
      it = it->second == 0 ? reported.erase(it) : std::next(it);
    }
    ASSERT_EQ(Text(reported), Text(ReferenceDelta(before, next))) << "case " << i;
  }
  // Both ways are taken often.
  EXPECT_GT(in_place, 400);
  EXPECT_LT(in_place, 3600);
}

// A callback may compute another step's cells (nested): the outer step's views stay intact.
TEST(StatsDeltaTest, StepChangesMayBeCalledFromTheirOwnCallback) {
  std::mt19937 rng(99);
  for (int i = 0; i < 300; ++i) {
    const StatsRecord before = RandomRecord(rng);
    const StatsRecord after = RandomRecord(rng);
    // The nested step has more items than the outer one, so its buffers would grow (move).
    StatsRecord inner_before = RandomRecord(rng);
    StatsRecord inner_after = RandomRecord(rng);
    for (int v = 0; v < 20; ++v) {
      inner_before.breakdowns["many"].push_back("b" + std::to_string(v));
      inner_after.breakdowns["many"].push_back("a" + std::to_string(v));
    }
    Cells reported;
    Cells inner;
    StatsStepChanges(
        before, after,
        [&](std::string_view scope, std::string_view kind, std::string_view key, int64_t n) {
          if (inner.empty()) inner = StatsDelta(&inner_before, &inner_after);
          reported[StatsCellKey{std::string(scope), after.workflow, after.version,
                                after.created_day, std::string(kind), std::string(key)}] += n;
        });
    ASSERT_EQ(Text(reported), Text(ReferenceDelta(before, after))) << "case " << i;
    if (!reported.empty()) {
      ASSERT_EQ(Text(inner), Text(ReferenceDelta(inner_before, inner_after))) << "case " << i;
    }
  }
}

// The memory store's counters: a run of random steps over several requests, days, versions
// and scopes sums, per query, to what the reference counts for the requests' last records.
TEST(StatsDeltaTest, TheCountersSumWhatTheLastRecordsCount) {
  std::mt19937 rng(11);
  StatsCounters counters;
  std::map<int, StatsRecord> last;  // request -> its current record
  const char* days[] = {"2026-03-10", "2026-03-31", "2026-04-01"};
  for (int i = 0; i < 2000; ++i) {
    const int request = static_cast<int>(rng() % 12);
    StatsRecord next = RandomRecord(rng);
    if (request % 4 == 0) next.workflow = "eaw";  // a second workflow, for the filter
    next.created_day = days[request % 3];
    next.version = 1 + request % 2;
    if (rng() % 50 == 0) next.version = 3;  // now and then a migration moves every cell
    auto it = last.find(request);
    counters.AddStep(it == last.end() ? nullptr : &it->second, next);
    last[request] = next;
  }
  // The reference: each request's last record counted in full, then summed as a query sums.
  auto reference = [&](const std::string& scope, const std::string& workflow, const std::string& lo,
                       const std::string& hi) {
    StatsCounters::Sums sums;
    for (const auto& [request, r] : last) {
      for (const auto& [k, n] : ReferenceCells(r)) {
        if (k.scope != scope || k.day < lo || k.day > hi) continue;
        if (!workflow.empty() && k.workflow != workflow) continue;
        sums[{k.workflow, k.version, k.kind, k.key}] += n;
      }
    }
    for (auto it = sums.begin(); it != sums.end();) it = it->second == 0 ? sums.erase(it) : ++it;
    return sums;
  };
  for (const std::string scope : {"", "fr-pps", "de-bmj", "be-fps", "nobody"}) {
    for (const std::string workflow : {"mla", "eaw", ""}) {
      StatsCounters::Sums days_sum;
      counters.Sum(scope, workflow, /*months=*/false, "2026-03-10", "2026-03-31", &days_sum);
      EXPECT_EQ(days_sum, reference(scope, workflow, "2026-03-10", "2026-03-31"))
          << "scope " << scope << ", workflow " << workflow;
      if (scope != "nobody" && workflow.empty()) {
        EXPECT_FALSE(days_sum.empty()) << "scope " << scope;
      }
      StatsCounters::Sums months_sum;
      counters.Sum(scope, workflow, /*months=*/true, "2026-03", "2026-04", &months_sum);
      EXPECT_EQ(months_sum, reference(scope, workflow, "2026-03-01", "2026-04-31"))
          << "scope " << scope << ", workflow " << workflow;
    }
  }
}

// The counters key a cell by its kind and key joined with a NUL: a key holding NULs (any text a
// request's data may carry) sums back whole, in its day and in its month.
TEST(StatsDeltaTest, AKeyOfAnyBytesSumsBackWhole) {
  StatsRecord created;
  created.request_id = "r1";
  created.workflow = "mla";
  created.version = 1;
  created.created_day = "2026-03-10";
  created.state = std::string("x\0y\0", 4);
  StatsCounters counters;
  counters.AddStep(nullptr, created);
  auto count = [&counters](bool months, const std::string& state) {
    StatsCounters::Sums sums;
    if (months) {
      counters.Sum("", "mla", true, "2026-03", "2026-03", &sums);
    } else {
      counters.Sum("", "mla", false, "2026-03-10", "2026-03-10", &sums);
    }
    auto it = sums.find({"mla", 1, "state", state});
    return it == sums.end() ? 0 : it->second;
  };
  for (bool months : {false, true}) {
    EXPECT_EQ(count(months, std::string("x\0y\0", 4)), 1) << months;
    EXPECT_EQ(count(months, "x"), 0) << months;
  }
  StatsRecord moved = created;
  moved.state = "z";
  counters.AddStep(&created, moved);
  for (bool months : {false, true}) {
    EXPECT_EQ(count(months, "z"), 1) << months;
    EXPECT_EQ(count(months, std::string("x\0y\0", 4)), 0) << months;
  }
}

TEST(StatsDeltaTest, ARecordMovedToAnotherVersionOrDayMovesEveryCell) {
  std::mt19937 rng(7);
  for (int i = 0; i < 200; ++i) {
    const StatsRecord before = RandomRecord(rng);
    StatsRecord after = before;
    if (i % 2 == 0) {
      after.version = 3;  // a migration
    } else {
      after.created_day = "2026-03-11";
    }
    const Cells delta = StatsDelta(&before, &after);
    ASSERT_EQ(Text(delta), Text(ReferenceDelta(before, after))) << "case " << i;
    EXPECT_EQ(delta.size(), 2 * ReferenceCells(before).size()) << "case " << i;
  }
}

}  // namespace
}  // namespace rogatory
