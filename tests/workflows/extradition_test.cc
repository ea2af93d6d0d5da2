// Scenarios of extradition (workflows/extradition.v1.yaml: UNTOC Art. 16, ECE 1957, Iraq CPC).
#include <gtest/gtest.h>

#include "workflows/scenario.h"

namespace rogatory::workflow_testing {
namespace {

using nlohmann::json;

const json kFormalRequest = {{"requested_person", "M. A."},
                             {"offence_classification", "murder"},
                             {"facts_summary", "2025-03-01, Vienna"},
                             {"legal_basis", "ece_1957"},
                             {"channel", "diplomatic"}};

class ExtraditionTest : public ::testing::Test {
 protected:
  void SetUp() override { s.Create({{"requesting_state", "AT"}, {"requested_state", "RS"}}); }

  void ProvisionalArrest() {
    s.Do("request_provisional_arrest", kRequester,
         {{"requested_person", "M. A."},
          {"offence_classification", "murder"},
          {"urgency_reasons", "flight risk; warrant of 2025-03-02 exists"},
          {"channel", "interpol"}});
    s.Do("arrest_provisionally", kExecutor, {{"detention_status", "in_custody"}});
  }
  // The formal request received (without provisional arrest) and examined by the court.
  void ToJudicialReview() {
    s.Do("transmit_request", kRequester, kFormalRequest);
    s.Do("receive_request", kCentral);
    s.Do("refer_to_court", kCentral);
  }
  void ToGranted() {
    ToJudicialReview();
    s.Do("court_approves", "court");
    s.Do("grant", "minister", {{"speciality_conditions", "ECE Art. 14"}});
  }

