// Issue 15 at 1 M: a statistics call reads whole months from the monthly roll-ups (schema 9) and
// only its partial months' days from the day counters. On every store, for ranges crossing month
// and year edges, partial months, a single day, open ends and empty ranges, the answer equals
// the day counters' (the sum of single-day calls, which read days only) and equals the same
// counters recounted from the histories (Engine::RebuildStats); a version-7 SQLite database
// gets its roll-ups from its day counters when schema 9 migrates it.
#include <sqlite3.h>

#include <map>
#include <tuple>

#include "rogatory/time.h"
#include "sqlite_exec.h"
#include "stats_test_fixture.h"

namespace rogatory::testing {
namespace {

using Cells = std::map<std::tuple<std::string, int, std::string, std::string>, int64_t>;

std::string NextDay(const std::string& day) {
  auto t = ParseRfc3339(day + "T00:00:00Z");
  return FormatRfc3339(*t + std::chrono::hours(24)).substr(0, 10);
}

class StatsRollupTest : public StatsStoreTest {
 protected:
  // A walk whose requests are created from mid-October 2026 to well into 2027.
  void WalkAcrossAYear() {
    clock_->Advance(std::chrono::hours(24 * 227));  // 2026-03-02 -> 2026-10-15
    RandomWalk(11, 360, 70);
    RequestQuery q;
    q.limit = 1000;
    auto page = engine_->List(q, Auditor());
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    for (const Request& r : page->items) {
      const std::string day = FormatRfc3339(r.created_at).substr(0, 10);
      if (first_.empty() || day < first_) first_ = day;
      if (day > last_) last_ = day;
    }
    ASSERT_LT(first_, "2026-12-01");
    ASSERT_GT(last_, "2027-03-01");
  }

  Cells Query(const std::string& scope, const std::string& from, const std::string& to) {
    StatsQuery q{scope, "", from, to, clock_->Now()};
    auto cells = db_->store().QueryStats(q);
    EXPECT_TRUE(cells.ok()) << cells.status().ToString();
    Cells out;
    if (!cells.ok()) return out;
    for (const StatsCell& c : *cells) {
      const auto [it, inserted] =
          out.emplace(std::make_tuple(c.workflow, c.version, c.kind, c.key), c.n);
      EXPECT_TRUE(inserted) << "cell listed twice: " << c.kind << " " << c.key;
    }
    return out;
  }

  // Each day's own answer (a single day is a partial month: read from the day counters), from
  // the day before the first creation to the day after the last.
  std::map<std::string, Cells> DayAnswers(const std::string& scope) {
    std::map<std::string, Cells> out;
    const std::string end = NextDay(last_);
    for (std::string day = "2026-10-14"; day <= end; day = NextDay(day)) {
      out[day] = Query(scope, day, day);
    }
    return out;
  }

  // The ranges checked: month and year edges, partial and whole months, single days, open
  // ends, empty; then random ones.
  std::vector<std::pair<std::string, std::string>> Ranges() {
    std::vector<std::pair<std::string, std::string>> out = {
        {"", ""},
        {first_, first_},
        {last_, last_},
        {"2026-11-05", "2026-11-20"},
        {"2026-11-01", "2026-11-30"},
        {"2026-11-30", "2026-12-01"},
        {"2026-11-15", "2026-12-10"},
        {"2026-12-10", "2027-02-03"},
        {"2026-11-30", "2027-01-31"},
        {"2026-12-31", "2027-01-01"},
        {"2026-11-01", "2027-03-31"},
        {"2027-02-01", "2027-02-28"},
        {"2027-02-28", "2027-03-01"},
        {"", "2027-01-15"},
        {"", "2026-12-31"},
        {"2026-12-31", ""},
        {"2027-01-01", ""},
        {"2000-01-01", "2000-01-31"},
        {"2099-01-01", ""},
        {"", "2001-06-30"},
    };
    std::mt19937 rng(5);
    std::vector<std::string> days;
    for (std::string d = "2026-10-10"; d <= NextDay(last_); d = NextDay(d)) days.push_back(d);
    for (int i = 0; i < 30; ++i) {
      std::string a = days[rng() % days.size()], b = days[rng() % days.size()];
      if (b < a) std::swap(a, b);
      out.emplace_back(a, b);
    }
    return out;
  }

