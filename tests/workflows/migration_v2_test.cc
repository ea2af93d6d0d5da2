// The documented migration maps of issue 14's new versions (docs/workflows/{eio,epoc,jit}.md):
// for every non-terminal state of the older version, a running request in that state, stored
// in a real SQLite file, migrated with the documented map ends in the mapped state with its
// clocks as documented. EIO 1 and 2 -> 3, EPOC 1 -> 2, JIT 1 -> 2 all keep the state names
// (an empty map); the clocks carry over unchanged, and the new versions' `while` clocks start
// where their states say (EPOC production_after_review, JIT agreement_period).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "workflows/migration.h"

namespace rogatory::workflow_testing {
namespace {

using nlohmann::json;

// A path from creation to a state of the older version.
struct Path {
  std::string state;
  std::vector<Step> steps;
};

// `base` followed by `more`.
std::vector<Step> Then(std::vector<Step> base, const std::vector<Step>& more) {
  base.insert(base.end(), more.begin(), more.end());
  return base;
}

// The clocks of `r` that are not in `added`, sorted by name, for comparing before and after.
std::vector<DeadlineState> ClocksWithout(const Request& r, const std::vector<std::string>& added) {
  std::vector<DeadlineState> out;
  for (const auto& d : r.deadlines) {
    if (std::find(added.begin(), added.end(), d.name) == added.end()) out.push_back(d);
  }
  std::sort(out.begin(), out.end(),
            [](const DeadlineState& a, const DeadlineState& b) { return a.name < b.name; });
  return out;
}

std::vector<std::string> Names(const Request& r) {
  std::vector<std::string> out;
  for (const auto& d : r.deadlines) out.push_back(d.name);
  std::sort(out.begin(), out.end());
  return out;
}

// Walks every path on version `from`, migrates to `to` with an empty map, and checks: same
// state, every old clock unchanged, and exactly `added[state]` as new clocks.
void CheckEveryState(const std::string& workflow, int from, int to, const json& data,
                     const std::string& creator, const std::vector<Path>& paths,
                     const std::map<std::string, std::vector<std::string>>& added,
                     const std::vector<std::string>& non_terminal) {
  SqliteEngine db;
  std::vector<std::string> covered;
  for (const Path& path : paths) {
    SCOPED_TRACE(workflow + " v" + std::to_string(from) + " " + path.state);
    RequestId id = db.Walk(workflow, from, data, path.steps, creator);
    Request before = db.Get(id);
    ASSERT_EQ(before.state, path.state);
    ASSERT_EQ(before.version, from);
    Result<Request> after = db.Migrate(id, to, {}, "issue 14 rollout");
    ASSERT_TRUE(after.ok()) << after.status().ToString();
    EXPECT_EQ(after->version, to);
    EXPECT_EQ(after->state, path.state);
    auto it = added.find(path.state);
    const std::vector<std::string> news =
        it == added.end() ? std::vector<std::string>{} : it->second;
    Request stored = db.Get(id);  // read back from the SQLite file
    EXPECT_EQ(ClocksWithout(stored, news), ClocksWithout(before, {}));
    std::vector<std::string> expected = Names(before);
    expected.insert(expected.end(), news.begin(), news.end());
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(Names(stored), expected);
    covered.push_back(path.state);
  }
  std::sort(covered.begin(), covered.end());
  std::vector<std::string> wanted = non_terminal;
  std::sort(wanted.begin(), wanted.end());
  EXPECT_EQ(covered, wanted) << "every non-terminal state of " << workflow << " v" << from;
}

// ---------------------------------------------------------------- EIO 1 and 2 -> 3

std::vector<Path> EioPaths() {
  const std::vector<Step> issued = {{"issue",
                                     kIssuer,
                                     {{"issuing_authority_details", "Procura di Milano"},
                                      {"issuing_authority_type", "public_prosecutor"},
                                      {"offence_classification", "money laundering"},
                                      {"measures", {"banking_information"}}}}};
  const auto transmitted = Then(issued, {{"transmit", kIssuer, {{"channel", "direct"}}}});
  const auto received = Then(transmitted, {{"receive", kExecutor}});
  const auto recognition = Then(received, {{"acknowledge", kExecutor}});
  const auto recognised = Then(recognition, {{"recognise", kExecutor}});
  const auto executing = Then(recognised, {{"start_execution", kExecutor}});
  const auto executed =
      Then(executing,
           {{"complete_execution", kExecutor, {{"measures_executed", {"banking_information"}}}}});
  return {
      {"draft", {}},
      {"pending_validation",
       {{"submit_for_validation",
         kIssuer,
         {{"issuing_authority_details", "Guardia di Finanza"},
          {"issuing_authority_type", "other_competent_authority"},
          {"offence_classification", "tax fraud"},
          {"measures", {"hearing_witness"}}}}}},
      {"issued", issued},
      {"translation",
       Then(issued, {{"request_translation", kIssuer, {{"translation_language", "es"}}}})},
      {"transmitted", transmitted},
      {"received", received},
      {"forwarded_to_competent",
       Then(received,
            {{"forward_to_competent", kExecutor, {{"executing_authority_details", "Fiscalía"}}}})},
      {"under_recognition", recognition},
      {"additional_info_requested",
       Then(recognition, {{"request_info", kExecutor, {{"info_requested", "IBAN"}}}})},
      {"consultation",
       Then(recognition, {{"consult", kExecutor, {{"consultation_subject", "privilege"}}}})},
      {"recognition_extended", Then(recognition, {{"extend_recognition",
                                                   kExecutor,
                                                   {{"delay_reasons", "court"},
                                                    {"estimated_decision_date", "2026-03-01"}}}})},
      {"recognition_postponed", Then(recognition, {{"postpone_recognition",
                                                    kExecutor,
                                                    {{"postponement_ground", "art15_1_a"},
                                                     {"postponement_reasons", "x"}}}})},
      {"recognition_late", Then(recognition, {Wait(Days(30))})},
      {"recognised", recognised},
      {"alternative_measure_proposed",
       Then(recognised,
            {{"propose_alternative", kExecutor, {{"alternative_measure", "production order"}}}})},
      {"in_execution", executing},
      {"postponed", Then(recognised, {{"postpone",
                                       kExecutor,
                                       {{"postponement_ground", "art15_1_b"},
                                        {"postponement_reasons", "in use"}}}})},
      {"execution_delayed", Then(recognised, {{"report_execution_delay",
                                               kExecutor,
                                               {{"delay_reasons", "bank"},
                                                {"estimated_completion_date", "2026-06-01"}}}})},
      {"execution_late", Then(recognised, {Wait(Days(90))})},
      {"partially_executed", Then(executing, {{"record_partial_execution",
                                               kExecutor,
                                               {{"measures_executed", {"banking_information"}}}}})},
      {"executed", executed},
      {"transfer_suspended",
       Then(executed, {{"suspend_transfer",
                        kExecutor,
                        {{"transfer_suspension_ground", "legal_remedy_pending"}}}})},
      {"evidence_transferred",
       Then(executed, {{"transfer_evidence", kExecutor, {{"evidence_return_required", false}}}})},
  };
}

const std::vector<std::string> kEioNonTerminal = {"draft",
                                                  "pending_validation",
                                                  "issued",
                                                  "translation",
                                                  "transmitted",
                                                  "received",
                                                  "forwarded_to_competent",
                                                  "under_recognition",
                                                  "additional_info_requested",
                                                  "consultation",
                                                  "recognition_extended",
                                                  "recognition_postponed",
                                                  "recognition_late",
                                                  "recognised",
                                                  "alternative_measure_proposed",
                                                  "in_execution",
                                                  "postponed",
                                                  "execution_delayed",
                                                  "execution_late",
                                                  "partially_executed",
                                                  "executed",
                                                  "transfer_suspended",
                                                  "evidence_transferred"};

const json kEioData = {{"issuing_state", "IT"}, {"executing_state", "ES"}};

TEST(MigrationV2Test, EioVersion1EveryStateToVersion3KeepsStateAndClocks) {
  CheckEveryState("eio", 1, 3, kEioData, kIssuer, EioPaths(), {}, kEioNonTerminal);
}

TEST(MigrationV2Test, EioVersion2EveryStateToVersion3KeepsStateAndClocks) {
  CheckEveryState("eio", 2, 3, kEioData, kIssuer, EioPaths(), {}, kEioNonTerminal);
}

// eio.md: a request `received` on version 1 or 2 had its 30 days started by any receiver; on
// version 3 the competent authority's `receive_as_competent` moves it on and recounts them from
// the day of its receipt. Where the receiver was competent, map received -> under_recognition.
TEST(MigrationV2Test, EioReceivedRequestContinuesOnVersion3) {
  SqliteEngine db;
  const std::vector<Path> paths = EioPaths();
  const auto received =
      std::find_if(paths.begin(), paths.end(), [](const Path& p) { return p.state == "received"; });
  ASSERT_NE(received, paths.end());

  RequestId id = db.Walk("eio", 2, kEioData, received->steps, kIssuer);
  ASSERT_TRUE(db.Migrate(id, 3).ok());
  EXPECT_EQ(db.Fire(id, "acknowledge", kExecutor)->state, "received");  // a record now
  Result<Request> r =
      db.Fire(id, "receive_as_competent", kExecutor, {{"competent_receipt_on", "2026-01-05"}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->state, "under_recognition");
  const DeadlineState* clock = r->FindDeadline("recognition_30d");
  ASSERT_NE(clock, nullptr);
  EXPECT_EQ(FormatRfc3339(clock->due_at), Instant("2026-02-04T00:00:00Z"));

  RequestId competent = db.Walk("eio", 1, kEioData, received->steps, kIssuer);
  Request before = db.Get(competent);
  Result<Request> mapped = db.Migrate(competent, 3, {{"received", "under_recognition"}});
  ASSERT_TRUE(mapped.ok()) << mapped.status().ToString();
  EXPECT_EQ(mapped->state, "under_recognition");
  EXPECT_EQ(ClocksWithout(db.Get(competent), {}), ClocksWithout(before, {}));
  // Art. 11(4) now applies to it: no refusal on ground (d) without a consultation.
  EXPECT_EQ(db.Fire(competent, "refuse", kExecutor,
                    {{"refusal_ground", "art11_1_d"}, {"refusal_reasons", "ne bis in idem"}})
                .status()
                .code(),
            StatusCode::kFailedPrecondition);
}

// ---------------------------------------------------------------- EPOC 1 -> 2

std::vector<Path> EpocPaths() {
  const std::vector<Step> issued = {{"issue",
                                     kIssuer,
                                     {{"issuing_authority_details", "Juzgado n. 3"},
                                      {"issuing_authority_type", "investigating_judge"},
                                      {"data_categories", {"traffic_data"}},
                                      {"offence_classification", "fraud"}}}};
  const auto served = Then(issued, {{"serve", kIssuer}});
  const auto notified =
      Then(issued, {{"serve_with_notification", kIssuer, {{"enforcing_state", "IE"}}}});
  const auto overdue = Then(served, {Wait(Days(10))});
  const auto preserving = Then(issued, {{"serve_preservation_order", kIssuer}});
  return {
      {"draft", {}},
      {"pending_validation",
       {{"submit_for_validation",
         kIssuer,
         {{"issuing_authority_details", "Policía Nacional"},
          {"issuing_authority_type", "other_competent_authority"},
          {"data_categories", {"subscriber_data"}},
          {"offence_classification", "fraud"}}}}},
      {"issued", issued},
      {"served", served},
      {"served_notified", notified},
      {"served_emergency",
       Then(issued, {{"serve_emergency", kIssuer, {{"emergency_reasons", "kidnapping"}}}})},
      {"production_due", Then(notified, {{"confirm_no_grounds", kEnforcing}})},
      {"production_overdue", overdue},
      {"cannot_comply",
       Then(served,
            {{"report_impossibility", kProvider, {{"impossibility_reasons", "no account"}}}})},
      {"enforcement_procedure",
       Then(overdue,
            {{"refer_for_enforcement", kIssuer, {{"enforcement_request_reasons", "silence"}}}})},
      {"data_produced",
       Then(served, {{"produce_data", kProvider, {{"production_summary", "records"}}}})},
      {"preserving", preserving},
      {"preservation_extended",
       Then(preserving, {{"extend_preservation", kIssuer, {{"extension_reasons", "EIO coming"}}}})},
      {"preservation_confirmed", Then(preserving, {{"confirm_production_request",
                                                    kIssuer,
                                                    {{"production_request_reference", "EIO-1"}}}})},
  };
}

TEST(MigrationV2Test, EpocVersion1EveryStateToVersion2KeepsStateAndStartsTheArt10Clock) {
  CheckEveryState(
      "epoc", 1, 2,
      {{"issuing_state", "ES"},
       {"service_provider", "Example Mail Ltd (IE)"},
       {"order_type", "production"}},
      kIssuer, EpocPaths(),
      {{"served_notified", {"production_after_review"}},
       {"production_due", {"production_after_review"}}},
      {"draft", "pending_validation", "issued", "served", "served_notified", "served_emergency",
       "production_due", "production_overdue", "cannot_comply", "enforcement_procedure",
       "data_produced", "preserving", "preservation_extended", "preservation_confirmed"});
}

// epoc.md: a request migrated in production_due gets the Art. 10(2) clock counted in whole days
// from the migration (v1 kept no date of service), and its lapse escalates.
TEST(MigrationV2Test, EpocProductionDueMigratedEscalatesAtTheEndOfTheTenDays) {
  SqliteEngine db;
  const std::vector<Path> paths = EpocPaths();
  const auto due = std::find_if(paths.begin(), paths.end(),
                                [](const Path& p) { return p.state == "production_due"; });
  ASSERT_NE(due, paths.end());
  RequestId id = db.Walk("epoc", 1,
                         {{"issuing_state", "ES"},
                          {"service_provider", "Example Mail Ltd (IE)"},
                          {"order_type", "production"}},
                         due->steps, kIssuer);
  Result<Request> r = db.Migrate(id, 2);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const DeadlineState* clock = r->FindDeadline("production_after_review");
  ASSERT_NE(clock, nullptr);
  // Migrated on Monday 5 January 09:00 UTC: the 10 days run 6 to 15 January.
  EXPECT_EQ(FormatRfc3339(clock->due_at), Instant("2026-01-16T00:00:00Z"));
  db.clock().Advance(Days(11));
  db.RunDue();
  EXPECT_EQ(db.Get(id).state, "production_overdue");
}

// ---------------------------------------------------------------- JIT 1 -> 2

std::vector<Path> JitPaths(const std::string& end_date) {
  const std::vector<Step> drafting = {
      {"draft_agreement", kParty, {{"purpose", "trafficking"}, {"legal_basis", "untoc_art19"}}}};
  const auto awaiting =
      Then(drafting, {{"circulate_for_signature",
                       kParty,
                       {{"operating_states", {"NL", "BE"}}, {"agreement_end_date", end_date}}}});
  const auto established = Then(awaiting, {{"sign", kParty, {{"signature_date", "2026-01-05"}}}});
  const auto operational = Then(established, {{"start_operations", kParty}});
  return {
      {"proposed", {}},
      {"agreement_drafting", drafting},
      {"awaiting_signatures", awaiting},
      {"established", established},
      {"operational", operational},
      {"operations_ended",
       Then(operational, {{"end_operations", kParty, {{"closure_reason", "purpose_achieved"}}}})},
  };
}

const json kJitData = {{"participating_states", {"NL", "BE", "IQ"}}};

TEST(MigrationV2Test, JitVersion1EveryStateToVersion2KeepsStateAndStartsTheAgreementClock) {
  CheckEveryState("jit", 1, 2, kJitData, kParty, JitPaths("2027-01-31"),
                  {{"operational", {"agreement_period"}}},
                  {"proposed", "agreement_drafting", "awaiting_signatures", "established",
                   "operational", "operations_ended"});
}

// jit.md: an operational team migrates with its end date as the clock; an end date already
// past lapses at the scheduler's next pass (period_expired), and an extension restarts it.
TEST(MigrationV2Test, JitOperationalPastItsEndDateExpiresThenAnExtensionRestartsTheClock) {
  SqliteEngine db;
  const std::vector<Path> paths = JitPaths("2026-01-01");
  RequestId id = db.Walk("jit", 1, kJitData, paths[4].steps, kParty);
  ASSERT_EQ(db.Get(id).state, "operational");
  Result<Request> r = db.Migrate(id, 2);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_NE(r->FindDeadline("agreement_period"), nullptr);
  EXPECT_EQ(FormatRfc3339(r->FindDeadline("agreement_period")->due_at),
            Instant("2026-01-01T00:00:00Z"));
  db.RunDue();
  EXPECT_EQ(db.Get(id).state, "period_expired");
  Result<Request> extended =
      db.Fire(id, "extend_period", kParty,
              {{"agreement_end_date", "2026-07-31"}, {"extension_reasons", "late migration"}});
  ASSERT_TRUE(extended.ok()) << extended.status().ToString();
  EXPECT_EQ(extended->state, "operational");
  const DeadlineState* clock = extended->FindDeadline("agreement_period");
  ASSERT_NE(clock, nullptr);
  EXPECT_FALSE(clock->lapsed);
  EXPECT_EQ(FormatRfc3339(clock->due_at), Instant("2026-07-31T00:00:00Z"));
}

}  // namespace
}  // namespace rogatory::workflow_testing
