// Migration of running European Arrest Warrants from version 1 to version 2, with the map
// documented in docs/workflows/eaw.md ("Migrating from version 1"), on a real SQLite file: a
// request in every non-terminal state of version 1 ends in the mapped state with its clocks as
// documented.
#include <gtest/gtest.h>

#include "workflows/migration.h"

namespace rogatory::workflow_testing {
namespace {

using nlohmann::json;

// docs/workflows/eaw.md: every state keeps its name except surrender_postponed, whose version 1
// request carries no new date for the version 2 clock.
const std::map<std::string, std::string> kMap = {{"surrender_postponed", "surrender_deferred"}};

void Issue(Scenario& s) {
  s.Create({{"issuing_state", "PL"}});
  s.Do("issue", kIssuer,
       {{"issuing_authority_details", "Sad Okregowy w Krakowie"},
        {"requested_person", "J. K."},
        {"warrant_purpose", "prosecution"},
        {"offence_classification", "fraud"},
        {"offence_description", "2024-2025, Krakow"}});
}
void Transmit(Scenario& s) {
  Issue(s);
  s.Do("transmit_direct", kIssuer, {{"executing_state", "NL"}, {"channel", "direct"}});
}
void Arrest(Scenario& s) {
  Transmit(s);
  s.Do("arrest", kExecutor,
       {{"detention_status", "in_custody"}, {"person_informed_of_rights", true}});
}
void Hearing(Scenario& s) {
  Arrest(s);
  s.Advance(Days(2));
  s.Do("hold_hearing", kExecutor);
}
void Contested(Scenario& s) {
  Hearing(s);
  s.Do("record_no_consent", kExecutor);
}
void Ordered(Scenario& s) {
  Contested(s);
  s.Advance(Days(5));
  s.Do("decide_surrender", kExecutor);
}

std::vector<MigrationCase> Cases() {
  return {
      {"draft",
       [](Scenario& s) {
         s.Create({{"issuing_state", "PL"}});
       },
       "draft",
       {},
       {}},
      {"issued", Issue, "issued", {}, {}},
      {"transmitted_direct", Transmit, "transmitted_direct", {}, {}},
      {"sis_alert_active",
       [](Scenario& s) {
         Issue(s);
         s.Do("enter_sis_alert", kIssuer, {{"sis_alert_id", "PL-1"}});
       },
       "sis_alert_active",
       {},
       {}},
      {"arrested", Arrest, "arrested", {"decision_60d"}, {}},
      {"hearing", Hearing, "hearing", {"decision_60d"}, {}},
      {"consented",
       [](Scenario& s) {
         Hearing(s);
         s.Do("record_consent", kExecutor,
              {{"consent_to_surrender", true}, {"speciality_waived", false}});
       },
       "consented",
       {"decision_consent_10d"},
       {}},
      {"contested", Contested, "contested", {"decision_60d"}, {}},
      {"decision_extended",
       [](Scenario& s) {
         Contested(s);
         s.Do("extend_decision_limit", kExecutor, {{"extension_reasons", "appeal"}});
       },
       "decision_extended",
       {"decision_60d"},
       {}},
      {"decision_overdue",
       [](Scenario& s) {
         Contested(s);
         s.Advance(Days(60));
       },
       "decision_overdue",
       {},
       {"decision_60d"}},
      {"delay_reported_to_eurojust",
       [](Scenario& s) {
         Contested(s);
         s.Advance(Days(60));
         s.Do("inform_eurojust", kExecutor, {{"delay_reasons", "backlog"}});
       },
       "delay_reported_to_eurojust",
       {},
       {"decision_60d"}},
      // Version 1's surrender clock keeps running with its due time (10 days from the decision).
      {"surrender_ordered", Ordered, "surrender_ordered", {"surrender_10d"}, {}},
      {"surrender_postponed",
       [](Scenario& s) {
         Ordered(s);
         s.Do("postpone_surrender", kExecutor,
              {{"postponement_ground", "art23_3"}, {"postponement_reasons", "strike"}});
       },
       "surrender_deferred",
       {},
       {}},
      {"temporarily_surrendered",
       [](Scenario& s) {
         Ordered(s);
         s.Do("surrender_temporarily", kExecutor, {{"temporary_surrender_conditions", "return"}});
       },
       "temporarily_surrendered",
       {},
       {}},
      // The lapsed version 1 surrender clock is dropped: version 2 binds it to the surrender
      // states.
      {"released_time_limit",
       [](Scenario& s) {
         Ordered(s);
         s.Advance(Days(10));
       },
       "released_time_limit",
       {},
       {}},
  };
}

TEST(EawMigrationTest, EveryRunningStateOfVersionOneMigratesAsDocumented) {
  std::vector<MigrationCase> cases = Cases();
  ASSERT_EQ(cases.size(), 15u);  // the non-terminal states of eaw.v1.yaml
  for (const MigrationCase& c : cases) CheckMigration("eaw", c, kMap);
}

// Without the map, version 2's surrender_postponed would need the new surrender date that
// version 1 never asked for: refused, and the request stays on version 1 unchanged.
TEST(EawMigrationTest, PostponedSurrenderWithoutTheMapIsRefusedAndUnchanged) {
  SqliteFile file("eaw_postponed_unmapped");
  Scenario s("eaw", 1, file.Open());
  Ordered(s);
  s.Do("postpone_surrender", kExecutor,
       {{"postponement_ground", "art23_4"}, {"postponement_reasons", "illness"}});
  const Request before = s.request();
  Result<Request> r = s.Migrate(2, {});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("surrender_period_from"), std::string::npos)
      << r.status().ToString();
  EXPECT_EQ(s.request().version, 1);
  EXPECT_EQ(s.request().revision, before.revision);
}

// After the migration the version 2 rules apply: the v1 clock lapses and, the person being in
// custody, Art. 23(5) releases; a new date then arms version 2's whole-day clock.
TEST(EawMigrationTest, MigratedSurrenderFollowsVersionTwoRules) {
  SqliteFile file("eaw_ordered_rules");
  Scenario s("eaw", 1, file.Open());
  Ordered(s);  // decided at T0 + 7 days: due at T0 + 17 days
  ASSERT_TRUE(s.Migrate(2, kMap).ok());
  EXPECT_EQ(s.due_at("surrender_10d"), At(Days(17)));
  s.Advance(Days(10));
  EXPECT_EQ(s.state(), "released_time_limit");
  s.Do("resume_surrender", kExecutor, {{"surrender_period_from", "2026-02-02"}});
  EXPECT_EQ(s.state(), "surrender_ordered");
  EXPECT_EQ(s.due_at("surrender_10d"), Instant("2026-02-13T00:00:00Z"));  // end of 12 February
}

}  // namespace
}  // namespace rogatory::workflow_testing
