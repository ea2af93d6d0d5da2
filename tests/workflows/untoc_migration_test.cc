// Migration of running requests from version 1 to version 2 of mla_untoc and
// spontaneous_information with the maps documented in docs/workflows/mla_untoc.md and
// docs/workflows/spontaneous_information.md, on the real engine over a real SQLite file: for
// every non-terminal state of version 1, a request driven there on v1 and migrated ends in the
// mapped v2 state with its clocks unchanged (running, paused or lapsed, same due time), and runs
// on version 2 afterwards.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "rogatory/sql_store.h"
#include "workflows/scenario.h"

namespace rogatory::workflow_testing {
namespace {

using nlohmann::json;

// One v1 step: fire `event` as `role` with `data`, then let `wait` pass (lapsing what falls due).
struct Step {
  std::string event;
  std::string role;
  json data = json::object();
  Duration wait{};
};

// How to reach a v1 state: the state before it and the steps from there.
using Paths = std::map<std::string, std::pair<std::string, std::vector<Step>>>;

// A fresh SQLite file in its own temporary folder, with the shipped workflows loaded.
class SqliteEngine {
 public:
  SqliteEngine() : clock_(std::make_shared<ManualClock>(T0())) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "rogatory-untoc-migration-XXXXXX").string();
    dir_ = mkdtemp(pattern.data()) != nullptr ? pattern : std::string();
    EXPECT_FALSE(dir_.empty());
    Result<std::unique_ptr<Store>> opened = OpenStore("sqlite://" + dir_ + "/rogatory.db");
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::shared_ptr<Store>(std::move(*opened));
    engine_ = std::make_unique<Engine>(EngineOptions{store_, clock_});
    const LoadReport& report = ShippedWorkflows();
    EXPECT_TRUE(report.ok()) << report.ErrorText();
    for (const auto& def : report.definitions) {
      Status s = engine_->LoadDefinition(def);
      EXPECT_TRUE(s.ok()) << s.ToString();
    }
  }
  ~SqliteEngine() {
    engine_.reset();
    store_.reset();
    std::error_code ignored;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
  }

  // A request of `workflow` version 1 created as `role`, driven to `state` along `paths`.
  RequestId DriveTo(const std::string& workflow, const std::string& role, const json& data,
                    const Paths& paths, const std::string& state) {
    CreateCall call;
    call.workflow = workflow;
    call.version = 1;
    call.data = data;
    Result<Request> created = engine_->Create(call, As(role));
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    if (!created.ok()) return "";
    const RequestId id = created->id;
    std::vector<const std::vector<Step>*> chain;
    for (std::string s = state; paths.count(s) != 0; s = paths.at(s).first) {
      chain.insert(chain.begin(), &paths.at(s).second);
    }
    for (const auto* steps : chain) {
      for (const Step& step : *steps) {
        EventCall e;
        e.event = step.event;
        e.data = step.data;
        Result<Request> r = engine_->Fire(id, e, As(step.role));
        EXPECT_TRUE(r.ok()) << step.event << ": " << r.status().ToString();
        if (step.wait != Duration{}) Advance(step.wait);
      }
    }
    EXPECT_EQ(Get(id).state, state);
    return id;
  }

  void Advance(Duration d) {
    clock_->Advance(d);
    for (int round = 0; round < 10; ++round) {
      Result<std::vector<DueDeadline>> due =
          store_->ClaimDueDeadlines(clock_->Now(), "migration-test", Duration(1), 100);
      ASSERT_TRUE(due.ok()) << due.status().ToString();
      if (due->empty()) break;
      for (const DueDeadline& d : *due) {
        ASSERT_TRUE(engine_->ExpireDeadline(d.request_id, d.name, d.due_at).ok());
      }
    }
  }

  Request Get(const RequestId& id) {
    Result<Request> r = engine_->Get(id);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : Request{};
  }

  Engine& engine() { return *engine_; }

 private:
  std::string dir_;
  std::shared_ptr<ManualClock> clock_;
  std::shared_ptr<Store> store_;
  std::unique_ptr<Engine> engine_;
};

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
    const RequestId id = db.DriveTo(workflow, creator, data, paths, state);
    const Request before = db.Get(id);
    ASSERT_EQ(before.version, 1);
    MigrationCall call;
    call.target_version = 2;
    call.state_map = map;
    call.comment = "issue 14: second edition";
    Result<Request> after = db.engine().Migrate(id, call, As("admin"));
    ASSERT_TRUE(after.ok()) << after.status().ToString();
    const std::string expected = map.count(state) != 0 ? map.at(state) : state;
    EXPECT_EQ(after->version, 2);
    EXPECT_EQ(after->state, expected);
    EXPECT_EQ(Clocks(*after), Clocks(before));
    // Read back from the SQLite file, and moved on under version 2.
    EXPECT_EQ(db.Get(id).state, expected);
    EventCall e;
    e.event = probe;
    e.data = {{"meeting_date", "2026-02-01"}, {"meeting_outcome", "after migration"}};
    Result<Request> fired = db.engine().Fire(id, e, As(probe_role));
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
      db.DriveTo("mla_untoc", "issuing_authority", kMlaData, MlaPaths(), "executed");
  MigrationCall call;
  call.target_version = 2;
  ASSERT_TRUE(db.engine().Migrate(id, call, As("admin")).ok());
  EXPECT_EQ(db.Get(id).data["death_penalty_risk"], false);
  // No death penalty at stake: the results go back as in version 1, by the requested side.
  EventCall e;
  e.event = "return_results";
  e.data = {{"results_summary", "statements"}};
  EXPECT_EQ(db.engine().Fire(id, e, As("central_authority")).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_TRUE(db.engine().Fire(id, e, As("requested_central_authority")).ok());
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
      db.DriveTo("mla_untoc", "issuing_authority", kMlaData, paths, "consultation");
  MigrationCall call;
  call.target_version = 2;
  call.state_map = {{"consultation", "consultation_in_execution"}};
  Result<Request> after = db.engine().Migrate(id, call, As("admin"));
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(after->state, "consultation_in_execution");
  EventCall e;
  e.event = "close_consultation";
  e.data = {{"consultation_outcome", "no ground"}};
  ASSERT_TRUE(db.engine().Fire(id, e, As("requested_central_authority")).ok());
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
