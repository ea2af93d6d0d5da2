// Scenarios of Joint Investigation Teams (workflows/jit.v1.yaml, FD 2002/465/JHA).
#include <gtest/gtest.h>

#include "workflows/scenario.h"

namespace rogatory::workflow_testing {
namespace {

using nlohmann::json;

class JitTest : public ::testing::Test {
 protected:
  void SetUp() override { s.Create({{"participating_states", {"NL", "BE", "IQ"}}}, kParty); }

  void ToOperational() {
    s.Do("draft_agreement", kParty,
         {{"purpose", "trafficking network NL-BE-IQ"}, {"legal_basis", "untoc_art19"}});
    s.Do("circulate_for_signature", kParty,
         {{"operating_states", {"NL", "BE"}}, {"agreement_end_date", "2027-01-31"}});
    s.Do("sign", kParty, {{"signature_date", "2026-01-20"}});
    s.Do("start_operations", kParty);
  }

  Scenario s{"jit", 1};  // version 2: jit_v2.yaml and migration_v2_test.cc
};

TEST_F(JitTest, ProposalAgreementOperationExtensionsEvaluation) {
  EXPECT_EQ(s.state(), "proposed");
  ToOperational();
  EXPECT_EQ(s.state(), "operational");
  EXPECT_EQ(s.phase(), Phase::kExecution);
  s.Do("apply_for_funding", kParty, {{"funding_application_reference", "JIT-FUND-2026-042"}});
  EXPECT_EQ(s.Code("record_funding_decision", "eurojust", {{"funding_status", "maybe"}}),
            StatusCode::kInvalidArgument);
  s.Do("record_funding_decision", "eurojust", {{"funding_status", "granted"}});
  s.Do(
      "amend_agreement", kParty,
      {{"amendment_remarks", "Europol joins (Appendix I)"}, {"participating_bodies", {"europol"}}});
  // Extensions by mutual consent may recur: each replaces the end date, history keeps the old.
  s.Do("extend_period", kParty,
       {{"agreement_end_date", "2027-07-31"}, {"extension_reasons", "new suspects"}});
  s.Do("extend_period", kParty,
       {{"agreement_end_date", "2028-01-31"}, {"extension_reasons", "trial preparation"}});
  EXPECT_EQ(s.data()["agreement_end_date"], "2028-01-31");
  EXPECT_EQ(s.state(), "operational");
  s.Advance(Days(400));
  s.Do("end_operations", kParty, {{"closure_reason", "purpose_achieved"}});
  EXPECT_EQ(s.due_at("evaluation_target"), Instant("2027-05-09T09:00:00Z"));  // 2027-02-09 + P3M
  s.Do("submit_evaluation", kParty, {{"evaluation_reference", "JITN-EVAL-2027-11"}});
  EXPECT_EQ(s.state(), "evaluated");
  EXPECT_EQ(s.phase(), Phase::kClosure);
  EXPECT_TRUE(s.deadlines().empty());
}

TEST_F(JitTest, PartyAsksForChangesBeforeSigning) {
  s.Do("draft_agreement", kParty, {{"purpose", "fraud"}, {"legal_basis", "fd_2002_465"}});
  s.Do("circulate_for_signature", kParty,
       {{"operating_states", {"NL"}}, {"agreement_end_date", "2026-12-31"}});
  EXPECT_EQ(s.phase(), Phase::kTransmission);
  s.Do("request_amendment", kParty, {{"amendment_remarks", "add BE as operating State"}});
  EXPECT_EQ(s.state(), "agreement_drafting");
  EXPECT_EQ(s.phase(), Phase::kDrafting);
}

TEST_F(JitTest, EvaluationLapseIsANoticeThenClosureWithoutEvaluation) {
  ToOperational();
  s.Do("end_operations", kParty, {{"closure_reason", "period_expired"}});
  EXPECT_EQ(s.Advance(Days(120)), std::vector<std::string>{"evaluation_target"});
  EXPECT_EQ(s.state(), "operations_ended");
  EXPECT_EQ(s.last().event, "evaluation_overdue");
  s.Do("close_without_evaluation", kParty, {{"closure_remarks", "evaluation not requested"}});
  EXPECT_EQ(s.state(), "closed_without_evaluation");
}

TEST_F(JitTest, ProposalAbandoned) {
  s.Do("draft_agreement", kParty, {{"purpose", "fraud"}, {"legal_basis", "fd_2002_465"}});
  EXPECT_EQ(s.Code("abandon", kParty), StatusCode::kInvalidArgument);
  s.Do("abandon", kParty, {{"abandonment_reasons", "BE declined"}});
  EXPECT_EQ(s.state(), "abandoned");
}

}  // namespace
}  // namespace rogatory::workflow_testing
