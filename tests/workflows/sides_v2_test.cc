// The sides of eaw and extradition version 2 (CONTRACT §8) in a deployment with authorities:
// Art. 10(6) forwarding hands the warrant to the competent authority, which alone sees and
// moves it afterwards; a liaison magistrate acts for the issuing side; only the requested
// State's minister records an extradition refusal.
#include <gtest/gtest.h>

#include "workflows/scenario.h"

namespace rogatory::workflow_testing {
namespace {

using nlohmann::json;

std::vector<Authority> Authorities() {
  return {{"fr.tj_lyon", "Tribunal judiciaire de Lyon", "FR"},
          {"nl.om_rotterdam", "Openbaar Ministerie Rotterdam", "NL"},
          {"nl.irc_amsterdam", "Internationale Rechtshulp Centrum Amsterdam", "NL"},
          {"iq.ncijc", "National Center for International Judicial Cooperation", "IQ"}};
}

class SidesV2Test : public ::testing::Test {
 protected:
  SidesV2Test()
      : store_(NewMemoryStore()),
        clock_(std::make_shared<ManualClock>(T0())),
        engine_(EngineOptions{store_, clock_, TimeZone(), Authorities()}) {
    for (const auto& def : ShippedWorkflows().definitions) {
      Status s = engine_.LoadDefinition(def);
      EXPECT_TRUE(s.ok()) << s.ToString();
    }
  }

  RequestId Create(const std::string& workflow, const Actor& actor, const json& data) {
    CreateCall call;
    call.workflow = workflow;
    call.data = data;
    Result<Request> r = engine_.Create(call, actor);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->id : RequestId();
  }
  StatusCode Fire(const RequestId& id, const std::string& event, const Actor& actor,
                  const json& data = json::object(),
                  std::map<std::string, std::string> parties = {}) {
    EventCall call;
    call.event = event;
    call.data = data;
    call.parties = std::move(parties);
    return engine_.Fire(id, call, actor).status().code();
  }
  StatusCode See(const RequestId& id, const Actor& actor) {
    return engine_.Get(id, actor).status().code();
  }

  std::shared_ptr<Store> store_;
  std::shared_ptr<ManualClock> clock_;
  Engine engine_;
};

TEST_F(SidesV2Test, ForwardingHandsTheWarrantToTheCompetentAuthority) {
  const Actor judge{"judge", {"issuing_authority"}, "fr.tj_lyon"};
  const Actor liaison{"liaison", {"liaison_magistrate"}, "fr.tj_lyon"};
  const Actor rotterdam{"rotterdam", {"executing_authority"}, "nl.om_rotterdam"};
  const Actor amsterdam{"amsterdam", {"executing_authority"}, "nl.irc_amsterdam"};
  RequestId id = Create("eaw", judge, {{"issuing_state", "FR"}});
  ASSERT_EQ(Fire(id, "issue", judge,
                 {{"issuing_authority_details", "TJ Lyon"},
                  {"requested_person", "J. Doe"},
                  {"warrant_purpose", "prosecution"},
                  {"offence_classification", "fraud"},
                  {"offence_description", "2025"}}),
            StatusCode::kOk);
  // The liaison magistrate transmits for the issuing side, naming the receiving authority.
  ASSERT_EQ(Fire(id, "transmit_direct", liaison, {{"executing_state", "NL"}, {"channel", "direct"}},
                 {{"executing", "nl.om_rotterdam"}}),
            StatusCode::kOk);
  EXPECT_EQ(See(id, amsterdam), StatusCode::kNotFound);
  // Art. 10(6): Rotterdam is not competent and forwards to Amsterdam.
  ASSERT_EQ(Fire(id, "forward_to_competent_authority", rotterdam,
                 {{"receiving_authority_details", "OM Rotterdam"},
                  {"executing_authority_details", "IRC Amsterdam"},
                  {"forwarding_notice", "Lyon informed on 2026-01-06"}},
                 {{"executing", "nl.irc_amsterdam"}}),
            StatusCode::kOk);
  EXPECT_EQ(See(id, rotterdam), StatusCode::kNotFound);
  EXPECT_EQ(See(id, amsterdam), StatusCode::kOk);
  EXPECT_EQ(Fire(id, "arrest", amsterdam,
                 {{"detention_status", "in_custody"}, {"person_informed_of_rights", true}}),
            StatusCode::kOk);
  // The issuing side cannot record the executing side's decisions.
  const Actor lyon_executing{"lyon.exec", {"executing_authority"}, "fr.tj_lyon"};
  EXPECT_EQ(Fire(id, "hold_hearing", lyon_executing), StatusCode::kPermissionDenied);
}

TEST_F(SidesV2Test, OnlyTheRequestedStatesMinisterRefusesAnExtradition) {
  const Actor baghdad{"baghdad", {"issuing_authority"}, "iq.ncijc"};
  const Actor baghdad_minister{"iq.minister", {"minister"}, "iq.ncijc"};
  const Actor central{"nl.central", {"central_authority"}, "nl.irc_amsterdam"};
  const Actor minister{"nl.minister", {"minister"}, "nl.irc_amsterdam"};
  RequestId id =
      Create("extradition", baghdad, {{"requesting_state", "IQ"}, {"requested_state", "NL"}});
  ASSERT_EQ(Fire(id, "transmit_request", baghdad,
                 {{"requested_person", "K. M."},
                  {"offence_classification", "embezzlement"},
                  {"facts_summary", "2019-2021"},
                  {"legal_basis", "untoc_art16"},
                  {"transmission_channel", "central_authority"}},
                 {{"requested", "nl.irc_amsterdam"}}),
            StatusCode::kOk);
  ASSERT_EQ(Fire(id, "receive_request", central), StatusCode::kOk);
  const json refusal = {{"refusal_ground", "untoc16_14_discrimination"},
                        {"refusal_reasons", "Risk of persecution"}};
  EXPECT_EQ(Fire(id, "refuse", baghdad_minister, refusal), StatusCode::kPermissionDenied);
  EXPECT_EQ(Fire(id, "refuse", central, refusal), StatusCode::kPermissionDenied);
  EXPECT_EQ(Fire(id, "refuse", minister, refusal), StatusCode::kOk);
}

}  // namespace
}  // namespace rogatory::workflow_testing
