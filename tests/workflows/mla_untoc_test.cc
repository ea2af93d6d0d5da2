// Scenarios of classic MLA (workflows/mla_untoc.v1.yaml: UNTOC Art. 18, UNCAC Art. 46,
// bilateral treaties, Iraq CPC Arts 353-354).
#include <gtest/gtest.h>

#include "workflows/scenario.h"

namespace rogatory::workflow_testing {
namespace {

using nlohmann::json;

class MlaTest : public ::testing::Test {
 protected:
  void SetUp() override { s.Create({{"requesting_state", "IQ"}, {"requested_state", "DE"}}); }

  void Approve(const std::string& channel) {
    s.Do("submit", kRequester,
         {{"requesting_authority_details", "Investigative judge, Karkh, Baghdad"},
          {"subject_matter", "embezzlement of public funds"},
          {"facts_summary", "2019-2021 transfers to accounts in DE"},
          {"assistance_sought",
           {"documents_and_records", "tracing_proceeds_property_instrumentalities"}},
          {"purpose", "evidence for trial"}});
    s.Do("approve", kCentral, {{"legal_basis", "uncac_art46"}, {"channel", channel}});
  }
  // Approved, sent through central authorities and received at T0.
  void Receive() {
    Approve("central_authority");
    s.Do("transmit", kCentral);
    s.Do("receive", kCentral);
  }
  void ToUnderReview() {
    Receive();
    s.Do("acknowledge", kCentral, {{"requested_reference", "BfJ-MLA-2026-17"}});
    s.Do("start_review", kCentral);
  }

