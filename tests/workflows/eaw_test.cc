// Scenarios of the European Arrest Warrant (workflows/eaw.v1.yaml, FD 2002/584/JHA).
#include <gtest/gtest.h>

#include "workflows/scenario.h"

namespace rogatory::workflow_testing {
namespace {

using nlohmann::json;

class EawTest : public ::testing::Test {
 protected:
  void SetUp() override { s.Create({{"issuing_state", "PL"}}); }

  // Issued, SIS alert entered, person arrested at T0 + `after`.
  void Arrest(Duration after = Duration(0)) {
    s.Do("issue", kIssuer,
         {{"issuing_authority_details", "Sad Okregowy w Krakowie"},
          {"requested_person", "J. K."},
          {"warrant_purpose", "prosecution"},
          {"offence_classification", "participation in a criminal organisation"},
          {"offence_description", "2024-2025, Krakow, organiser"}});
    s.Do("enter_sis_alert", kIssuer, {{"sis_alert_id", "PL-EAW-2026-0001"}});
    s.Advance(after);
    s.Do("arrest", kExecutor,
         {{"executing_state", "NL"},
          {"detention_status", "in_custody"},
          {"person_informed_of_rights", true}});
  }
  void ToContested() {
    Arrest();
    s.Do("hold_hearing", kExecutor);
    s.Do("record_no_consent", kExecutor);
  }

