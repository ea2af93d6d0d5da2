// Scenarios of the European Investigation Order (workflows/eio.v1.yaml, Directive 2014/41/EU).
#include <gtest/gtest.h>

#include "workflows/scenario.h"

namespace rogatory::workflow_testing {
namespace {

using nlohmann::json;

class EioTest : public ::testing::Test {
 protected:
  void SetUp() override { s.Create({{"issuing_state", "DE"}, {"executing_state", "FR"}}); }

  void Issue() {
    s.Do("issue", kIssuer,
         {{"issuing_authority_details", "Staatsanwaltschaft Berlin"},
          {"issuing_authority_type", "public_prosecutor"},
          {"offence_classification", "fraud"},
          {"measures", {"banking_information", "hearing_witness"}}});
  }
  // Issued, transmitted and received at T0 + `received_after`.
  void Receive(Duration received_after = Duration(0)) {
    Issue();
    s.Do("transmit", kIssuer, {{"channel", "e_codex"}});
    s.Advance(received_after);
    s.Do("receive", kExecutor);
  }
  void ToUnderRecognition() {
    Receive();
    s.Do("acknowledge", kExecutor);
  }
  // Recognised at T0 + `after`.
  void ToRecognised(Duration after) {
    ToUnderRecognition();
    s.Advance(after);
    s.Do("recognise", kExecutor);
  }

