// Migration of running requests from version 1 to version 2 of mla_untoc and
// spontaneous_information with the maps documented in docs/workflows/mla_untoc.md and
// docs/workflows/spontaneous_information.md, on the real engine over a real SQLite file: for
// every non-terminal state of version 1, a request driven there on v1 and migrated ends in the
// mapped v2 state with its clocks unchanged (running, paused or lapsed, same due time), and runs
// on version 2 afterwards.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "workflows/migration.h"

namespace rogatory::workflow_testing {
namespace {

using nlohmann::json;

// How to reach a v1 state: the state before it and the steps from there.
using Paths = std::map<std::string, std::pair<std::string, std::vector<Step>>>;

// A request of `workflow` version 1 created as `role` on `db`, driven to `state` along `paths`.
RequestId DriveTo(SqliteEngine& db, const std::string& workflow, const std::string& role,
                  const json& data, const Paths& paths, const std::string& state) {
  std::vector<Step> steps;
  for (std::string s = state; paths.count(s) != 0; s = paths.at(s).first) {
    const std::vector<Step>& before = paths.at(s).second;
    steps.insert(steps.begin(), before.begin(), before.end());
  }
  const RequestId id = db.Walk(workflow, 1, data, steps, role);
  EXPECT_EQ(db.Get(id).state, state);
  return id;
}

// The clocks as `name running|paused|lapsed due_at remaining`, for comparing before and after.
std::vector<std::string> Clocks(const Request& r) {
  std::vector<std::string> out;
  for (const DeadlineState& d : r.deadlines) {
    out.push_back(d.name +
                  (d.lapsed   ? " lapsed "
                   : d.paused ? " paused "
                              : " running ") +
                  FormatRfc3339(d.due_at) + " " + std::to_string(d.remaining.count()));
  }
  return out;
}

// Migrates every non-terminal v1 state of `workflow` with `map` (identity where not named),
// checks state, version and clocks, then fires `probe` (a v2-only event) as `probe_role`.
void CheckEveryState(const std::string& workflow, const std::string& creator, const json& data,
                     const Paths& paths, const std::vector<std::string>& states,
                     const std::map<std::string, std::string>& map, const std::string& probe,
                     const std::string& probe_role) {
  for (const std::string& state : states) {
    SCOPED_TRACE(workflow + " v1 state " + state);
    SqliteEngine db;
    const RequestId id = DriveTo(db, workflow, creator, data, paths, state);
    const Request before = db.Get(id);
    ASSERT_EQ(before.version, 1);
    Result<Request> after = db.Migrate(id, 2, map);
    ASSERT_TRUE(after.ok()) << after.status().ToString();
    const std::string expected = map.count(state) != 0 ? map.at(state) : state;
    EXPECT_EQ(after->version, 2);
    EXPECT_EQ(after->state, expected);
    EXPECT_EQ(Clocks(*after), Clocks(before));
    // Read back from the SQLite file, and moved on under version 2.
    EXPECT_EQ(db.Get(id).state, expected);
    Result<Request> fired =
        db.Fire(id, probe, probe_role,
                {{"meeting_date", "2026-02-01"}, {"meeting_outcome", "after migration"}});
    EXPECT_TRUE(fired.ok()) << fired.status().ToString();
  }
}

const json kMlaData = {{"requesting_state", "IQ"}, {"requested_state", "DE"}};

Paths MlaPaths() {
  const std::string req = "issuing_authority", ca = "central_authority", ex = "executing_authority";
  return {
      {"internal_approval",
       {"draft",
        {{"submit",
          req,
          {{"requesting_authority_details", "Investigative judge, Karkh"},
           {"subject_matter", "embezzlement"},
           {"facts_summary", "transfers to DE"},
           {"assistance_sought", {"documents_and_records"}},
           {"purpose", "trial"}}}}}},
      {"approved",
       {"internal_approval",
        {{"approve", ca, {{"legal_basis", "uncac_art46"}, {"channel", "central_authority"}}}}}},
      {"translation",
       {"approved", {{"request_translation", ca, {{"translation_language", "de"}}}}}},
      {"transmitted", {"approved", {{"transmit", ca}}}},
      {"in_diplomatic_channel", {"approved", {{"transmit_via_diplomatic_channel", ca}}}},
      // Eleven days: the acknowledgement target has lapsed and stays lapsed after migration.
      {"received", {"transmitted", {{"receive", ca, json::object(), Days(11)}}}},
      {"returned_deficient", {"received", {{"return_deficient", ca, {{"deficiencies", "x"}}}}}},
      {"acknowledged", {"received", {{"acknowledge", ca, {{"requested_reference", "R-1"}}}}}},
      {"under_review", {"acknowledged", {{"start_review", ca}}}},
      {"additional_info_requested",
       {"under_review", {{"request_info", ca, {{"info_requested", "IBANs"}}, Days(5)}}}},
      {"consultation",
       {"under_review", {{"open_consultation", ca, {{"consultation_subject", "interests"}}}}}},
      {"accepted_with_conditions",
       {"consultation", {{"agree_conditions", ca, {{"conditions_agreed", "no tax use"}}}}}},
      {"referred_for_execution",
       {"under_review",
        {{"refer_for_execution", ca, {{"executing_authority_details", "StA Frankfurt"}}}}}},
      {"in_execution", {"referred_for_execution", {{"start_execution", ex}}}},
      {"postponed",
       {"in_execution",
        {{"open_consultation", ca, {{"consultation_subject", "pending case"}}},
         {"postpone",
          ca,
          {{"postponement_ground", "art18_25"}, {"postponement_reasons", "searches"}},
          Days(3)}}}},
      {"partially_executed",
       {"in_execution", {{"record_partial_execution", ex, {{"items_provided", {"bank A"}}}}}}},
      {"executed",
       {"in_execution", {{"complete_execution", ex, {{"items_provided", {"bank A"}}}}}}},
      {"results_returned",
       {"executed", {{"return_results", ca, {{"results_summary", "statements"}}}}}},
  };
}

const std::vector<std::string> kMlaV1States = {"draft",
                                               "internal_approval",
                                               "approved",
                                               "translation",
                                               "returned_deficient",
                                               "transmitted",
                                               "in_diplomatic_channel",
                                               "received",
                                               "acknowledged",
                                               "under_review",
                                               "additional_info_requested",
                                               "consultation",
                                               "accepted_with_conditions",
                                               "referred_for_execution",
                                               "in_execution",
                                               "postponed",
                                               "partially_executed",
                                               "executed",
                                               "results_returned"};

TEST(UntocMigrationTest, EveryRunningMlaV1StateMigratesToVersionTwoWithItsClocks) {
  CheckEveryState("mla_untoc", "issuing_authority", kMlaData, MlaPaths(), kMlaV1States, {},
                  "record_coordination_meeting", "issuing_authority");
}

TEST(UntocMigrationTest, MlaDefaultsOfVersionTwoFillTheMigratedData) {
  SqliteEngine db;
  const RequestId id =
      DriveTo(db, "mla_untoc", "issuing_authority", kMlaData, MlaPaths(), "executed");
  ASSERT_TRUE(db.Migrate(id, 2).ok());
  EXPECT_EQ(db.Get(id).data["death_penalty_risk"], false);
  // No death penalty at stake: the results go back as in version 1, by the requested side.
  const json results = {{"results_summary", "statements"}};
  EXPECT_EQ(db.Fire(id, "return_results", "central_authority", results).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_TRUE(db.Fire(id, "return_results", "requested_central_authority", results).ok());
  EXPECT_EQ(db.Get(id).state, "results_returned");
}

// A v1 consultation opened during execution: the documented map sends it to
// consultation_in_execution, so that closing it returns to execution.
TEST(UntocMigrationTest, MlaConsultationOpenedInExecutionMapsToItsOwnState) {
  Paths paths = MlaPaths();
  paths["consultation"] = {
      "in_execution",
      {{"open_consultation", "central_authority", {{"consultation_subject", "pending case"}}}}};
  SqliteEngine db;
  const RequestId id =
      DriveTo(db, "mla_untoc", "issuing_authority", kMlaData, paths, "consultation");
  Result<Request> after = db.Migrate(id, 2, {{"consultation", "consultation_in_execution"}});
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(after->state, "consultation_in_execution");
  ASSERT_TRUE(db.Fire(id, "close_consultation", "requested_central_authority",
                      {{"consultation_outcome", "no ground"}})
                  .ok());
  EXPECT_EQ(db.Get(id).state, "in_execution");
}

Paths SpontaneousPaths() {
  const std::string req = "issuing_authority", spoc = "spoc", ex = "executing_authority";
  return {
      {"assessed",
       {"identified",
        {{"assess", req, {{"receiving_state", "DE"}, {"information_summary", "x"}}}}}},
      {"transmitted", {"assessed", {{"transmit_spontaneously", spoc, {{"channel", "spoc"}}}}}},
      {"acknowledged",
       {"transmitted", {{"acknowledge_receipt", ex, {{"conditions_accepted", true}}}}}},
      {"contact_opened",
       {"identified",
        {{"open_informal_contact", req, {{"receiving_state", "NL"}, {"counterpart", "LO"}}}}}},
      {"draft_shared", {"contact_opened", {{"share_draft", req, {{"draft_reference", "D-1"}}}}}},
      {"feedback_received",
       {"draft_shared", {{"receive_feedback", ex, {{"feedback_summary", "add BIC"}}}}}},
      {"information_request_received",
       {"identified",
        {{"receive_request_urgent_indirect",
          spoc,
          {{"requesting_state", "AT"}, {"information_requested", "keeper"}},
          Days(1)}}}},
      {"awaiting_judicial_authorisation",
       {"information_request_received",
        {{"seek_judicial_authorisation", spoc, {{"authorisation_delay_reasons", "court"}}}}}},
      {"answer_overdue",
       {"identified",
        {{"receive_request",
          spoc,
          {{"requesting_state", "PL"}, {"information_requested", "address"}},
          Days(8)}}}},
      {"information_provided",
       {"information_request_received",
        {{"provide_information", spoc, {{"answer_summary", "keeper identified"}}}}}},
  };
}

TEST(UntocMigrationTest, EveryRunningSpontaneousV1StateMigratesToVersionTwoWithItsClocks) {
  CheckEveryState("spontaneous_information", "issuing_authority", json::object(),
                  SpontaneousPaths(),
                  {"identified", "assessed", "transmitted", "acknowledged", "contact_opened",
                   "draft_shared", "feedback_received", "information_request_received",
                   "awaiting_judicial_authorisation", "answer_overdue", "information_provided"},
                  {}, "record_coordination_meeting", "spoc");
}

}  // namespace
}  // namespace rogatory::workflow_testing