  Scenario s{"extradition", 1};  // version 1 (extradition_migration_test.cc covers version 2)
};

TEST_F(ExtraditionTest, ProvisionalArrestRequestInTimeThroughToSurrender) {
  ProvisionalArrest();
  EXPECT_EQ(s.state(), "provisionally_arrested");
  EXPECT_EQ(s.due_at("provisional_18d"), At(Days(18)));
  EXPECT_EQ(s.due_at("provisional_40d"), At(Days(40)));
  s.Advance(Days(12));
  s.Do("transmit_request", kRequester, kFormalRequest);
  EXPECT_EQ(s.state(), "provisionally_arrested");  // the clocks run until receipt
  s.Advance(Days(3));
  s.Do("receive_request", kCentral);
  EXPECT_EQ(s.state(), "received");
  EXPECT_TRUE(s.deadlines().empty());
  s.Do("refer_to_court", kCentral);
  EXPECT_EQ(s.phase(), Phase::kExecution);
  s.Do("court_approves", "court");
  EXPECT_EQ(s.Code("grant", "court"), StatusCode::kPermissionDenied);
  s.Do("grant", "minister");
  s.Do("schedule_surrender", kCentral,
       {{"surrender_date", "2026-03-02"}, {"surrender_place", "Belgrade airport"}});
  s.Do("hand_over", kExecutor);
  EXPECT_EQ(s.state(), "surrendered");
  EXPECT_EQ(s.phase(), Phase::kClosure);
  EXPECT_TRUE(s.deadlines().empty());
}

TEST_F(ExtraditionTest, EighteenDaysIsANoticeFortyDaysEndsTheProvisionalArrest) {
  ProvisionalArrest();
  EXPECT_EQ(s.Advance(Days(18)), std::vector<std::string>{"provisional_18d"});
  EXPECT_EQ(s.state(), "provisionally_arrested");  // "may be terminated": discretionary
  EXPECT_EQ(s.last().event, "provisional_arrest_18_days_elapsed");
  EXPECT_EQ(s.Advance(Days(22)), std::vector<std::string>{"provisional_40d"});
  EXPECT_EQ(s.state(), "released_awaiting_request");  // ECE 16(4): never beyond 40 days
  EXPECT_EQ(s.last().actor, "system");
  EXPECT_TRUE(s.deadlines().empty());
  // The 40-day lapse stays visible (CONTRACT §7) until a transition stops it; its step stopped
  // the 18-day clock, lapsed before.
  EXPECT_EQ(s.lapsed(), std::vector<std::string>{"provisional_40d"});
  s.Advance(Days(10));
  s.Do("transmit_request", kRequester, kFormalRequest);
  s.Do("receive_request", kCentral);  // ECE 16(5): re-arrest and extradition remain possible
  EXPECT_EQ(s.state(), "received");
}

TEST_F(ExtraditionTest, DiscretionaryReleaseAndClosureWithoutRequest) {
  ProvisionalArrest();
  s.Advance(Days(19));
  s.Do("release_from_provisional_arrest", kExecutor,
       {{"release_reasons", "no request after 18 days"}});
  EXPECT_EQ(s.state(), "released_awaiting_request");
  EXPECT_TRUE(s.deadlines().empty());
  s.Do("close_no_request", kCentral, {{"closure_reasons", "requesting State did not follow up"}});
  EXPECT_EQ(s.state(), "closed_no_request");
}

TEST_F(ExtraditionTest, NationalOfTheRequestedStateIsRefusedAndProsecutedAtHome) {
  s.Create({{"requesting_state", "DE"}, {"requested_state", "IQ"}});
  ToJudicialReview();
  EXPECT_EQ(s.Code("refuse_national", kCentral), StatusCode::kInvalidArgument);
  s.Do("refuse_national", kCentral,
       {{"person_nationality", "IQ"}, {"prosecution_submitted", true}});
  EXPECT_EQ(s.state(), "refused_submitted_for_prosecution");
  EXPECT_EQ(s.phase(), Phase::kClosure);
}

TEST_F(ExtraditionTest, CourtRejectionEndsTheRequest) {
  ToJudicialReview();
  s.Do("court_rejects", "court", {{"rejection_reasons", "offence below the two-year threshold"}});
  EXPECT_EQ(s.state(), "judicially_rejected");
}

TEST_F(ExtraditionTest, MinisterRefusesWithAGroundAfterSupplementaryInformation) {
  ToJudicialReview();
  s.Do("request_supplementary_info", "court",
       {{"supplementary_info_request", "certified copy of the judgment"},
        {"supplementary_info_due_date", "2026-02-01"}});
  EXPECT_EQ(s.state(), "supplementary_info_requested");
  s.Do("supply_info", kRequester, {{"supplementary_info_summary", "copy sent"}});
  s.Do("court_approves", "court");
  s.Do("consult_requesting_state", "minister",
       {{"consultation_subject", "death penalty assurances"}});
  EXPECT_EQ(s.Code("refuse", "minister", {{"refusal_reasons", "x"}}), StatusCode::kInvalidArgument);
  s.Do("refuse", "minister",
       {{"refusal_ground", "ece11_capital_punishment"}, {"refusal_reasons", "no assurance"}});
  EXPECT_EQ(s.state(), "refused");
}

TEST_F(ExtraditionTest, EceNotTakenOverMayReleaseAfter15DaysMustAfter30) {
  ToGranted();
  s.Do("schedule_surrender", kCentral,
       {{"surrender_date", "2026-01-20"}, {"surrender_place", "Vienna"}});
  s.Advance(Days(15));
  s.Do("not_taken_over", kExecutor);
  EXPECT_EQ(s.state(), "awaiting_collection");
  EXPECT_EQ(s.due_at("release_may_15d"), At(Days(30)));
  EXPECT_EQ(s.due_at("release_shall_30d"), At(Days(45)));
  EXPECT_EQ(s.Advance(Days(15)), std::vector<std::string>{"release_may_15d"});
  EXPECT_EQ(s.state(), "awaiting_collection");
  EXPECT_EQ(s.Advance(Days(15)), std::vector<std::string>{"release_shall_30d"});
  EXPECT_EQ(s.state(), "released_not_collected");
  EXPECT_TRUE(s.deadlines().empty());
}

TEST_F(ExtraditionTest, IraqiRegimeReleasesTwoCalendarMonthsAfterTheReadinessNotice) {
  s.Create({{"requesting_state", "TR"}, {"requested_state", "IQ"}});
  ToGranted();
  s.Do("notify_readiness_cpc367", kCentral, {{"surrender_place", "Baghdad International Airport"}});
  EXPECT_EQ(s.deadlines(), std::vector<std::string>{"collection_2m"});
  EXPECT_EQ(s.due_at("collection_2m"), Instant("2026-03-05T09:00:00Z"));  // P2M: calendar months
  EXPECT_EQ(s.Advance(Days(59)), std::vector<std::string>{"collection_2m"});
  EXPECT_EQ(s.state(), "released_not_collected");
}

TEST_F(ExtraditionTest, ForceMajeurePostponementStopsTheReleaseClocks) {
  ToGranted();
  s.Do("schedule_surrender", kCentral,
       {{"surrender_date", "2026-01-20"}, {"surrender_place", "Vienna"}});
  s.Do("not_taken_over", kExecutor);
  s.Advance(Days(5));
  s.Do("postpone_surrender", kCentral,
       {{"postponement_ground", "ece18_5_force_majeure"},
        {"postponement_reasons", "airport closed"}});
  EXPECT_EQ(s.state(), "surrender_postponed");
  EXPECT_TRUE(s.deadlines().empty());
  s.Do("schedule_surrender", kCentral, {{"surrender_date", "2026-01-30"}});
  s.Do("hand_over", kRequester);
  EXPECT_EQ(s.state(), "surrendered");
}

TEST_F(ExtraditionTest, WithdrawalDuringProvisionalArrestStopsItsClocks) {
  ProvisionalArrest();
  s.Do("withdraw", kRequester, {{"withdrawal_reason", "person identified as someone else"}});
  EXPECT_EQ(s.state(), "withdrawn");
  EXPECT_TRUE(s.deadlines().empty());
}

}  // namespace
}  // namespace rogatory::workflow_testing
