// Issue 14 point 6: in mla_untoc version 2 the requesting and the requested State act on their
// own sides, so that neither records the other's decisions. Run with the demo config's
// authorities: Paris requests, Iraq's National Center for International Judicial Cooperation
// (whose token holds both central-authority roles) is requested, and a French liaison
// magistrate transmits.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "workflows/scenario.h"

namespace rogatory::workflow_testing {
namespace {

using nlohmann::json;

const Actor kAna{"ana.issuing", {"issuing_authority"}, "fr.pnf"};
const Actor kParisCentral{"paris.central", {"requesting_central_authority"}, "fr.pnf"};
const Actor kLouis{"louis.liaison", {"liaison_magistrate"}, "fr.pnf"};
const Actor kNadia{
    "nadia.ncijc", {"requesting_central_authority", "requested_central_authority"}, "iq.ncijc"};
const Actor kBerlinCentral{"carl.central",
                           {"requesting_central_authority", "requested_central_authority"},
                           "de.sta_berlin"};

class MlaSidesTest : public ::testing::Test {
 protected:
  MlaSidesTest()
      : store_(NewMemoryStore()),
        engine_(EngineOptions{
            store_,
            std::make_shared<ManualClock>(T0()),
            TimeZone(),
            {{"fr.pnf", "Parquet national financier", "FR"},
             {"de.sta_berlin", "Staatsanwaltschaft Berlin", "DE"},
             {"iq.ncijc", "National Center for International Judicial Cooperation", "IQ"}}}) {
    for (const auto& def : ShippedWorkflows().definitions) {
      EXPECT_TRUE(engine_.LoadDefinition(def).ok());
    }
  }

  StatusCode Fire(const Actor& actor, const std::string& event, const json& data = json::object(),
                  const std::map<std::string, std::string>& parties = {}) {
    EventCall call;
    call.event = event;
    call.data = data;
    call.parties = parties;
    return engine_.Fire(id_, call, actor).status().code();
  }
  void Do(const Actor& actor, const std::string& event, const json& data = json::object(),
          const std::map<std::string, std::string>& parties = {}) {
    EXPECT_EQ(Fire(actor, event, data, parties), StatusCode::kOk) << event << " as " << actor.id;
  }
  std::string State() { return engine_.Get(id_)->state; }

  // Paris's request, transmitted by the liaison magistrate to Baghdad and under review there.
  void ToUnderReview() {
    CreateCall call;
    call.workflow = "mla_untoc";
    call.data = {{"requesting_state", "FR"}, {"requested_state", "IQ"}};
    Result<Request> r = engine_.Create(call, kAna);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->version, 2);
    id_ = r->id;
    Do(kAna, "submit",
       {{"requesting_authority_details", "PNF"},
        {"subject_matter", "laundering"},
        {"facts_summary", "funds moved through Baghdad"},
        {"assistance_sought", {"documents_and_records"}},
        {"purpose", "trial"}});
    Do(kParisCentral, "approve",
       {{"legal_basis", "uncac_art46"}, {"transmission_channel", "liaison_magistrate"}});
    Do(kLouis, "transmit", json::object(), {{"requested", "iq.ncijc"}});
    EXPECT_EQ(engine_.Get(id_)->parties.at("requested"), "iq.ncijc");
    Do(kNadia, "receive");
    Do(kNadia, "start_review");
  }

  std::shared_ptr<Store> store_;
  Engine engine_;
  RequestId id_;
};

TEST_F(MlaSidesTest, TheRequestedCentralAuthorityCannotAcceptConditionsForTheRequestingState) {
  ToUnderReview();
  Do(kNadia, "open_consultation", {{"consultation_subject", "use in other proceedings"}});
  Do(kNadia, "propose_conditions", {{"conditions_proposed", "no other use"}});
  // NCIJC holds requesting_central_authority too, but Paris is the requesting party.
  EXPECT_EQ(Fire(kNadia, "agree_conditions", {{"conditions_agreed", "no other use"}}),
            StatusCode::kPermissionDenied);
  Do(kParisCentral, "agree_conditions", {{"conditions_agreed", "no other use"}});
  EXPECT_EQ(State(), "accepted_with_conditions");
}

TEST_F(MlaSidesTest, TheRequestingSideCannotRefuseOrGiveItsOwnResultsBack) {
  ToUnderReview();
  Do(kNadia, "open_consultation", {{"consultation_subject", "essential interests"}});
  EXPECT_EQ(
      Fire(kParisCentral, "refuse", {{"refusal_ground", "art18_21_b"}, {"refusal_reasons", "x"}}),
      StatusCode::kPermissionDenied);
  // A central authority of a State that is no party sees nothing (as for an unknown id).
  EXPECT_EQ(
      Fire(kBerlinCentral, "refuse", {{"refusal_ground", "art18_21_b"}, {"refusal_reasons", "x"}}),
      StatusCode::kNotFound);
  Do(kNadia, "close_consultation", {{"consultation_outcome", "no ground"}});
  EXPECT_EQ(State(), "under_review");
}

TEST_F(MlaSidesTest, OnlyTheRequestingStateGivesTheDeathPenaltyAssurance) {
  ToUnderReview();
  Do(kNadia, "request_assurance",
     {{"assurance_request_note", "no death penalty"}, {"death_penalty_risk", true}});
  const json assurance = {{"death_penalty_assurance", "not sought"},
                          {"assurance_giving_authority", "Ministère de la Justice"},
                          {"assurance_date", "2026-01-10"}};
  EXPECT_EQ(Fire(kNadia, "give_assurance", assurance), StatusCode::kPermissionDenied);
  Do(kParisCentral, "give_assurance", assurance);
  EXPECT_EQ(engine_.Get(id_)->data["assurance_date"], "2026-01-10");
}

}  // namespace
}  // namespace rogatory::workflow_testing

namespace rogatory::workflow_testing {
namespace {

// Issue 14, labels: the title, every state and every event name of the workflows of points 6-8
// have French and Arabic labels, and the statistics name the refusal grounds and the
// counterpart State.
TEST(UntocLabelsTest, TitleStatesAndEventsHaveFrenchAndArabicLabels) {
  const std::map<std::string, int> shipped = {
      {"mla_untoc", 2}, {"spontaneous_information", 2}, {"asset_recovery", 1}};
  int checked = 0;
  for (const auto& def : ShippedWorkflows().definitions) {
    auto it = shipped.find(def.id);
    if (it == shipped.end() || it->second != def.version) continue;
    ++checked;
    auto both = [](const Labels& l) { return l.count("fr") == 1 && l.count("ar") == 1; };
    EXPECT_TRUE(both(def.labels)) << def.id << " title";
    for (const auto& s : def.states) EXPECT_TRUE(both(s.labels)) << def.id << " state " << s.name;
    for (const auto& t : def.transitions) {
      const EventDef* e = def.FindEvent(t.event);
      ASSERT_NE(e, nullptr) << def.id << " event " << t.event;
      EXPECT_TRUE(both(e->labels)) << def.id << " event " << t.event;
    }
    EXPECT_EQ(def.stats.fields.front(), "refusal_ground") << def.id;
    EXPECT_FALSE(def.stats.counterpart.empty()) << def.id;
  }
  EXPECT_EQ(checked, 3);
}

}  // namespace
}  // namespace rogatory::workflow_testing
