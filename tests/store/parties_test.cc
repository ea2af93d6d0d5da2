// CONTRACT §8 on every store: a request's parties and its history's authority are kept, the
// party index follows every change, and listing by party walks it in id order with the other
// filters and keyset paging. Old rows (no authority) keep verifying.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "rogatory/audit.h"
#include "rogatory/history.h"
#include "store_test_util.h"

namespace rogatory::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

using Parties = std::map<std::string, std::string>;

class PartiesStoreTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  void SetUp() override {
    db_ = std::make_unique<TestStore>(GetParam());
    ASSERT_TRUE(db_->status().ok()) << db_->status().ToString();
  }
  Store& store() { return db_->store(); }

  // Creates request `id` with `parties`, its creation entry by `authority`.
  RequestBuilder Create(const std::string& id, Parties parties,
                        const std::string& workflow = "eio") {
    RequestBuilder b(id, workflow);
    b.request().parties = std::move(parties);
    Mutation m = b.Create();
    m.parties_changed = !m.request.parties.empty();
    Sign(&m, m.request.parties.empty() ? "" : m.request.parties.begin()->second);
    Status s = store().Apply(m);
    EXPECT_TRUE(s.ok()) << s.ToString();
    b.request() = m.request;
    return b;
  }

  // Sets the history entry's authority and re-hashes it (as the engine does).
  static void Sign(Mutation* m, const std::string& authority) {
    m->history.authority = authority;
    m->history.hash = ComputeHistoryHash(m->history);
    m->request.head_hash = m->history.hash;
  }

  std::vector<std::string> ListIds(RequestQuery q) {
    std::vector<std::string> ids;
    for (int pages = 0; pages < 100; ++pages) {
      Result<RequestPage> page = store().ListRequests(q);
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      if (!page.ok()) return ids;
      for (const Request& r : page->items) ids.push_back(r.id);
      if (page->next.empty()) break;
      q.after = page->next;
    }
    return ids;
  }

  static RequestQuery Party(const std::string& party, int limit = 2) {
    RequestQuery q;
    q.party = party;
    q.limit = limit;
    return q;
  }

  std::unique_ptr<TestStore> db_;
};

TEST_P(PartiesStoreTest, PartiesAndTheHistorysAuthorityAreKept) {
  Create("r-1", {{"issuing", "fr.pnf"}, {"executing", "de.sta"}});
  auto r = store().GetRequest("r-1");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->parties, (Parties{{"executing", "de.sta"}, {"issuing", "fr.pnf"}}));
  auto history = store().GetHistory("r-1");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ(history->at(0).authority, "de.sta");  // the first party in side order
  EXPECT_TRUE(VerifyHistoryChain(*history).ok());
  // Listing returns the parties too.
  auto page = store().ListRequests(Party("fr.pnf"));
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].parties, r->parties);
}

TEST_P(PartiesStoreTest, ListsByPartyInIdOrderWithPaging) {
  Create("r-1", {{"issuing", "fr.pnf"}});
  Create("r-2", {{"issuing", "it.pg"}, {"executing", "de.sta"}});
  Create("r-3", {{"issuing", "fr.pnf"}, {"executing", "de.sta"}});
  Create("r-4", {});  // a request of a deployment without authorities: no party
  Create("r-5", {{"issuing", "fr.pnf"}, {"executing", "fr.pnf"}});  // one authority, two sides
  Create("r-6", {{"issuing", "fr.pnf"}});
  EXPECT_THAT(ListIds(Party("fr.pnf")), ElementsAre("r-1", "r-3", "r-5", "r-6"));
  EXPECT_THAT(ListIds(Party("de.sta")), ElementsAre("r-2", "r-3"));
  EXPECT_THAT(ListIds(Party("es.fge")), IsEmpty());
  // visible_to: requests both authorities are party to, driven by either.
  RequestQuery both = Party("de.sta");
  both.visible_to = "fr.pnf";
  EXPECT_THAT(ListIds(both), ElementsAre("r-3"));
  RequestQuery only_visible;
  only_visible.visible_to = "it.pg";
  EXPECT_THAT(ListIds(only_visible), ElementsAre("r-2"));
  // Without a party everything is listed, as before.
  EXPECT_THAT(ListIds(RequestQuery{}), ElementsAre("r-1", "r-2", "r-3", "r-4", "r-5", "r-6"));
}

