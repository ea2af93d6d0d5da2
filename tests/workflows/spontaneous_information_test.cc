// Scenarios of spontaneous exchange and informal contacts
// (workflows/spontaneous_information.v1.yaml: UNTOC Art. 18(4)-(5), Directive (EU) 2023/977).
#include <gtest/gtest.h>

#include "workflows/scenario.h"

namespace rogatory::workflow_testing {
namespace {

using nlohmann::json;

const char kSender[] = "issuing_authority";
const char kSpoc[] = "spoc";

class SpontaneousTest : public ::testing::Test {
 protected:
  void SetUp() override { s.Create(json::object()); }

  void Receive(const std::string& event) {
    s.Do(event, kSpoc,
         {{"requesting_state", "SE"}, {"information_requested", "vehicle registration holder"}});
  }

  Scenario s{"spontaneous_information", 1};  // version 1 (version 2: its v2 test)
};

TEST_F(SpontaneousTest, SpontaneousTransmissionLeadsToAFormalRequest) {
  s.Do("assess", kSender,
       {{"receiving_state", "IT"},
        {"information_summary", "bank transfers linked to an IT investigation"},
        {"use_conditions", "intelligence only until a formal request"}});
  EXPECT_EQ(s.state(), "assessed");
  s.Do("transmit_spontaneously", kSender, {{"channel", "eurojust_national_desk"}});
  EXPECT_EQ(s.phase(), Phase::kTransmission);
  s.Do("acknowledge_receipt", "executing_authority", {{"conditions_accepted", true}});
  EXPECT_EQ(s.state(), "acknowledged");
  s.Do("link_to_formal_request", kSender,
       {{"formal_request_type", "eio"}, {"formal_request_reference", "01J..."}});
  EXPECT_EQ(s.state(), "linked_to_formal_request");
  EXPECT_EQ(s.phase(), Phase::kClosure);
}

TEST_F(SpontaneousTest, DraftSharedRevisedAndConverted) {
  s.Do("open_informal_contact", kSender,
       {{"receiving_state", "IQ"}, {"counterpart", "liaison magistrate"}});
  s.Do("inform_central_authority", kSender, {{"central_authority_informed", true}});
  s.Do("share_draft", kSender, {{"draft_reference", "draft-LoR-v1"}});
  s.Do("receive_feedback", "executing_authority", {{"feedback_summary", "add CPC 353 details"}});
  EXPECT_EQ(s.state(), "feedback_received");
  EXPECT_EQ(s.phase(), Phase::kDrafting);  // back to drafting for the revision
  s.Do("share_draft", kSender, {{"draft_reference", "draft-LoR-v2"}});
  s.Do("link_to_formal_request", "central_authority",
       {{"formal_request_type", "mla_untoc"}, {"formal_request_reference", "01J..."}});
  EXPECT_EQ(s.state(), "linked_to_formal_request");
}

TEST_F(SpontaneousTest, UrgentDirectlyAccessibleInformationWithinEightHours) {
  Receive("receive_request_urgent_direct");
  EXPECT_EQ(s.state(), "information_request_received");
  EXPECT_EQ(s.deadlines(), std::vector<std::string>{"answer_8h"});
  EXPECT_EQ(s.due_at("answer_8h"), At(Hours(8)));
  s.Advance(Hours(3));
  s.Do("provide_information", kSpoc, {{"answer_summary", "holder identified"}});
  EXPECT_EQ(s.state(), "information_provided");
  EXPECT_TRUE(s.deadlines().empty());
  s.Do("close", kSpoc, {{"closure_remarks", "no formal request needed"}});
  EXPECT_EQ(s.state(), "closed");
}

TEST_F(SpontaneousTest, ThreeAndSevenCalendarDays) {
  Receive("receive_request_urgent_indirect");
  EXPECT_EQ(s.due_at("answer_3d"), At(Days(3)));
  Scenario other("spontaneous_information");
  other.Create(json::object());
  other.Do("receive_request", kSpoc, {{"requesting_state", "SE"}, {"information_requested", "x"}});
  EXPECT_EQ(other.due_at("answer_7d"), At(Days(7)));
}

TEST_F(SpontaneousTest, JudicialAuthorisationSuspendsTheLimitThenLapseEscalates) {
  Receive("receive_request");
  s.Advance(Days(2));
  s.Do("seek_judicial_authorisation", kSpoc,
       {{"authorisation_delay_reasons", "bank data need a court order"}});
  EXPECT_TRUE(s.paused("answer_7d"));
  EXPECT_EQ(s.deadline("answer_7d")->remaining, Days(5));
  EXPECT_TRUE(s.Advance(Days(10)).empty());
  s.Do("authorisation_granted", kSpoc);
  EXPECT_EQ(s.due_at("answer_7d"), At(Days(17)));
  EXPECT_EQ(s.Advance(Days(5)), std::vector<std::string>{"answer_7d"});
  EXPECT_EQ(s.state(), "answer_overdue");
  s.Do("report_delay", kSpoc, {{"delay_reasons", "bank slow"}});
  s.Do("provide_information", kSpoc, {{"answer_summary", "account holder"}});
  EXPECT_EQ(s.state(), "information_provided");
}

TEST_F(SpontaneousTest, RefusalNeedsAGround) {
  Receive("receive_request");
  EXPECT_EQ(s.Code("refuse", kSpoc, {{"refusal_reasons", "x"}}), StatusCode::kInvalidArgument);
  s.Do("refuse", kSpoc,
       {{"refusal_ground", "information_not_available"}, {"refusal_reasons", "no record"}});
  EXPECT_EQ(s.state(), "refused");
  EXPECT_TRUE(s.deadlines().empty());
}

TEST_F(SpontaneousTest, WithdrawnByTheRequester) {
  Receive("receive_request_urgent_direct");
  s.Do("withdraw", kSender, {{"withdrawal_reason", "suspect arrested"}});
  EXPECT_EQ(s.state(), "withdrawn");
  EXPECT_TRUE(s.deadlines().empty());
}

}  // namespace
}  // namespace rogatory::workflow_testing