  Scenario s{"eaw", 1};  // version 1 (eaw_migration_test.cc covers version 2)
};

TEST_F(EawTest, ConsentShortensTheDecisionLimitToTenDays) {
  Arrest(Days(30));
  EXPECT_EQ(s.state(), "arrested");
  EXPECT_EQ(s.phase(), Phase::kExecution);
  EXPECT_EQ(s.due_at("decision_60d"), At(Days(90)));  // Art. 17(3): 60 days from arrest
  s.Advance(Days(2));
  s.Do("hold_hearing", kExecutor);
  EXPECT_EQ(s.Code("record_consent", kExecutor, {{"consent_to_surrender", true}}),
            StatusCode::kInvalidArgument);  // the speciality answer is part of the record
  s.Do("record_consent", kExecutor, {{"consent_to_surrender", true}, {"speciality_waived", false}});
  EXPECT_EQ(s.state(), "consented");
  EXPECT_EQ(s.deadlines(), std::vector<std::string>{"decision_consent_10d"});
  EXPECT_EQ(s.due_at("decision_consent_10d"), At(Days(42)));  // Art. 17(2): 10 days from consent
  s.Advance(Days(4));
  s.Do("decide_surrender", kExecutor, {{"agreed_surrender_date", "2026-02-13"}});
  EXPECT_EQ(s.state(), "surrender_ordered");
  EXPECT_EQ(s.deadlines(), std::vector<std::string>{"surrender_10d"});
  EXPECT_EQ(s.due_at("surrender_10d"), At(Days(46)));  // Art. 23(2)
  s.Advance(Days(3));
  EXPECT_EQ(s.Code("hand_over", kExecutor), StatusCode::kInvalidArgument);  // Art. 26 period
  s.Do("hand_over", kExecutor, {{"detention_period_days", 9}});
  EXPECT_EQ(s.state(), "surrendered");
  EXPECT_EQ(s.phase(), Phase::kClosure);
  EXPECT_TRUE(s.deadlines().empty());
  EXPECT_EQ(
      s.trail(),
      (std::vector<std::string>{
          "create:->draft", "issue:draft->issued", "enter_sis_alert:issued->sis_alert_active",
          "arrest:sis_alert_active->arrested", "hold_hearing:arrested->hearing",
          "record_consent:hearing->consented", "decide_surrender:consented->surrender_ordered",
          "hand_over:surrender_ordered->surrendered"}));
}

TEST_F(EawTest, NoConsentExtensionLapseEurojustAndStillADecision) {
  ToContested();
  EXPECT_EQ(s.state(), "contested");
  s.Advance(Days(50));
  s.Do("extend_decision_limit", kExecutor, {{"extension_reasons", "awaiting Art. 5(2) guarantee"}});
  EXPECT_EQ(s.state(), "decision_extended");
  EXPECT_EQ(s.due_at("decision_60d"), At(Days(90)));  // Art. 17(4): +30 days
  EXPECT_EQ(s.Code("extend_decision_limit", kExecutor), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.Advance(Days(40)), std::vector<std::string>{"decision_60d"});
  EXPECT_EQ(s.state(), "decision_overdue");  // never a release or an end (Lanigan)
  EXPECT_EQ(s.last().event, "decision_time_limit_expired");
  EXPECT_EQ(s.last().actor, "system");
  EXPECT_EQ(s.Code("inform_eurojust", kExecutor), StatusCode::kInvalidArgument);
  s.Do("inform_eurojust", kExecutor, {{"delay_reasons", "guarantee still outstanding"}});
  EXPECT_EQ(s.state(), "delay_reported_to_eurojust");
  s.Do("decide_surrender", kExecutor);
  EXPECT_EQ(s.state(), "surrender_ordered");
  EXPECT_EQ(s.due_at("surrender_10d"), At(Days(100)));
}

TEST_F(EawTest, ConsentLimitExtendedByThirtyDays) {
  Arrest();
  s.Do("hold_hearing", kExecutor);
  s.Do("record_consent", kExecutor, {{"consent_to_surrender", true}, {"speciality_waived", true}});
  s.Advance(Days(8));
  s.Do("extend_decision_limit", kExecutor, {{"extension_reasons", "translation of the judgment"}});
  EXPECT_EQ(s.due_at("decision_consent_10d"), At(Days(40)));
}

TEST_F(EawTest, SupplementaryInformationDoesNotSuspendTheLimits) {
  ToContested();
  s.Advance(Days(20));
  s.Do("request_supplementary_info", kExecutor,
       {{"supplementary_info_request", "Art. 4a(1) trial in absentia details"},
        {"supplementary_info_due_date", "2026-02-05"}});
  EXPECT_EQ(s.state(), "contested");
  EXPECT_EQ(s.due_at("decision_60d"), At(Days(60)));
  s.Do("supplementary_info_received", kIssuer,
       {{"supplementary_info_summary", "summoned in person"}});
  EXPECT_EQ(s.state(), "contested");
}

TEST_F(EawTest, RefusalNeedsAReasonedGround) {
  ToContested();
  EXPECT_EQ(s.Code("refuse", kExecutor, {{"refusal_ground", "art4_2"}}),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(s.Code("refuse", kExecutor, {{"refusal_ground", "art99"}, {"refusal_reasons", "x"}}),
            StatusCode::kInvalidArgument);
  s.Do("refuse", kExecutor,
       {{"refusal_ground", "art3_2"}, {"refusal_reasons", "acquitted in NL, 2023"}});
  EXPECT_EQ(s.state(), "refused");
  EXPECT_TRUE(s.deadlines().empty());
}

TEST_F(EawTest, SurrenderLimitLapseReleasesThePersonButNotTheWarrant) {
  ToContested();
  s.Do("decide_surrender", kExecutor);
  EXPECT_EQ(s.Advance(Days(10)), std::vector<std::string>{"surrender_10d"});
  EXPECT_EQ(s.state(), "released_time_limit");  // Art. 23(5)
  EXPECT_EQ(s.last().actor, "system");
  s.Do("record_detention_decision", kExecutor, {{"detention_status", "not_detained"}});
  s.Advance(Days(5));
  s.Do("resume_surrender", kExecutor, {{"new_surrender_date", "2026-01-20"}});  // Vilkas
  EXPECT_EQ(s.state(), "surrender_ordered");
  EXPECT_EQ(s.due_at("surrender_10d"), At(Days(25)));
  s.Do("hand_over", kExecutor, {{"detention_period_days", 10}});
  EXPECT_EQ(s.state(), "surrendered");
}

TEST_F(EawTest, HumanitarianPostponementThenSurrenderOnTheNewDate) {
  ToContested();
  s.Do("decide_surrender", kExecutor);
  s.Advance(Days(4));
  EXPECT_EQ(s.Code("postpone_surrender", kExecutor, {{"postponement_ground", "art23_9"}}),
            StatusCode::kInvalidArgument);
  s.Do("postpone_surrender", kExecutor,
       {{"postponement_ground", "art23_4"}, {"postponement_reasons", "surgery; unfit to travel"}});
  EXPECT_EQ(s.state(), "surrender_postponed");
  EXPECT_TRUE(s.deadlines().empty());
  EXPECT_TRUE(s.Advance(Days(30)).empty());  // no release while postponed
  s.Do("resume_surrender", kExecutor, {{"new_surrender_date", "2026-02-08"}});
  EXPECT_EQ(s.due_at("surrender_10d"), At(Days(44)));  // 10 days from the new date
}

TEST_F(EawTest, TemporarySurrenderAndReturn) {
  ToContested();
  s.Do("decide_surrender", kExecutor);
  s.Do("postpone_surrender", kExecutor,
       {{"postponement_ground", "art24_1"},
        {"postponement_reasons", "trial in NL for another act"}});
  s.Do("surrender_temporarily", kExecutor,
       {{"temporary_surrender_conditions", "return within 30 days"}});
  EXPECT_EQ(s.state(), "temporarily_surrendered");
  s.Do("person_returned", kExecutor);
  EXPECT_EQ(s.state(), "surrender_postponed");
  s.Do("resume_surrender", kExecutor, {{"new_surrender_date", "2026-06-01"}});
  s.Do("hand_over", kIssuer, {{"detention_period_days", 0}});
  EXPECT_EQ(s.state(), "surrendered");
}

TEST_F(EawTest, WithdrawalDeletesTheAlertAndStopsTheClocks) {
  Arrest();
  EXPECT_EQ(s.Code("withdraw", kExecutor, {{"withdrawal_reason", "x"}}),
            StatusCode::kPermissionDenied);
  s.Do("withdraw", kIssuer, {{"withdrawal_reason", "charges dropped"}});
  EXPECT_EQ(s.state(), "withdrawn");
  EXPECT_TRUE(s.deadlines().empty());
}

TEST_F(EawTest, DirectTransmissionWhenTheLocationIsKnown) {
  s.Do("issue", kIssuer,
       {{"issuing_authority_details", "x"},
        {"requested_person", "A"},
        {"warrant_purpose", "execution_of_sentence"},
        {"offence_classification", "robbery"},
        {"offence_description", "2023, Gdansk"},
        {"sentence_imposed_months", 36}});
  EXPECT_EQ(s.Code("arrest", kExecutor), StatusCode::kFailedPrecondition);
  s.Do("transmit_direct", kIssuer, {{"executing_state", "IE"}, {"channel", "direct"}});
  EXPECT_EQ(s.state(), "transmitted_direct");
  EXPECT_EQ(s.phase(), Phase::kTransmission);
  s.Do("circulate_via_interpol", kIssuer, {{"interpol_notice_reference", "A-1234/1-2026"}});
  s.Do("arrest", kExecutor,
       {{"detention_status", "provisionally_released"}, {"person_informed_of_rights", true}});
  EXPECT_EQ(s.state(), "arrested");
}

}  // namespace
}  // namespace rogatory::workflow_testing
