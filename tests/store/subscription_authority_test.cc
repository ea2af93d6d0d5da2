// CONTRACT §8 on every store: a subscription keeps the authority of the admin who created it,
// receives only events of requests that authority is a party to (judged on the request after
// the step), and an authority's delivery listing holds only its own subscriptions' rows.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "store_test_util.h"

namespace rogatory::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

class SubscriptionAuthorityTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  void SetUp() override {
    db_ = std::make_unique<TestStore>(GetParam());
    ASSERT_TRUE(db_->status().ok()) << db_->status().ToString();
  }

  Store& store() { return db_->store(); }

  void MustCreateSubscription(const std::string& id, const std::string& authority) {
    Subscription s;
    s.id = id;
    s.url = "https://consumer.example/hooks/" + id;
    s.secret = "whsec_c2VjcmV0";
    s.authority = authority;
    s.created_at = RequestBuilder::DefaultTime();
    Status st = store().CreateSubscription(s);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  // Applies `m` with a notification of `type`.
  void MustApplyNotified(Mutation m, std::string_view type) {
    m.notification = NotificationFor(m, type);
    Status s = store().Apply(m);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  // "subscription:request:revision" of every delivery the query lists.
  std::vector<std::string> Deliveries(DeliveryQuery q = {}) {
    q.limit = 1000;
    std::vector<std::string> out;
    Result<DeliveryPage> page = store().ListDeliveries(q);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    if (!page.ok()) return out;
    for (const Delivery& d : page->items) {
      out.push_back(d.subscription_id + ":" + d.request_id + ":" + std::to_string(d.revision));
    }
    return out;
  }

  std::unique_ptr<TestStore> db_;
};

TEST_P(SubscriptionAuthorityTest, AuthorityReadsBackFromGetAndList) {
  MustCreateSubscription("s-fr", "fr.pnf");
  MustCreateSubscription("s-global", "");
  Result<Subscription> got = store().GetSubscription("s-fr");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->authority, "fr.pnf");
  Result<std::vector<Subscription>> all = store().ListSubscriptions();
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].authority, "fr.pnf");
  EXPECT_EQ((*all)[1].authority, "");
}

TEST_P(SubscriptionAuthorityTest, AuthoritySubscriptionGetsOnlyRequestsItsAuthorityIsPartyTo) {
  MustCreateSubscription("s-de", "de.sta_berlin");
  MustCreateSubscription("s-fr", "fr.pnf");
  MustCreateSubscription("s-global", "");

  // A French draft: the German authority is not a party yet.
  RequestBuilder fr("r-fr");
  fr.request().parties = {{"issuing", "fr.pnf"}};
  MustApplyNotified(fr.Create(), kEventRequestCreated);
  // A request of an office with no subscription of its own: only the global admin hears of it.
  RequestBuilder other("r-other");
  other.request().parties = {{"issuing", "it.roma"}};
  MustApplyNotified(other.Create(), kEventRequestCreated);
  EXPECT_THAT(Deliveries(), ElementsAre("s-fr:r-fr:1", "s-global:r-fr:1", "s-global:r-other:1"));

  // Transmitting assigns the executing side: the step that made Berlin a party reaches it.
  fr.request().parties["executing"] = "de.sta_berlin";
  MustApplyNotified(fr.Step("transmit", "transmitted", Phase::kTransmission),
                    kEventRequestTransitioned);
  EXPECT_THAT(Deliveries(), ElementsAre("s-fr:r-fr:1", "s-global:r-fr:1", "s-global:r-other:1",
                                        "s-de:r-fr:2", "s-fr:r-fr:2", "s-global:r-fr:2"));
}

TEST_P(SubscriptionAuthorityTest, RequestWithoutPartiesReachesOnlyGlobalSubscriptions) {
  // A deployment without authorities: requests have no parties.
  MustCreateSubscription("s-fr", "fr.pnf");
  MustCreateSubscription("s-global", "");
  RequestBuilder b("r-1");
  MustApplyNotified(b.Create(), kEventRequestCreated);
  EXPECT_THAT(Deliveries(), ElementsAre("s-global:r-1:1"));
}

