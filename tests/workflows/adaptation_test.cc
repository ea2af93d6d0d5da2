// How an office adapts an unconfirmed ([U]) rule: a new version of the workflow, loaded beside
// the shipped one. docs/workflows/examples/eio.v4.info-pauses-clock.yaml pauses the EIO
// recognition clock while information is awaited; running requests stay on version 3.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "workflows/scenario.h"

namespace rogatory::workflow_testing {
namespace {

using nlohmann::json;

const char kExample[] =
    ROGATORY_SOURCE_DIR "/docs/workflows/examples/eio.v4.info-pauses-clock.yaml";

WorkflowDefinition LoadExample() {
  std::ifstream in(kExample);
  std::stringstream text;
  text << in.rdbuf();
  LoadReport report = ParseDefinition(text.str(), kExample);
  EXPECT_TRUE(report.ok()) << report.ErrorText();
  return report.definitions.empty() ? WorkflowDefinition{} : report.definitions.front();
}

void ToUnderRecognition(Scenario& s) {
  s.Do("issue", "issuing_authority",
       {{"issuing_authority_details", "Procura di Milano"},
        {"issuing_authority_type", "public_prosecutor"},
        {"offence_classification", "money laundering"},
        {"measures", {"banking_information"}}});
  s.Do("transmit", "issuing_authority", {{"channel", "direct"}});
  // Version 3 and later: the competent authority's receipt starts the 30 days (Art. 12(3)).
  s.Do("receive", "executing_authority",
       {{"receiver", "competent_executing_authority"},
        {"received_at", FormatRfc3339(s.now())},
        {"competent_receipt_on", FormatRfc3339(s.now()).substr(0, 10)}});
  s.Do("acknowledge", "executing_authority");
}

TEST(AdaptationTest, ExampleVariantIsAValidVersionFour) {
  WorkflowDefinition v4 = LoadExample();
  EXPECT_EQ(v4.id, "eio");
  EXPECT_EQ(v4.version, 4);
}

TEST(AdaptationTest, NewVersionChangesOnlyNewRequests) {
  Scenario old_request("eio");
  old_request.Create({{"issuing_state", "IT"}, {"executing_state", "ES"}});
  ASSERT_TRUE(old_request.engine().LoadDefinition(LoadExample()).ok());
  EXPECT_EQ(old_request.request().version, 3);
  ToUnderRecognition(old_request);
  old_request.Advance(Days(10));
  old_request.Do("request_info", "executing_authority", {{"info_requested", "account numbers"}});
  EXPECT_FALSE(old_request.paused("recognition_30d"));  // version 3: keeps running

  // A new request on the same engine gets version 4, where the clock waits with the office.
  old_request.Create({{"issuing_state", "IT"}, {"executing_state", "ES"}});
  Scenario& s = old_request;
  EXPECT_EQ(s.request().version, 4);
  ToUnderRecognition(s);
  s.Advance(Days(10));
  s.Do("request_info", "executing_authority", {{"info_requested", "account numbers"}});
  EXPECT_TRUE(s.paused("recognition_30d"));
  // The 30 days count from 00:00 UTC of the day of receipt (from_field), 9 hours before it.
  EXPECT_EQ(s.deadline("recognition_30d")->remaining, Days(20) - Hours(9));
  s.Advance(Days(15));
  s.Do("supply_info", "issuing_authority", {{"info_supplied", "IBANs"}});
  EXPECT_EQ(s.due_at("recognition_30d"), At(Days(10 + 10 + 15 + 20) - Hours(9)));
}

TEST(AdaptationTest, RunningRequestMovesToTheNewVersionByExplicitMigration) {
  Scenario s("eio");
  s.Create({{"issuing_state", "IT"}, {"executing_state", "ES"}});
  ToUnderRecognition(s);
  ASSERT_TRUE(s.engine().LoadDefinition(LoadExample()).ok());
  MigrationCall call;
  call.target_version = 4;
  call.comment = "office adopts the pause-on-information reading";
  Result<Request> r = s.engine().Migrate(s.id(), call, As("admin"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->version, 4);
  EXPECT_EQ(r->state, "under_recognition");
  EXPECT_TRUE(s.deadline("recognition_30d"));  // the clock carries over
  EXPECT_EQ(s.last().event, "migrate");
  s.Do("request_info", "executing_authority", {{"info_requested", "x"}});
  EXPECT_TRUE(s.paused("recognition_30d"));
}

}  // namespace
}  // namespace rogatory::workflow_testing
