// StatsDelta for a step (both records of one workflow, version and creation day) keys only the
// cells that change, without building the contributions that cancel. It must give exactly the
// counters of the full computation: the after record's contribution minus the before record's
// (each computed alone, by StatsDelta from nothing), zero changes left out.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>

#include "rogatory/stats.h"

namespace rogatory {
namespace {

using Cells = std::map<StatsCellKey, int64_t>;

// after's cells minus before's, each from nothing: the definition of the delta.
Cells FullDelta(const StatsRecord& before, const StatsRecord& after) {
  Cells out = StatsDelta(nullptr, &after);
  for (const auto& [key, n] : StatsDelta(nullptr, &before)) out[key] -= n;
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

StatsRecord RandomRecord(std::mt19937& rng) {
  auto pick = [&rng](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  StatsRecord r;
  r.request_id = "01J0000000000000000000000R";
  r.workflow = "mla";
  r.version = 2;
  r.created_day = "2026-03-10";
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
  for (auto& us : r.phase_entered_us) {
    us = pick(3) == 0 ? -1 : int64_t{pick(40)} * 86'400'000'000 / 3;
  }
  return r;
}

TEST(StatsDeltaTest, AStepKeysExactlyTheCellsTheFullComputationChanges) {
  std::mt19937 rng(20261202);
  for (int i = 0; i < 3000; ++i) {
    const StatsRecord before = RandomRecord(rng);
    StatsRecord after = RandomRecord(rng);
    if (i % 5 == 0) after = before;  // a step that changes no cell at all
    if (i % 7 == 0) after.parties = before.parties;
    ASSERT_EQ(Text(StatsDelta(&before, &after)), Text(FullDelta(before, after))) << "case " << i;
  }
}

TEST(StatsDeltaTest, ARecordMovedToAnotherVersionOrDayStillMovesEveryCell) {
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
    ASSERT_EQ(Text(delta), Text(FullDelta(before, after))) << "case " << i;
    EXPECT_EQ(delta.size(), 2 * StatsDelta(nullptr, &before).size()) << "case " << i;
  }
}

}  // namespace
}  // namespace rogatory