TEST_P(SubscriptionAuthorityTest, ListingByAuthorityShowsOnlyItsOwnSubscriptionsRows) {
  MustCreateSubscription("s-de", "de.sta_berlin");
  MustCreateSubscription("s-fr", "fr.pnf");
  MustCreateSubscription("s-fr2", "fr.pnf");
  MustCreateSubscription("s-global", "");
  RequestBuilder b("r-1");
  b.request().parties = {{"issuing", "fr.pnf"}, {"executing", "de.sta_berlin"}};
  MustApplyNotified(b.Create(), kEventRequestCreated);

  DeliveryQuery fr;
  fr.authority = "fr.pnf";
  EXPECT_THAT(Deliveries(fr), ElementsAre("s-fr:r-1:1", "s-fr2:r-1:1"));
  DeliveryQuery de;
  de.authority = "de.sta_berlin";
  EXPECT_THAT(Deliveries(de), ElementsAre("s-de:r-1:1"));
  // The subscription filter narrows within the authority's own; another's is simply absent.
  fr.subscription_id = "s-de";
  EXPECT_THAT(Deliveries(fr), ElementsAre());
  fr.subscription_id = "s-fr2";
  EXPECT_THAT(Deliveries(fr), ElementsAre("s-fr2:r-1:1"));
  // Pagination keeps the scope.
  DeliveryQuery page;
  page.authority = "fr.pnf";
  page.limit = 1;
  Result<DeliveryPage> first = store().ListDeliveries(page);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->items.size(), 1u);
  EXPECT_EQ(first->items[0].subscription_id, "s-fr");
  page.after = first->next;
  Result<DeliveryPage> second = store().ListDeliveries(page);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  ASSERT_EQ(second->items.size(), 1u);
  EXPECT_EQ(second->items[0].subscription_id, "s-fr2");
  EXPECT_TRUE(second->next.empty());

  // A deleted subscription's rows (dead-lettered) stay listed for a global admin only.
  ASSERT_TRUE(store().DeleteSubscription("s-fr2").ok());
  DeliveryQuery after_delete;
  after_delete.authority = "fr.pnf";
  EXPECT_THAT(Deliveries(after_delete), ElementsAre("s-fr:r-1:1"));
  EXPECT_THAT(Deliveries(),
              UnorderedElementsAre("s-de:r-1:1", "s-fr:r-1:1", "s-fr2:r-1:1", "s-global:r-1:1"));
}

// The party index walked from a cursor (CONTRACT §8 `?party=ID&after=`): every page holds only
// the authority's requests, in id order, and the pages together hold each of them once.
TEST_P(SubscriptionAuthorityTest, ListByPartyPagesFromTheCursorInIdOrder) {
  std::vector<std::string> fr;
  for (int i = 0; i < 9; ++i) {
    const std::string id = "r-" + std::to_string(i);
    RequestBuilder b(id);
    b.request().parties = {{"issuing", i % 3 == 0 ? "de.sta_berlin" : "fr.pnf"}};
    if (i % 3 != 0) fr.push_back(id);
    Mutation m = b.Create();
    m.parties_changed = true;
    Status s = store().Apply(m);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  RequestQuery q;
  q.party = "fr.pnf";
  q.limit = 2;
  std::vector<std::string> listed;
  for (int pages = 0; pages < 10; ++pages) {
    Result<RequestPage> page = store().ListRequests(q);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    for (const Request& r : page->items) listed.push_back(r.id);
    if (page->next.empty()) break;
    q.after = page->next;
  }
  EXPECT_EQ(listed, fr);
}

INSTANTIATE_TEST_SUITE_P(Stores, SubscriptionAuthorityTest,
                         ::testing::Values(StoreKind::kMemory, StoreKind::kSqlite,
                                           StoreKind::kPostgres),
                         [](const ::testing::TestParamInfo<StoreKind>& info) {
                           return StoreKindName(info.param);
                         });

}  // namespace
}  // namespace rogatory::testing