  Scenario s{"eio", 2};  // version 3: eio_v3_*.yaml and migration_v2_test.cc
};

TEST_F(EioTest, HappyPathFromAnnexAToClosure) {
  EXPECT_EQ(s.state(), "draft");
  EXPECT_EQ(s.phase(), Phase::kDrafting);
  Issue();
  EXPECT_EQ(s.state(), "issued");
  s.Do("transmit", kIssuer, {{"channel", "e_codex"}});
  EXPECT_EQ(s.phase(), Phase::kTransmission);
  s.Advance(Days(2));
  s.Do("receive", "central_authority");
  EXPECT_EQ(s.state(), "received");
  EXPECT_EQ(s.due_at("ack_1w"), At(Days(9)));            // Art. 16(1): one week
  EXPECT_EQ(s.due_at("recognition_30d"), At(Days(32)));  // Art. 12(3): 30 days
  s.Advance(Days(3));
  s.Do("acknowledge", kExecutor);
  EXPECT_EQ(s.state(), "under_recognition");
  EXPECT_EQ(s.phase(), Phase::kExecution);
  EXPECT_EQ(s.deadlines(), std::vector<std::string>{"recognition_30d"});
  s.Advance(Days(10));
  s.Do("recognise", kExecutor);
  EXPECT_EQ(s.deadlines(), std::vector<std::string>{"execution_90d"});
  EXPECT_EQ(s.due_at("execution_90d"), At(Days(15 + 90)));  // Art. 12(4): 90 days
  s.Do("start_execution", kExecutor);
  s.Advance(Days(40));
  s.Do("complete_execution", kExecutor,
       {{"measures_executed", {"banking_information", "hearing_witness"}}});
  EXPECT_EQ(s.state(), "executed");
  EXPECT_TRUE(s.deadlines().empty());
  s.Do("transfer_evidence", kExecutor, {{"evidence_return_required", false}});
  s.Do("close", kIssuer);
  EXPECT_EQ(s.state(), "closed");
  EXPECT_EQ(s.phase(), Phase::kClosure);
  EXPECT_TRUE(s.deadlines().empty());
  EXPECT_EQ(
      s.trail(),
      (std::vector<std::string>{
          "create:->draft", "issue:draft->issued", "transmit:issued->transmitted",
          "receive:transmitted->received", "acknowledge:received->under_recognition",
          "recognise:under_recognition->recognised", "start_execution:recognised->in_execution",
          "complete_execution:in_execution->executed",
          "transfer_evidence:executed->evidence_transferred",
          "close:evidence_transferred->closed"}));
  EXPECT_EQ(s.last().actor, "issuing_authority.user");
  EXPECT_TRUE(s.engine().VerifyHistory(s.id()).ok());
}

TEST_F(EioTest, NonJudicialIssuerNeedsValidation) {
  json annex_a = {{"issuing_authority_details", "Police"},
                  {"issuing_authority_type", "other_competent_authority"},
                  {"offence_classification", "theft"},
                  {"measures", {"search_and_seizure"}}};
  s.Do("submit_for_validation", kIssuer, annex_a);
  EXPECT_EQ(s.state(), "pending_validation");
  EXPECT_EQ(s.Code("validate", kIssuer, {{"validating_authority_details", "x"}}),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(s.Code("validate", "validating_authority"), StatusCode::kInvalidArgument);
  s.Do("decline_validation", "validating_authority", {{"validation_remarks", "measure too broad"}});
  EXPECT_EQ(s.state(), "draft");
  s.Do("submit_for_validation", kIssuer);
  s.Do("validate", "validating_authority",
       {{"validating_authority_details", "Amtsgericht Berlin"}});
  EXPECT_EQ(s.state(), "issued");
  s.Do("request_translation", kIssuer, {{"translation_language", "fr"}});
  EXPECT_EQ(s.Code("transmit", kIssuer, {{"channel", "direct"}}), StatusCode::kFailedPrecondition);
  s.Do("translation_done", kIssuer);
  s.Do("transmit", "central_authority", {{"channel", "central_authority"}});
  EXPECT_EQ(s.state(), "transmitted");
}

TEST_F(EioTest, IssueNeedsTheAnnexAContent) {
  EXPECT_EQ(s.Code("issue", kIssuer, {{"offence_classification", "fraud"}}),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(s.Code("issue", kIssuer, {{"measures", {"telepathy"}}}), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.state(), "draft");
}

TEST_F(EioTest, AcknowledgementLapseEscalatesWithoutMovingTheRequest) {
  Receive();
  EXPECT_EQ(s.Advance(Days(7)), std::vector<std::string>{"ack_1w"});
  EXPECT_EQ(s.state(), "received");
  EXPECT_EQ(s.last().event, "acknowledgement_overdue");
  EXPECT_EQ(s.last().actor, "system");
  EXPECT_EQ(s.deadlines(), std::vector<std::string>{"recognition_30d"});
  EXPECT_EQ(s.lapsed(), std::vector<std::string>{"ack_1w"});  // stays visible until stopped
  s.Do("acknowledge", kExecutor);                             // late, but still possible
  EXPECT_EQ(s.state(), "under_recognition");
}

TEST_F(EioTest, ForwardingToTheCompetentAuthorityRestartsBothClocks) {
  Receive();
  s.Advance(Days(3));
  s.Do("forward_to_competent", "central_authority", {{"executing_authority_details", "TJ Paris"}});
  EXPECT_EQ(s.state(), "forwarded_to_competent");
  EXPECT_EQ(s.due_at("ack_1w"), At(Days(10)));
  EXPECT_EQ(s.due_at("recognition_30d"), At(Days(33)));  // from receipt by the competent one
  s.Do("acknowledge", kExecutor);
  EXPECT_EQ(s.state(), "under_recognition");
}

TEST_F(EioTest, RefusalNeedsAnArticle11Ground) {
  ToUnderRecognition();
  EXPECT_EQ(s.Code("refuse", kExecutor), StatusCode::kInvalidArgument);
  EXPECT_EQ(
      s.Code("refuse", kExecutor, {{"refusal_ground", "art11_1_z"}, {"refusal_reasons", "x"}}),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(s.Code("refuse", kIssuer, {{"refusal_ground", "art11_1_d"}, {"refusal_reasons", "x"}}),
            StatusCode::kPermissionDenied);
  s.Do("consult", kExecutor, {{"consultation_subject", "ne bis in idem: judgment of 2024"}});
  s.Do("refuse", kExecutor,
       {{"refusal_ground", "art11_1_d"}, {"refusal_reasons", "final judgment in FR, 2024"}});
  EXPECT_EQ(s.state(), "refused");
  EXPECT_EQ(s.phase(), Phase::kClosure);
  EXPECT_EQ(s.data()["refusal_ground"], "art11_1_d");
  EXPECT_TRUE(s.deadlines().empty());
  EXPECT_EQ(s.Code("withdraw", kIssuer, {{"withdrawal_reason", "x"}}),
            StatusCode::kFailedPrecondition);
}

TEST_F(EioTest, RecognitionExtendedOnceThenLapseEscalates) {
  ToUnderRecognition();
  s.Advance(Days(25));
  EXPECT_EQ(s.Code("extend_recognition", kExecutor), StatusCode::kInvalidArgument);  // reasons
  s.Do("extend_recognition", kExecutor,
       {{"delay_reasons", "expert opinion needed"}, {"estimated_decision_date", "2026-02-28"}});
  EXPECT_EQ(s.state(), "recognition_extended");
  EXPECT_EQ(s.due_at("recognition_30d"), At(Days(60)));  // Art. 12(5): +30 days
  EXPECT_EQ(s.Code("extend_recognition", kExecutor), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(s.Advance(Days(34)).empty());
  EXPECT_EQ(s.Advance(Days(1)), std::vector<std::string>{"recognition_30d"});
  EXPECT_EQ(s.state(), "recognition_late");
  EXPECT_EQ(s.last().event, "recognition_overdue");
  s.Do("report_recognition_delay", kExecutor);  // reasons already on file
  s.Do("recognise", kExecutor);                 // the duty to decide survives the lapse
  EXPECT_EQ(s.state(), "recognised");
  EXPECT_EQ(s.due_at("execution_90d"), At(Days(60 + 90)));
}

TEST_F(EioTest, AdditionalInformationDoesNotStopTheRecognitionClock) {
  ToUnderRecognition();
  s.Advance(Days(5));
  s.Do("request_info", kExecutor, {{"info_requested", "Section C incomplete"}});
  EXPECT_EQ(s.state(), "additional_info_requested");
  EXPECT_EQ(s.due_at("recognition_30d"), At(Days(30)));
  EXPECT_FALSE(s.paused("recognition_30d"));
  s.Do("extend_recognition", kExecutor,
       {{"delay_reasons", "waiting for Section C"}, {"estimated_decision_date", "2026-02-20"}});
  EXPECT_EQ(s.state(), "additional_info_requested");  // extended where it stands
  EXPECT_EQ(s.due_at("recognition_30d"), At(Days(60)));
  s.Advance(Days(10));
  s.Do("supply_info", kIssuer, {{"info_supplied", "Section C completed"}});
  EXPECT_EQ(s.state(), "under_recognition");
  s.Do("recognise", kExecutor);
  EXPECT_EQ(s.state(), "recognised");
}

TEST_F(EioTest, PostponementSuspendsTheExecutionClockAndKeepsTheRemainingTime) {
  ToRecognised(Days(10));  // execution due at T0 + 100 days
  s.Do("start_execution", kExecutor);
  s.Advance(Days(40));  // 50 days left
  EXPECT_EQ(s.Code("postpone", kExecutor, {{"postponement_reasons", "x"}}),
            StatusCode::kInvalidArgument);
  s.Do(
      "postpone", kExecutor,
      {{"postponement_ground", "art15_1_a"}, {"postponement_reasons", "covert operation running"}});
  EXPECT_EQ(s.state(), "postponed");
  ASSERT_TRUE(s.deadline("execution_90d"));
  EXPECT_TRUE(s.paused("execution_90d"));
  EXPECT_EQ(s.deadline("execution_90d")->remaining, Days(50));
  EXPECT_TRUE(s.Advance(Days(200)).empty());  // a paused clock never lapses
  EXPECT_EQ(s.state(), "postponed");
  s.Do("ground_ceased", kExecutor);
  EXPECT_EQ(s.state(), "in_execution");
  EXPECT_FALSE(s.paused("execution_90d"));
  EXPECT_EQ(s.due_at("execution_90d"), At(Days(250 + 50)));
  EXPECT_EQ(s.Advance(Days(50)), std::vector<std::string>{"execution_90d"});
  EXPECT_EQ(s.state(), "execution_late");
}

TEST_F(EioTest, ExecutionDelayNoticeThenLapseStaysPut) {
  ToRecognised(Days(0));
  s.Do("start_execution", kExecutor);
  s.Advance(Days(80));
  s.Do("report_execution_delay", kExecutor,
       {{"delay_reasons", "witness abroad"}, {"estimated_completion_date", "2026-05-01"}});
  EXPECT_EQ(s.state(), "execution_delayed");
  EXPECT_EQ(s.Advance(Days(10)), std::vector<std::string>{"execution_90d"});
  EXPECT_EQ(s.state(), "execution_delayed");
  EXPECT_EQ(s.last().event, "execution_overdue");
  s.Do("complete_execution", kExecutor, {{"measures_executed", {"hearing_witness"}}});
  EXPECT_EQ(s.state(), "executed");
}

TEST_F(EioTest, PartialExecutionTransfersWhatWasDoneAndReasonsTheRest) {
  ToRecognised(Days(3));
  s.Do("start_execution", kExecutor);
  s.Do("record_partial_execution", kExecutor, {{"measures_executed", {"banking_information"}}});
  EXPECT_EQ(s.state(), "partially_executed");
  EXPECT_EQ(s.Code("transfer_evidence", kExecutor, {{"evidence_return_required", true}}),
            StatusCode::kInvalidArgument);  // what was not done, and why
  s.Do("transfer_evidence", kExecutor,
       {{"measures_not_executed", {"hearing_witness"}},
        {"non_execution_reasons", "witness deceased"},
        {"evidence_return_required", true}});
  EXPECT_EQ(s.state(), "evidence_transferred");
  EXPECT_TRUE(s.deadlines().empty());
  s.Do("close", kIssuer);
  EXPECT_EQ(s.state(), "closed");
}

TEST_F(EioTest, TransferSuspendedPendingALegalRemedy) {
  ToRecognised(Days(1));
  s.Do("start_execution", kExecutor);
  s.Do("complete_execution", kExecutor, {{"measures_executed", {"search_and_seizure"}}});
  s.Do("suspend_transfer", kExecutor, {{"transfer_suspension_ground", "legal_remedy_pending"}});
  EXPECT_EQ(s.state(), "transfer_suspended");
  s.Do("remedy_upheld", kExecutor, {{"remedy_outcome", "search annulled by the court"}});
  EXPECT_EQ(s.state(), "refused");
}

TEST_F(EioTest, AlternativeMeasureAcceptedByTheIssuer) {
  ToRecognised(Days(1));
  s.Do("propose_alternative", kExecutor,
       {{"alternative_measure", "production order instead of search"}});
  EXPECT_EQ(s.state(), "alternative_measure_proposed");
  EXPECT_EQ(s.Code("accept_alternative", kExecutor), StatusCode::kPermissionDenied);
  s.Do("accept_alternative", kIssuer);
  EXPECT_EQ(s.state(), "in_execution");
  EXPECT_TRUE(s.deadline("execution_90d"));
}

TEST_F(EioTest, ProvisionalMeasureDecisionWithin24Hours) {
  Receive();
  s.Do("register_provisional_measure", kExecutor,
       {{"provisional_measure", "freeze account FR76..."}});
  EXPECT_EQ(s.due_at("provisional_24h"), At(Hours(24)));
  EXPECT_EQ(s.Advance(Hours(24)), std::vector<std::string>{"provisional_24h"});
  EXPECT_EQ(s.state(), "received");
  EXPECT_EQ(s.last().event, "provisional_measure_overdue");
  s.Do("decide_provisional_measure", kExecutor, {{"provisional_measure_decision", "granted"}});
  EXPECT_EQ(s.state(), "received");
}

TEST_F(EioTest, WithdrawalWhilePostponedStopsEveryClock) {
  ToRecognised(Days(1));
  s.Do("postpone", kExecutor,
       {{"postponement_ground", "art15_1_b"},
        {"postponement_reasons", "documents used in a trial"}});
  EXPECT_EQ(s.Code("withdraw", kIssuer), StatusCode::kInvalidArgument);
  s.Do("withdraw", kIssuer, {{"withdrawal_reason", "proceedings discontinued"}});
  EXPECT_EQ(s.state(), "withdrawn");
  EXPECT_TRUE(s.deadlines().empty());
  EXPECT_TRUE(s.Advance(Days(400)).empty());
}

}  // namespace
}  // namespace rogatory::workflow_testing
