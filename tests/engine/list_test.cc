// Listing requests: filters and keyset pagination by id.
#include "test_engine.h"

namespace rogatory::testing {
namespace {

TEST(ListTest, PagesInIdOrderWithNextCursor) {
  TestEngine env;
  std::vector<RequestId> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(env.Create());
    env.clock().Advance(std::chrono::milliseconds(1));
  }
  RequestQuery q;
  q.limit = 2;
  std::vector<RequestId> seen;
  for (int page = 0; page < 10; ++page) {
    auto p = env.engine().List(q);
    ASSERT_TRUE(p.ok());
    for (const auto& r : p->items) seen.push_back(r.id);
    if (p->next.empty()) break;
    q.after = p->next;
  }
  EXPECT_EQ(seen, ids);
}

TEST(ListTest, FiltersByStateAndPhase) {
  TestEngine env;
  env.Create();
  RequestId t = env.Transmitted();
  RequestQuery q;
  q.state = "transmitted";
  auto p = *env.engine().List(q);
  ASSERT_EQ(p.items.size(), 1u);
  EXPECT_EQ(p.items[0].id, t);
  q = RequestQuery{};
  q.phase = Phase::kDrafting;
  EXPECT_EQ(env.engine().List(q)->items.size(), 1u);
  q = RequestQuery{};
  q.workflow = "other";
  EXPECT_TRUE(env.engine().List(q)->items.empty());
}

TEST(ListTest, RefusesBadLimit) {
  TestEngine env;
  RequestQuery q;
  q.limit = 0;
  EXPECT_THAT(env.engine().List(q), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace rogatory::testing