TEST_P(PartiesStoreTest, ListingByPartyCombinesWithTheOtherFilters) {
  Create("r-1", {{"issuing", "fr.pnf"}}, "eio");
  Create("r-2", {{"issuing", "fr.pnf"}}, "eaw");
  Create("r-3", {{"issuing", "de.sta"}}, "eaw");
  RequestBuilder moved = Create("r-4", {{"issuing", "fr.pnf"}}, "eaw");
  Mutation m = moved.Step("transmit", "sent", Phase::kTransmission);
  Sign(&m, "fr.pnf");
  ASSERT_TRUE(store().Apply(m).ok());
  RequestQuery q = Party("fr.pnf");
  q.workflow = "eaw";
  EXPECT_THAT(ListIds(q), ElementsAre("r-2", "r-4"));
  q.phase = Phase::kTransmission;
  EXPECT_THAT(ListIds(q), ElementsAre("r-4"));
  RequestQuery by_state = Party("fr.pnf");
  by_state.state = "draft";
  EXPECT_THAT(ListIds(by_state), ElementsAre("r-1", "r-2"));
}

TEST_P(PartiesStoreTest, ListingByPartyCombinesWithOverdue) {
  RequestBuilder late("r-1", "eio");
  late.request().parties = {{"issuing", "fr.pnf"}};
  late.request().deadlines = {Running("answer", RequestBuilder::DefaultTime(),
                                      RequestBuilder::DefaultTime() + std::chrono::hours(1))};
  Mutation m = late.Create();
  m.parties_changed = true;
  ASSERT_TRUE(store().Apply(m).ok());
  Create("r-2", {{"issuing", "fr.pnf"}});
  RequestQuery q = Party("fr.pnf");
  q.overdue_only = true;
  q.now = RequestBuilder::DefaultTime() + std::chrono::hours(2);
  EXPECT_THAT(ListIds(q), ElementsAre("r-1"));
}

TEST_P(PartiesStoreTest, AReassignedSideMovesTheRequestBetweenAuthorities) {
  RequestBuilder b = Create("r-1", {{"issuing", "fr.pnf"}, {"executing", "de.sta"}});
  b.request().parties["executing"] = "it.pg";
  Mutation m = b.Step("reassign", "draft", Phase::kDrafting);
  m.parties_changed = true;
  Sign(&m, "fr.pnf");
  ASSERT_TRUE(store().Apply(m).ok());
  EXPECT_THAT(ListIds(Party("de.sta")), IsEmpty());
  EXPECT_THAT(ListIds(Party("it.pg")), ElementsAre("r-1"));
  EXPECT_EQ(store().GetRequest("r-1")->parties.at("executing"), "it.pg");
}

TEST_P(PartiesStoreTest, StepsThatSetNoPartiesLeaveThemAlone) {
  RequestBuilder b = Create("r-1", {{"issuing", "fr.pnf"}});
  Mutation m = b.Step("issue", "issued", Phase::kDrafting);
  ASSERT_TRUE(store().Apply(m).ok());
  EXPECT_THAT(ListIds(Party("fr.pnf")), ElementsAre("r-1"));
  EXPECT_EQ(store().GetRequest("r-1")->parties, (Parties{{"issuing", "fr.pnf"}}));
}

TEST_P(PartiesStoreTest, TheAuditVerifiesEntriesWithAndWithoutAuthority) {
  RequestBuilder b("r-1");
  ASSERT_TRUE(store().Apply(b.Create()).ok());  // as written before authorities
  Mutation m = b.Step("issue", "issued", Phase::kDrafting);
  Sign(&m, "fr.pnf");
  ASSERT_TRUE(store().Apply(m).ok());
  auto report = AuditHistories(store());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_FALSE(report->broken.has_value());
  EXPECT_EQ(report->entries, 2);
  auto history = store().GetHistory("r-1");
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->at(0).authority, "");
  EXPECT_EQ(history->at(1).authority, "fr.pnf");
}

INSTANTIATE_TEST_SUITE_P(Stores, PartiesStoreTest,
                         ::testing::Values(StoreKind::kMemory, StoreKind::kSqlite,
                                           StoreKind::kPostgres),
                         [](const ::testing::TestParamInfo<StoreKind>& info) {
                           return StoreKindName(info.param);
                         });

}  // namespace
}  // namespace rogatory::testing
