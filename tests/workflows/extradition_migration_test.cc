// Migration of running extradition requests from version 1 to version 2, with the map documented
// in docs/workflows/extradition.md ("Migrating from version 1"), on a real SQLite file: a request
// in every non-terminal state of version 1 (and, where the map depends on the request, in each
// variant) ends in the mapped state with its clocks as documented.
#include <gtest/gtest.h>

#include "workflows/migration.h"

namespace rogatory::workflow_testing {
namespace {

using nlohmann::json;

json FormalRequest(const std::string& legal_basis) {
  return {{"requested_person", "M. A."},
          {"offence_classification", "murder"},
          {"facts_summary", "2025-03-01, Vienna"},
          {"legal_basis", legal_basis},
          {"channel", "diplomatic"}};
}

void Create(Scenario& s) { s.Create({{"requesting_state", "AT"}, {"requested_state", "RS"}}); }
void ProvisionalRequest(Scenario& s) {
  Create(s);
  s.Do("request_provisional_arrest", kRequester,
       {{"requested_person", "M. A."},
        {"offence_classification", "murder"},
        {"urgency_reasons", "flight risk"},
        {"channel", "interpol"}});
}
void ProvisionallyArrested(Scenario& s) {
  ProvisionalRequest(s);
  s.Do("arrest_provisionally", kExecutor, {{"detention_status", "in_custody"}});
}
void Transmitted(Scenario& s, const std::string& legal_basis = "ece_1957") {
  Create(s);
  s.Do("transmit_request", kRequester, FormalRequest(legal_basis));
}
void Received(Scenario& s, const std::string& legal_basis = "ece_1957") {
  Transmitted(s, legal_basis);
  s.Do("receive_request", kCentral);
}
void Granted(Scenario& s, const std::string& legal_basis = "ece_1957") {
  Received(s, legal_basis);
  s.Do("refer_to_court", kCentral);
  s.Do("court_approves", "court");
  s.Do("grant", "minister");
}
// Scheduled at T0 for 10 January 2026; not taken over on that day (T0 + 5 days, 09:00).
void Scheduled(Scenario& s, const std::string& legal_basis = "ece_1957") {
  Granted(s, legal_basis);
  s.Do("schedule_surrender", kCentral,
       {{"surrender_date", "2026-01-10"}, {"surrender_place", "Vienna airport"}});
}
void NotTakenOver(Scenario& s) {
  Scheduled(s);
  s.Advance(Days(5));
  s.Do("not_taken_over", kExecutor);
}

// docs/workflows/extradition.md: every state keeps its name unless the map below says otherwise.
const std::map<std::string, std::string> kSame = {};

std::vector<MigrationCase> SameNameCases() {
  return {
      {"draft", Create, "draft", {}, {}},
      {"provisional_arrest_requested", ProvisionalRequest, "provisional_arrest_requested", {}, {}},
      // Version 1 ran the ECE clocks on every basis; they keep running (under another basis
      // version 2's lapse only escalates).
      {"provisionally_arrested",
       ProvisionallyArrested,
       "provisionally_arrested",
       {"provisional_18d", "provisional_40d"},
       {}},
      {"released_awaiting_request",
       [](Scenario& s) {
         ProvisionallyArrested(s);
         s.Do("release_from_provisional_arrest", kExecutor, {{"release_reasons", "conditions"}});
       },
       "released_awaiting_request",
       {},
       {}},
      {"request_transmitted", [](Scenario& s) { Transmitted(s); }, "request_transmitted", {}, {}},
      {"received", [](Scenario& s) { Received(s); }, "received", {}, {}},
      {"supplementary_info_requested",
       [](Scenario& s) {
         Received(s);
         s.Do("request_supplementary_info", kCentral,
              {{"supplementary_info_request", "translation"},
               {"supplementary_info_due_date", "2026-02-01"}});
       },
       "supplementary_info_requested",
       {},
       {}},
      {"judicial_review",
       [](Scenario& s) {
         Received(s);
         s.Do("refer_to_court", kCentral);
       },
       "judicial_review",
       {},
       {}},
      {"judicially_approved",
       [](Scenario& s) {
         Received(s);
         s.Do("refer_to_court", kCentral);
         s.Do("court_approves", "court");
       },
       "judicially_approved",
       {},
       {}},
      {"granted", [](Scenario& s) { Granted(s); }, "granted", {}, {}},
      // ECE: version 2's 15/30-day clocks start from the appointed date (00:00 UTC, 10 January).
      {"surrender_scheduled",
       [](Scenario& s) { Scheduled(s); },
       "surrender_scheduled",
       {"release_may_15d", "release_shall_30d"},
       {},
       {{"release_may_15d", "2026-01-25T00:00:00Z"},
        {"release_shall_30d", "2026-02-09T00:00:00Z"}}},
      {"surrender_postponed",
       [](Scenario& s) {
         Granted(s);
         s.Do("postpone_surrender", kCentral,
              {{"postponement_ground", "ece19_1_pending_proceedings"},
               {"postponement_reasons", "trial"}});
       },
       "surrender_postponed",
       {},
       {}},
  };
}

TEST(ExtraditionMigrationTest, StatesThatKeepTheirNameMigrateAsDocumented) {
  for (const MigrationCase& c : SameNameCases()) CheckMigration("extradition", c, kSame);
}

// Not under the ECE: a scheduled surrender runs no ECE clock in version 2.
TEST(ExtraditionMigrationTest, ScheduledUnderAnotherBasisMapsToSurrenderArranged) {
  CheckMigration("extradition",
                 {"surrender_scheduled",
                  [](Scenario& s) { Scheduled(s, "bilateral_treaty"); },
                  "surrender_arranged",
                  {},
                  {}},
                 {{"surrender_scheduled", "surrender_arranged"}});
}

// ECE, not taken over, 15 days not yet passed: back to surrender_scheduled, where both clocks
// count from the appointed date (version 1 counted from the not_taken_over step).
TEST(ExtraditionMigrationTest, AwaitingCollectionWithinFifteenDaysMapsToSurrenderScheduled) {
  CheckMigration("extradition",
                 {"awaiting_collection",
                  NotTakenOver,
                  "surrender_scheduled",
                  {"release_may_15d", "release_shall_30d"},
                  {},
                  {{"release_may_15d", "2026-01-25T00:00:00Z"},
                   {"release_shall_30d", "2026-02-09T00:00:00Z"}}},
                 {{"awaiting_collection", "surrender_scheduled"}});
}

// ECE, 15 days passed (release_may_15d lapsed): awaiting_collection, only the 30 days remain.
TEST(ExtraditionMigrationTest, AwaitingCollectionAfterFifteenDaysKeepsItsState) {
  CheckMigration("extradition",
                 {"awaiting_collection",
                  [](Scenario& s) {
                    NotTakenOver(s);
                    s.Advance(Days(15));
                  },
                  "awaiting_collection",
                  {"release_shall_30d"},
                  {},
                  {{"release_shall_30d", "2026-02-09T00:00:00Z"}}},
                 kSame);
}

// Iraq CPC 367 (collection_2m running): awaiting_collection_cpc367, the two months unchanged.
TEST(ExtraditionMigrationTest, AwaitingCollectionUnderIraqCpc367MapsToItsOwnState) {
  CheckMigration("extradition",
                 {"awaiting_collection",
                  [](Scenario& s) {
                    Granted(s, "iraq_cpc_reciprocity");
                    s.Do("notify_readiness_cpc367", kCentral, {{"surrender_place", "Baghdad"}});
                  },
                  "awaiting_collection_cpc367",
                  {"collection_2m"},
                  {}},
                 {{"awaiting_collection", "awaiting_collection_cpc367"}});
}

// The death-penalty gate also holds for a request migrated past the grant: once the risk is on
// the request, the hand-over needs the recorded assurance.
TEST(ExtraditionMigrationTest, MigratedRequestIsNotGrantedWithoutTheAssurance) {
  SqliteFile file("extradition_assurance");
  Scenario s("extradition", 1, file.Open());
  Received(s);
  s.Do("consult_requesting_state", kCentral, {{"consultation_subject", "death penalty"}});
  ASSERT_TRUE(s.Migrate(2, kSame).ok());
  s.Do("request_assurance", "minister",
       {{"death_penalty_risk", true}, {"assurance_request", "no execution"}});
  s.Do("refer_to_court", kCentral);
  s.Do("court_approves", "court");
  EXPECT_EQ(s.Code("grant", "minister"), StatusCode::kFailedPrecondition);
  s.Do("record_assurance", kCentral, {{"death_penalty_assurance", "note verbale"}});
  s.Do("grant", "minister");
  EXPECT_EQ(s.state(), "granted");
}

}  // namespace
}  // namespace rogatory::workflow_testing
