// Scenarios of European Production and Preservation Orders (workflows/epoc.v1.yaml,
// Regulation (EU) 2023/1543).
#include <gtest/gtest.h>

#include "workflows/scenario.h"

namespace rogatory::workflow_testing {
namespace {

using nlohmann::json;

class EpocTest : public ::testing::Test {
 protected:
  void Create(const std::string& order_type) {
    s.Create({{"issuing_state", "ES"},
              {"service_provider", "Example Mail Ltd (IE)"},
              {"order_type", order_type}});
  }
  void Issue(const json& categories = {"traffic_data", "content_data"}) {
    s.Do("issue", kIssuer,
         {{"issuing_authority_details", "Juzgado de Instruccion n. 3 Madrid"},
          {"issuing_authority_type", "investigating_judge"},
          {"data_categories", categories},
          {"offence_classification", "child sexual abuse material"}});
  }

  Scenario s{"epoc", 1};  // version 2: epoc_v2_*.yaml and migration_v2_test.cc
};

TEST_F(EpocTest, ProductionWithoutNotificationWithinTenDays) {
  Create("production");
  Issue({"subscriber_data"});
  s.Do("serve", kIssuer);
  EXPECT_EQ(s.state(), "served");
  EXPECT_EQ(s.due_at("production_10d"), At(Days(10)));  // Art. 10(3)
  s.Do("confirm_data_secured", kProvider, {{"data_secured", true}});
  s.Advance(Days(6));
  s.Do("produce_data", kProvider, {{"production_summary", "subscriber record, 1 account"}});
  EXPECT_EQ(s.state(), "data_produced");
  EXPECT_TRUE(s.deadlines().empty());
  s.Do("close", kIssuer);
  EXPECT_EQ(s.state(), "closed");
}

TEST_F(EpocTest, SilenceOfTheEnforcingAuthorityMeansProceed) {
  Create("production");
  Issue();
  s.Do("serve_with_notification", kIssuer, {{"enforcing_state", "IE"}});
  EXPECT_EQ(s.state(), "served_notified");
  EXPECT_EQ(s.due_at("enforcing_review_10d"), At(Days(10)));
  EXPECT_EQ(s.Code("produce_data", kProvider, {{"production_summary", "x"}}),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.Advance(Days(10)), std::vector<std::string>{"enforcing_review_10d"});
  EXPECT_EQ(s.state(), "production_due");  // Art. 10(2): automatic
  EXPECT_EQ(s.last().actor, "system");
  s.Do("produce_data", kProvider, {{"production_summary", "traffic and content, 3 accounts"}});
  EXPECT_EQ(s.state(), "data_produced");
}

TEST_F(EpocTest, EnforcingAuthorityConfirmsEarlyOrRaisesAGround) {
  Create("production");
  Issue();
  s.Do("serve_with_notification", kIssuer, {{"enforcing_state", "IE"}});
  EXPECT_EQ(s.Code("raise_ground", kEnforcing,
                   {{"refusal_ground", "art12_1_e"}, {"refusal_reasons", "x"}}),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(
      s.Code("raise_ground", kIssuer, {{"refusal_ground", "art12_1_a"}, {"refusal_reasons", "x"}}),
      StatusCode::kPermissionDenied);
  s.Do("raise_ground", kEnforcing,
       {{"refusal_ground", "art12_1_a"}, {"refusal_reasons", "journalist's source"}});
  EXPECT_EQ(s.state(), "refused");
  EXPECT_TRUE(s.deadlines().empty());
}

TEST_F(EpocTest, PartialGroundLetsTheRestBeProduced) {
  Create("production");
  Issue();
  s.Do("serve_with_notification", kIssuer, {{"enforcing_state", "IE"}});
  s.Advance(Days(4));
  s.Do("raise_partial_ground", kEnforcing,
       {{"refusal_ground", "art12_1_d"},
        {"refusal_reasons", "content data: no double criminality"},
        {"data_categories_refused", {"content_data"}}});
  EXPECT_EQ(s.state(), "production_due");
  EXPECT_TRUE(s.deadlines().empty());
}

TEST_F(EpocTest, EmergencyEightHoursAndNinetySixHourReviewAfterProduction) {
  Create("production");
  Issue();
  s.Do("serve_emergency_with_notification", kIssuer,
       {{"emergency_reasons", "imminent threat to a child"}, {"enforcing_state", "IE"}});
  EXPECT_EQ(s.due_at("emergency_8h"), At(Hours(8)));
  EXPECT_EQ(s.due_at("enforcing_review_96h"), At(Hours(96)));
  s.Advance(Hours(5));
  s.Do("produce_data", kProvider, {{"production_summary", "location data"}});
  EXPECT_EQ(s.deadlines(), std::vector<std::string>{"enforcing_review_96h"});  // not suspensive
  EXPECT_EQ(s.Advance(Hours(91)), std::vector<std::string>{"enforcing_review_96h"});
  EXPECT_EQ(s.state(), "data_produced");
  s.Do("close", kIssuer);
  EXPECT_EQ(s.state(), "closed");
}

TEST_F(EpocTest, MissedEmergencyLimitEscalatesToEnforcement) {
  Create("production");
  Issue({"subscriber_data"});
  s.Do("serve_emergency", kIssuer, {{"emergency_reasons", "kidnapping"}});
  EXPECT_EQ(s.Advance(Hours(8)), std::vector<std::string>{"emergency_8h"});
  EXPECT_EQ(s.state(), "production_overdue");
  s.Do("refer_for_enforcement", kIssuer,
       {{"enforcement_request_reasons", "no answer, no Annex III"}});
  EXPECT_EQ(s.state(), "enforcement_procedure");
  s.Do("produce_data", kProvider, {{"production_summary", "subscriber record"}});
  EXPECT_EQ(s.state(), "data_produced");
}

TEST_F(EpocTest, ImpossibilityClarifiedThenProduced) {
  Create("production");
  Issue({"subscriber_data"});
  s.Do("serve", kIssuer);
  s.Do("report_impossibility", kProvider,
       {{"impossibility_reasons", "account identifier malformed"}});
  EXPECT_EQ(s.state(), "cannot_comply");
  EXPECT_EQ(s.due_at("production_10d"), At(Days(10)));  // keeps running [U]
  s.Do("provide_clarification", kIssuer, {{"clarification", "corrected identifier"}});
  EXPECT_EQ(s.state(), "production_due");
  s.Do("produce_data", kProvider, {{"production_summary", "ok"}});
  EXPECT_TRUE(s.deadlines().empty());
}

TEST_F(EpocTest, ProsecutorNeedsValidationForContent) {
  Create("production");
  s.Do("submit_for_validation", kIssuer,
       {{"issuing_authority_details", "Fiscalia Madrid"},
        {"issuing_authority_type", "public_prosecutor"},
        {"data_categories", {"content_data"}},
        {"offence_classification", "terrorism"}});
  EXPECT_EQ(s.state(), "pending_validation");
  s.Do("validate", "validating_authority",
       {{"validating_authority_details", "Juzgado Central de Instruccion"}});
  EXPECT_EQ(s.state(), "issued");
}

TEST_F(EpocTest, PreservationEndsByItselfAfterSixtyDays) {
  Create("preservation");
  Issue();
  s.Do("serve_preservation_order", kIssuer);
  EXPECT_EQ(s.state(), "preserving");
  EXPECT_EQ(s.due_at("preservation_60d"), At(Days(60)));
  EXPECT_EQ(s.Advance(Days(60)), std::vector<std::string>{"preservation_60d"});
  EXPECT_EQ(s.state(), "preservation_expired");  // Art. 11(1): automatic
  EXPECT_EQ(s.phase(), Phase::kClosure);
}

TEST_F(EpocTest, PreservationExtendedThenConfirmedThenLifted) {
  Create("preservation");
  Issue();
  s.Do("serve_preservation_order", kIssuer);
  s.Advance(Days(55));
  s.Do("extend_preservation", kIssuer, {{"extension_reasons", "EIO in preparation"}});
  EXPECT_EQ(s.due_at("preservation_60d"), At(Days(90)));
  EXPECT_EQ(s.Code("extend_preservation", kIssuer), StatusCode::kFailedPrecondition);
  s.Advance(Days(30));
  s.Do("confirm_production_request", kIssuer, {{"production_request_reference", "EIO ES-2026-77"}});
  EXPECT_EQ(s.state(), "preservation_confirmed");
  EXPECT_TRUE(s.deadlines().empty());  // preserved as long as needed
  EXPECT_TRUE(s.Advance(Days(300)).empty());
  s.Do("lift_preservation", kIssuer, {{"lifting_reason", "data produced under the EIO"}});
  EXPECT_EQ(s.state(), "preservation_lifted");
}

TEST_F(EpocTest, WithdrawalStopsEveryClock) {
  Create("production");
  Issue();
  s.Do("serve_emergency_with_notification", kIssuer,
       {{"emergency_reasons", "x"}, {"enforcing_state", "IE"}});
  s.Do("withdraw", kIssuer, {{"withdrawal_reason", "threat resolved"}});
  EXPECT_EQ(s.state(), "withdrawn");
  EXPECT_TRUE(s.deadlines().empty());
}

}  // namespace
}  // namespace rogatory::workflow_testing