  // The day counters' answer for [from, to]: the sum of the single-day answers.
  static Cells SumOfDays(const std::map<std::string, Cells>& days, const std::string& from,
                         const std::string& to) {
    Cells out;
    for (const auto& [day, cells] : days) {
      if ((!from.empty() && day < from) || (!to.empty() && day > to)) continue;
      for (const auto& [k, n] : cells) out[k] += n;
    }
    return out;
  }

  void ExpectRangesEqualDays(const std::string& what) {
    for (const std::string scope : {"", "de.sta"}) {
      const std::map<std::string, Cells> days = DayAnswers(scope);
      for (const auto& [from, to] : Ranges()) {
        SCOPED_TRACE(what + ", scope '" + scope + "', " + from + " .. " + to);
        EXPECT_EQ(Query(scope, from, to), SumOfDays(days, from, to));
      }
    }
  }

  std::string first_, last_;
};

TEST_P(StatsRollupTest, MonthlyRollUpsGiveTheDayCountersAnswerForAnyRange) {
  WalkAcrossAYear();
  const Cells all = Query("", "", "");
  EXPECT_GT(all.at({"stats_mla", 1, "total", ""}), 60);
  ExpectRangesEqualDays("incremental");
  // The recount from the histories gives the same answers, range by range.
  std::vector<Cells> before;
  for (const auto& [from, to] : Ranges()) before.push_back(Query("", from, to));
  auto n = engine_->RebuildStats();
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  const auto ranges = Ranges();
  for (size_t i = 0; i < ranges.size(); ++i) {
    SCOPED_TRACE("rebuilt, " + ranges[i].first + " .. " + ranges[i].second);
    EXPECT_EQ(Query("", ranges[i].first, ranges[i].second), before[i]);
  }
  ExpectRangesEqualDays("rebuilt");
}

// Schema 9 on a version-8 database (day counters, no roll-ups): the migration builds the
// roll-ups from the day counters, and every range gives the answer it gave before.
class StatsMigrationTest : public StatsRollupTest {};

TEST_P(StatsMigrationTest, MigratingAVersion8DatabaseBuildsTheRollUps) {
  WalkAcrossAYear();
  std::vector<Cells> before;
  for (const auto& [from, to] : Ranges()) before.push_back(Query("de.sta", from, to));
  SqliteExec(db_->sqlite_path(),
             kBackToVersion11 + "DROP TABLE stats_months; UPDATE schema_version SET version = 8;");
  ASSERT_TRUE(db_->Reopen().ok());
  const auto ranges = Ranges();
  for (size_t i = 0; i < ranges.size(); ++i) {
    SCOPED_TRACE("migrated, " + ranges[i].first + " .. " + ranges[i].second);
    EXPECT_EQ(Query("de.sta", ranges[i].first, ranges[i].second), before[i]);
  }
  ExpectRangesEqualDays("migrated");
}

INSTANTIATE_TEST_SUITE_P(Stores, StatsRollupTest,
                         ::testing::Values(StoreKind::kMemory, StoreKind::kSqlite,
                                           StoreKind::kPostgres),
                         [](const ::testing::TestParamInfo<StoreKind>& info) {
                           return StoreKindName(info.param);
                         });

// The version-7 database is made by editing an SQLite file.
INSTANTIATE_TEST_SUITE_P(Sqlite, StatsMigrationTest, ::testing::Values(StoreKind::kSqlite),
                         [](const ::testing::TestParamInfo<StoreKind>& info) {
                           return StoreKindName(info.param);
                         });

}  // namespace
}  // namespace rogatory::testing
