// CONTRACT §8 in the engine: parties set at creation and by assigning transitions, what an
// authority sees (NotFound, exactly as an unknown id, for the rest), who may fire, the auditor,
// and a deployment without authorities left as it was.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "rogatory/engine.h"
#include "rogatory/history.h"
#include "rogatory/memory_store.h"
#include "sha256.h"
#include "test_engine.h"

namespace rogatory::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

constexpr char kSidesWorkflow[] = R"(workflow: mla
version: 1
title: Request between two authorities
fields:
  note: {type: string}
states:
  draft:    {phase: drafting, initial: true}
  sent:     {phase: transmission}
  accepted: {phase: execution}
  done:     {phase: closure, terminal: true}
sides:
  issuing:   [issuing_authority]
  executing: [executing_authority]
transitions:
  - {event: transmit, from: draft, to: sent, roles: [issuing_authority], assign: [executing]}
  - {event: accept, from: sent, to: accepted, roles: [executing_authority]}
  - {event: annotate, from: "*", roles: [registry]}
  - {event: close, from: accepted, to: done, roles: [executing_authority]}
)";

Actor Ana() { return Actor{"ana", {"issuing_authority"}, "fr.pnf"}; }
Actor Eva() { return Actor{"eva", {"executing_authority"}, "de.sta"}; }
Actor Ivo() { return Actor{"ivo", {"executing_authority"}, "it.pg"}; }
// An executing role at the issuing authority: party to the request, but not its executing side.
Actor Fred() { return Actor{"fred", {"executing_authority"}, "fr.pnf"}; }
Actor Clerk() { return Actor{"clerk", {"registry"}, "fr.pnf"}; }
Actor Auditor() { return Actor{"audit", {"auditor"}, ""}; }
Actor NoAuthority() { return Actor{"nobody", {"issuing_authority"}, ""}; }

std::vector<Authority> Authorities() {
  return {{"fr.pnf", "Parquet national financier", "FR"},
          {"de.sta", "Staatsanwaltschaft Berlin", "DE"},
          {"it.pg", "Procura di Milano", "IT"}};
}

class AuthoritiesTest : public ::testing::Test {
 protected:
  explicit AuthoritiesTest(std::vector<Authority> authorities = Authorities())
      : store_(NewMemoryStore()),
        clock_(std::make_shared<ManualClock>(T0())),
        engine_(EngineOptions{store_, clock_, TimeZone(), std::move(authorities)}) {
    Status s = engine_.LoadDefinition(MustParse(kSidesWorkflow, "mla.yaml"));
    EXPECT_TRUE(s.ok()) << s.ToString();
  }

  Result<Request> Create(const Actor& actor, std::map<std::string, std::string> parties = {},
                         std::string key = "") {
    CreateCall call;
    call.workflow = "mla";
    call.parties = std::move(parties);
    call.idempotency_key = std::move(key);
    clock_->Advance(std::chrono::milliseconds(1));  // ids sort by creation time
    return engine_.Create(call, actor);
  }

  Result<Request> Fire(const RequestId& id, const std::string& event, const Actor& actor,
                       std::map<std::string, std::string> parties = {}) {
    EventCall call;
    call.event = event;
    call.parties = std::move(parties);
    return engine_.Fire(id, call, actor);
  }

  // A request of fr.pnf transmitted to de.sta.
  RequestId Sent() {
    auto r = Create(Ana());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    auto sent = Fire(r->id, "transmit", Ana(), {{"executing", "de.sta"}});
    EXPECT_TRUE(sent.ok()) << sent.status().ToString();
    return r->id;
  }

  std::vector<RequestId> ListIds(const Actor& actor, RequestQuery q = {}) {
    auto page = engine_.List(q, actor);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    std::vector<RequestId> ids;
    if (page.ok()) {
      for (const Request& r : page->items) ids.push_back(r.id);
    }
    return ids;
  }

  std::shared_ptr<Store> store_;
  std::shared_ptr<ManualClock> clock_;
  Engine engine_;
};

TEST_F(AuthoritiesTest, CreationMakesTheCreatorsAuthorityThePartyOfItsSide) {
  auto r = Create(Ana());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->parties, (std::map<std::string, std::string>{{"issuing", "fr.pnf"}}));
  auto history = engine_.History(r->id, Ana());
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->at(0).authority, "fr.pnf");
  EXPECT_EQ(store_->GetRequest(r->id)->parties, r->parties);
}