  Scenario s{"mla_untoc", 1};  // version 1 (version 2: mla_untoc_v2_test.cc)
};

TEST_F(MlaTest, HappyPathThroughCentralAuthorities) {
  Approve("central_authority");
  EXPECT_EQ(s.state(), "approved");
  EXPECT_EQ(s.phase(), Phase::kDrafting);
  s.Do("transmit", kCentral);
  EXPECT_EQ(s.phase(), Phase::kTransmission);
  s.Advance(Days(6));
  s.Do("receive", kCentral);
  EXPECT_EQ(s.due_at("acknowledgement_target"), At(Days(16)));
  EXPECT_EQ(s.due_at("execution_target"), At(Days(186)));
  s.Do("acknowledge", kCentral, {{"requested_reference", "BfJ-MLA-2026-17"}});
  EXPECT_EQ(s.deadlines(), std::vector<std::string>{"execution_target"});
  s.Do("start_review", kCentral);
  EXPECT_EQ(s.phase(), Phase::kExecution);
  s.Do("refer_for_execution", kCentral, {{"executing_authority_details", "StA Frankfurt am Main"}});
  s.Do("start_execution", kExecutor);
  s.Do("query_progress", kRequester);
  s.Do("report_progress", kExecutor, {{"progress_note", "bank answered; analysis ongoing"}});
  EXPECT_EQ(s.state(), "in_execution");
  s.Do("complete_execution", kExecutor, {{"items_provided", {"account statements 2019-2021"}}});
  s.Do("return_results", kCentral, {{"results_summary", "statements; speciality per Art. 46(19)"}});
  EXPECT_EQ(s.state(), "results_returned");
  EXPECT_TRUE(s.deadlines().empty());
  s.Do("close", kRequester);
  EXPECT_EQ(s.state(), "closed");
  EXPECT_EQ(s.phase(), Phase::kClosure);
}

TEST_F(MlaTest, IraqiDiplomaticChannelDepositAndInvestigativeJudge) {
  s.Create({{"requesting_state", "FR"}, {"requested_state", "IQ"}});
  Approve("diplomatic");
  s.Do("send_advance_copy", kCentral, {{"urgency_reasons", "suspect about to move funds"}});
  s.Do("transmit_via_diplomatic_channel", kCentral);
  EXPECT_EQ(s.state(), "in_diplomatic_channel");
  s.Advance(Days(20));
  s.Do("receive", kCentral);  // Ministry of Justice, CPC 353
  s.Do("start_review", kCentral);
  EXPECT_TRUE(s.deadlines() == std::vector<std::string>{"execution_target"});
  s.Do("require_deposit", kCentral, {{"cost_deposit_amount", "expert fees, 2,000,000 IQD"}});
  s.Do("record_deposit_paid", kRequester, {{"deposit_paid", true}});
  EXPECT_EQ(s.state(), "under_review");
  s.Do("refer_for_execution", kCentral,
       {{"executing_authority_details", "Investigative judge, Rusafa"},
        {"requesting_representative_attending", true}});
  EXPECT_EQ(s.state(), "referred_for_execution");
}

TEST_F(MlaTest, RefusalOnlyAfterConsultationAndWithAGround) {
  ToUnderReview();
  EXPECT_EQ(
      s.Code("refuse", kCentral, {{"refusal_ground", "art18_21_b"}, {"refusal_reasons", "x"}}),
      StatusCode::kFailedPrecondition);  // Art. 18(26): consult first
  s.Do("open_consultation", kCentral,
       {{"consultation_subject", "essential interests; conditions?"}});
  EXPECT_EQ(s.state(), "consultation");
  EXPECT_EQ(s.Code("refuse", kCentral, {{"refusal_reasons", "x"}}), StatusCode::kInvalidArgument);
  s.Do("refuse", kCentral, {{"refusal_ground", "art18_21_b"}, {"refusal_reasons", "ordre public"}});
  EXPECT_EQ(s.state(), "refused");
  EXPECT_TRUE(s.deadlines().empty());
  EXPECT_EQ(s.data()["refusal_ground"], "art18_21_b");
}

TEST_F(MlaTest, ConsultationEndsInConditions) {
  ToUnderReview();
  s.Do("open_consultation", kCentral, {{"consultation_subject", "use of records in tax case"}});
  s.Do("agree_conditions", kCentral, {{"conditions_agreed", "no use in tax proceedings"}});
  EXPECT_EQ(s.state(), "accepted_with_conditions");
  s.Do("refer_for_execution", kCentral, {{"executing_authority_details", "StA Hamburg"}});
  s.Do("start_execution", kExecutor);
  EXPECT_EQ(s.state(), "in_execution");
}

TEST_F(MlaTest, PostponementPausesTheTargetAndResumesWithTheRemainingTime) {
  ToUnderReview();
  s.Do("refer_for_execution", kCentral, {{"executing_authority_details", "StA Hamburg"}});
  s.Do("start_execution", kExecutor);
  s.Advance(Days(60));                                                       // 120 days left
  EXPECT_EQ(s.Code("postpone", kCentral), StatusCode::kFailedPrecondition);  // consult first
  s.Do("open_consultation", kCentral,
       {{"consultation_subject", "domestic investigation of same group"}});
  s.Do("postpone", kCentral,
       {{"postponement_ground", "art18_25"},
        {"postponement_reasons", "interferes with trial until June"}});
  EXPECT_EQ(s.state(), "postponed");
  EXPECT_TRUE(s.paused("execution_target"));
  EXPECT_EQ(s.deadline("execution_target")->remaining, Days(120));
  EXPECT_TRUE(s.Advance(Days(150)).empty());
  s.Do("resume_execution", kExecutor);
  EXPECT_EQ(s.due_at("execution_target"), At(Days(210 + 120)));
}

TEST_F(MlaTest, AdditionalInformationPausesTheTarget) {
  ToUnderReview();
  s.Advance(Days(10));
  s.Do("request_info", kCentral, {{"info_requested", "link between accounts and suspect"}});
  EXPECT_TRUE(s.paused("execution_target"));
  s.Advance(Days(30));
  s.Do("supply_info", kRequester, {{"info_supplied", "company register extract"}});
  EXPECT_EQ(s.state(), "under_review");
  EXPECT_EQ(s.due_at("execution_target"), At(Days(180 + 30)));
}

TEST_F(MlaTest, DeficientRequestReturnedToDrafting) {
  Receive();
  s.Do("return_deficient", kCentral, {{"deficiencies", "no summary of facts in German"}});
  EXPECT_EQ(s.state(), "returned_deficient");
  EXPECT_EQ(s.phase(), Phase::kDrafting);  // transmission -> drafting: returned for correction
  EXPECT_TRUE(s.deadlines().empty());
  s.Do("revise", kRequester);
  EXPECT_EQ(s.state(), "draft");
}

TEST_F(MlaTest, TargetsLapseAsNoticesAndExtendOnce) {
  Receive();
  EXPECT_EQ(s.Advance(Days(10)), std::vector<std::string>{"acknowledgement_target"});
  EXPECT_EQ(s.state(), "received");
  EXPECT_EQ(s.last().event, "acknowledgement_target_missed");
  s.Do("start_review", kCentral);
  s.Advance(Days(160));
  s.Do("extend_execution_target", kCentral, {{"delay_reasons", "bank slow; new estimate May"}});
  EXPECT_EQ(s.due_at("execution_target"), At(Days(270)));
  EXPECT_EQ(s.Code("extend_execution_target", kCentral, {{"delay_reasons", "again"}}),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.Advance(Days(100)), std::vector<std::string>{"execution_target"});
  EXPECT_EQ(s.state(), "under_review");
  EXPECT_EQ(s.last().event, "execution_target_missed");
}

TEST_F(MlaTest, PartialExecutionReturnedWithReasons) {
  ToUnderReview();
  s.Do("refer_for_execution", kCentral, {{"executing_authority_details", "StA Hamburg"}});
  s.Do("start_execution", kExecutor);
  s.Do("record_partial_execution", kExecutor, {{"items_provided", {"bank records"}}});
  EXPECT_EQ(s.state(), "partially_executed");
  EXPECT_EQ(s.Code("return_results", kCentral, {{"results_summary", "bank records"}}),
            StatusCode::kInvalidArgument);
  s.Do("return_results", kCentral,
       {{"results_summary", "bank records"},
        {"items_not_provided", {"witness statement"}},
        {"non_execution_reasons", "witness not found"}});
  EXPECT_EQ(s.state(), "results_returned");
  EXPECT_TRUE(s.deadlines().empty());
}

TEST_F(MlaTest, WithdrawnWhenNoLongerRequired) {
  ToUnderReview();
  s.Do("withdraw", kRequester, {{"withdrawal_reason", "suspect convicted on other evidence"}});
  EXPECT_EQ(s.state(), "withdrawn");
  EXPECT_TRUE(s.deadlines().empty());
}

}  // namespace
}  // namespace rogatory::workflow_testing