TEST_F(AuthoritiesTest, CreationSetsOtherSidesFromTheCall) {
  auto r = Create(Ana(), {{"executing", "de.sta"}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->parties,
            (std::map<std::string, std::string>{{"executing", "de.sta"}, {"issuing", "fr.pnf"}}));
  EXPECT_TRUE(engine_.Get(r->id, Eva()).ok());
}

TEST_F(AuthoritiesTest, CreationRefusesAnotherAuthorityForTheCreatorsSide) {
  EXPECT_THAT(Create(Ana(), {{"issuing", "de.sta"}}), StatusIs(StatusCode::kInvalidArgument));
  // Naming its own authority for its own side is no contradiction.
  EXPECT_TRUE(Create(Ana(), {{"issuing", "fr.pnf"}}).ok());
}

TEST_F(AuthoritiesTest, CreationRefusesUnknownSidesAndAuthorities) {
  EXPECT_THAT(Create(Ana(), {{"executing", "xx.nobody"}}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Create(Ana(), {{"witness", "de.sta"}}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_TRUE(ListIds(Auditor()).empty());  // nothing was created
}

TEST_F(AuthoritiesTest, CreationNeedsARoleThatActsForASide) {
  EXPECT_THAT(Create(Clerk()), StatusIs(StatusCode::kPermissionDenied));
}

TEST_F(AuthoritiesTest, AuditorsAndActorsWithoutAuthorityCreateNothing) {
  EXPECT_THAT(Create(Auditor()), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(Create(NoAuthority()), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(Create(Actor{"x", {"issuing_authority"}, "zz.unknown"}),
              StatusIs(StatusCode::kPermissionDenied));
}

TEST_F(AuthoritiesTest, ANonPartyGetsExactlyTheAnswerOfAnUnknownId) {
  const RequestId id = Sent();
  const auto unknown = engine_.Get("no-such-request", Ivo());
  ASSERT_THAT(unknown, StatusIs(StatusCode::kNotFound));
  auto same_as_unknown = [&](const Status& s) {
    EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
    // The same words as for an unknown id, with this id in them.
    EXPECT_EQ(s.message(), "request " + id + " not found");
  };
  same_as_unknown(engine_.Get(id, Ivo()).status());
  same_as_unknown(engine_.History(id, Ivo()).status());
  same_as_unknown(engine_.AvailableEvents(id, Ivo()).status());
  same_as_unknown(Fire(id, "accept", Ivo()).status());
  MigrationCall migrate;
  migrate.target_version = 2;
  same_as_unknown(engine_.Migrate(id, migrate, Actor{"it.admin", {"admin"}, "it.pg"}).status());
  EXPECT_EQ(engine_.Get(id)->revision, 2);  // nothing moved
}

TEST_F(AuthoritiesTest, TheExecutingSideIsNotVisibleBeforeItIsAssigned) {
  auto r = Create(Ana());
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(engine_.Get(r->id, Eva()), StatusIs(StatusCode::kNotFound));
  ASSERT_TRUE(Fire(r->id, "transmit", Ana(), {{"executing", "de.sta"}}).ok());
  EXPECT_TRUE(engine_.Get(r->id, Eva()).ok());
}

TEST_F(AuthoritiesTest, FiringNeedsTheRoleOfASideWhosePartyIsTheCallersAuthority) {
  const RequestId id = Sent();
  // fred holds the executing role but acts for fr.pnf, the issuing side's party.
  EXPECT_THAT(Fire(id, "accept", Fred()), StatusIs(StatusCode::kPermissionDenied));
  // ana is a party but her role may not accept.
  EXPECT_THAT(Fire(id, "accept", Ana()), StatusIs(StatusCode::kPermissionDenied));
  auto accepted = Fire(id, "accept", Eva());
  ASSERT_TRUE(accepted.ok()) << accepted.status().ToString();
  auto history = engine_.History(id, Eva());
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->back().actor, "eva");
  EXPECT_EQ(history->back().authority, "de.sta");
}

TEST_F(AuthoritiesTest, ARoleOfNoSideFiresByRoleAloneOnRequestsItSees) {
  const RequestId id = Sent();
  EXPECT_TRUE(Fire(id, "annotate", Clerk()).ok());
  // The same role at an authority that is no party does not see the request.
  EXPECT_THAT(Fire(id, "annotate", Actor{"clerk2", {"registry"}, "it.pg"}),
              StatusIs(StatusCode::kNotFound));
}

TEST_F(AuthoritiesTest, AnAssigningTransitionNeedsExactlyItsSides) {
  auto r = Create(Ana());
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Fire(r->id, "transmit", Ana()), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Fire(r->id, "transmit", Ana(), {{"executing", "de.sta"}, {"issuing", "fr.pnf"}}),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Fire(r->id, "transmit", Ana(), {{"executing", "xx.unknown"}}),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(engine_.Get(r->id)->revision, 1);  // refused calls changed nothing
  auto sent = Fire(r->id, "transmit", Ana(), {{"executing", "de.sta"}});
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  EXPECT_EQ(sent->parties.at("executing"), "de.sta");
  // An event that assigns nothing takes no parties.
  EXPECT_THAT(Fire(r->id, "accept", Eva(), {{"executing", "it.pg"}}),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(AuthoritiesTest, AvailableEventsFollowTheSides) {
  const RequestId id = Sent();
  auto eva = engine_.AvailableEvents(id, Eva());
  ASSERT_TRUE(eva.ok());
  ASSERT_EQ(eva->size(), 1u);
  EXPECT_EQ(eva->at(0).event, "accept");
  auto fred = engine_.AvailableEvents(id, Fred());
  ASSERT_TRUE(fred.ok());
  EXPECT_THAT(*fred, IsEmpty());
  auto draft = Create(Ana());
  auto ana = engine_.AvailableEvents(draft->id, Ana());
  ASSERT_TRUE(ana.ok());
  ASSERT_EQ(ana->size(), 1u);
  EXPECT_THAT(ana->at(0).assign, ElementsAre("executing"));
}

TEST_F(AuthoritiesTest, TheAuditorReadsEverythingAndFiresNothing) {
  const RequestId id = Sent();
  EXPECT_TRUE(engine_.Get(id, Auditor()).ok());
  EXPECT_TRUE(engine_.History(id, Auditor()).ok());
  EXPECT_THAT(ListIds(Auditor()), ElementsAre(id));
  EXPECT_THAT(Fire(id, "accept", Actor{"audit", {"auditor", "executing_authority"}, "de.sta"}),
              StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(Fire(id, "accept", Auditor()), StatusIs(StatusCode::kPermissionDenied));
  auto events = engine_.AvailableEvents(id, Auditor());
  ASSERT_TRUE(events.ok());
  EXPECT_THAT(*events, IsEmpty());
  MigrationCall migrate;
  migrate.target_version = 2;
  EXPECT_THAT(engine_.Migrate(id, migrate, Auditor()), StatusIs(StatusCode::kPermissionDenied));
}

TEST_F(AuthoritiesTest, ActorsWithoutAuthorityButAuditorSeeNothing) {
  const RequestId id = Sent();
  EXPECT_THAT(engine_.Get(id, NoAuthority()), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(ListIds(Actor{"ops", {"admin"}, ""}), IsEmpty());
}

TEST_F(AuthoritiesTest, ListsOnlyWhatTheCallersAuthorityIsPartyTo) {
  const RequestId shared = Sent();
  const RequestId french = Create(Ana())->id;
  const RequestId italian =
      Create(Actor{"ida", {"issuing_authority"}, "it.pg"}, {{"executing", "de.sta"}})->id;
  EXPECT_THAT(ListIds(Ana()), ElementsAre(shared, french));
  EXPECT_THAT(ListIds(Eva()), ElementsAre(shared, italian));
  EXPECT_THAT(ListIds(Ivo()), ElementsAre(italian));
  RequestQuery with_de;
  with_de.party = "de.sta";
  // ana asks for de.sta's requests: only those fr.pnf is party to as well.
  EXPECT_THAT(ListIds(Ana(), with_de), ElementsAre(shared));
  EXPECT_THAT(ListIds(Auditor(), with_de), ElementsAre(shared, italian));
  RequestQuery unknown;
  unknown.party = "xx.unknown";
  EXPECT_THAT(engine_.List(unknown, Ana()), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(AuthoritiesTest, ListingByPartyPagesInIdOrder) {
  std::vector<RequestId> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(Create(Ana(), {{"executing", "de.sta"}})->id);
  ASSERT_TRUE(Create(Actor{"ida", {"issuing_authority"}, "it.pg"}).ok());  // not de.sta's
  RequestQuery q;
  q.limit = 2;
  std::vector<RequestId> seen;
  for (int pages = 0; pages < 5; ++pages) {
    auto page = engine_.List(q, Eva());
    ASSERT_TRUE(page.ok());
    for (const Request& r : page->items) seen.push_back(r.id);
    if (page->next.empty()) break;
    q.after = page->next;
  }
  EXPECT_EQ(seen, ids);
}

TEST_F(AuthoritiesTest, IdempotentRepliesNeverCrossAuthorities) {
  auto first = Create(Ana(), {}, "key-1");
  ASSERT_TRUE(first.ok());
  // The same actor id and key at another authority is another caller.
  auto other = Create(Actor{"ana", {"issuing_authority"}, "it.pg"}, {}, "key-1");
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  EXPECT_NE(other->id, first->id);
  EXPECT_EQ(other->parties.at("issuing"), "it.pg");
  auto again = Create(Ana(), {}, "key-1");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->id, first->id);
  EXPECT_EQ(again->parties, first->parties);
}

TEST_F(AuthoritiesTest, TheHistoryChainCoversTheAuthority) {
  const RequestId id = Sent();
  ASSERT_TRUE(engine_.VerifyHistory(id).ok());
  auto history = engine_.History(id);
  ASSERT_TRUE(history.ok());
  HistoryEntry tampered = history->at(1);
  tampered.authority = "it.pg";
  EXPECT_NE(ComputeHistoryHash(tampered), history->at(1).hash);
}

TEST(HistoryHashTest, AnEntryWithoutAuthorityKeepsThePreAuthoritiesEncoding) {
  HistoryEntry e;
  e.request_id = "r1";
  e.seq = 1;
  e.event = "create";
  e.to_state = "draft";
  e.actor = "ana";
  e.at = T0();
  e.prev_hash = kGenesisHash;
  // The canonical encoding as it was before authorities (docs/api.md).
  const std::string legacy = "64:" + std::string(kGenesisHash) + "2:r11:16:create0:5:draft3:ana" +
                             std::to_string(std::to_string(ToUnixMicros(T0())).size()) + ":" +
                             std::to_string(ToUnixMicros(T0())) + "2:{}0:";
  EXPECT_EQ(ComputeHistoryHash(e), Sha256Hex(legacy));
  e.authority = "fr.pnf";
  EXPECT_EQ(ComputeHistoryHash(e), Sha256Hex(legacy + "6:fr.pnf"));
}

// A deployment without authorities: as before, whatever the workflow says about sides.
class NoAuthoritiesTest : public AuthoritiesTest {
 protected:
  NoAuthoritiesTest() : AuthoritiesTest({}) {}
};

TEST_F(NoAuthoritiesTest, SidesAreIgnoredAndEveryoneSeesEverything) {
  auto r = Create(Actor{"ana", {"issuing_authority"}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_THAT(r->parties, IsEmpty());
  // `assign` needs no parties here, and anyone with the role fires.
  ASSERT_TRUE(Fire(r->id, "transmit", Actor{"ana", {"issuing_authority"}}).ok());
  ASSERT_TRUE(Fire(r->id, "accept", Actor{"ivo", {"executing_authority"}}).ok());
  EXPECT_TRUE(engine_.Get(r->id, Actor{"someone", {"clerk"}}).ok());
  EXPECT_THAT(ListIds(Actor{"someone", {"clerk"}}), ElementsAre(r->id));
  auto history = engine_.History(r->id);
  ASSERT_TRUE(history.ok());
  for (const HistoryEntry& e : *history) EXPECT_EQ(e.authority, "");
}

TEST_F(NoAuthoritiesTest, PartiesAreRefused) {
  EXPECT_THAT(Create(Actor{"ana", {"issuing_authority"}}, {{"executing", "de.sta"}}),
              StatusIs(StatusCode::kInvalidArgument));
  RequestQuery q;
  q.party = "de.sta";
  EXPECT_THAT(engine_.List(q, Actor{"ana", {"issuing_authority"}}),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST(WorkflowSidesTest, TheDefinitionsJsonCarriesSidesAndAssign) {
  nlohmann::json j = DefinitionToJson(MustParse(kSidesWorkflow, "mla.yaml"));
  EXPECT_EQ(j["sides"], (nlohmann::json{{"issuing", {"issuing_authority"}},
                                        {"executing", {"executing_authority"}}}));
  EXPECT_EQ(j["transitions"][0]["assign"], nlohmann::json({"executing"}));
  EXPECT_FALSE(j["transitions"][1].contains("assign"));
}

}  // namespace
}  // namespace rogatory::testing
