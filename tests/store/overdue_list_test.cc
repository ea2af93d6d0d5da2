// The overdue list (`overdue=true`) reads in two ways (adapters/store/src/request_list.cc): a
// walk of the candidates in id order when many clocks are due, handing over to the due-time
// index where a bounded walk stops, and the due-time index alone when few are. Whatever the way,
// every page must be what a scan of every request would give: the same ids, in id order, with
// the same cursors, under every filter. `overdue_walk` set to 1 and 3 forces the walk and the
// hand-over on a small store; 2000 keeps it on the due-time index. Without a party filter the SQL
// stores read the deadline rows' own indexes (schema 8), whatever `overdue_walk` says.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

#include "store_test_util.h"

namespace rogatory::testing {
namespace {

using ::testing::IsEmpty;
using ::testing::Not;

class OverdueListTest : public ::testing::TestWithParam<std::tuple<StoreKind, int>> {
 protected:
  void SetUp() override {
    SqlStoreOptions options;
    options.overdue_walk = std::get<1>(GetParam());
    db_ = std::make_unique<TestStore>(std::get<0>(GetParam()), options);
    ASSERT_TRUE(db_->status().ok()) << db_->status().ToString();
    // 60 requests over three workflows, three states and two authorities, each with one of six
    // clock shapes: none, running due, running not due, paused, lapsed, one due among two.
    const char* const workflows[] = {"eio", "eaw", "jit"};
    const char* const states[] = {"draft", "transmitted", "closed"};
    const Phase phases[] = {Phase::kDrafting, Phase::kTransmission, Phase::kClosure};
    for (int i = 0; i < 60; ++i) {
      RequestBuilder b("q-" + std::string(i < 10 ? "0" : "") + std::to_string(i), workflows[i % 3]);
      b.request().parties = {{"issuing", i % 4 == 0 ? "a1" : "a2"}};
      switch ((i + i / 5) % 6) {
        case 1:
          b.request().deadlines = {Running("x", T(0), T(5))};
          break;
        case 2:
          b.request().deadlines = {Running("x", T(0), T(50))};
          break;
        case 3:
          b.request().deadlines = {Paused("x", T(0), T(1), kMinute)};
          break;
        case 4:
          b.request().deadlines = {Lapsed("x", T(0), T(2), T(3))};
          break;
        case 5:
          b.request().deadlines = {Running("x", T(0), T(50)), Running("y", T(0), T(9))};
          break;
        default:
          break;
      }
      Mutation m = b.Create(states[(i / 2) % 3], phases[(i / 2) % 3]);
      m.parties_changed = true;
      Status s = db_->store().Apply(m);
      ASSERT_TRUE(s.ok()) << s.ToString();
    }
  }

  // Every page of `q`, each checked for order and cursor; the ids in list order.
  std::vector<std::string> Pages(RequestQuery q) {
    std::vector<std::string> ids;
    for (int pages = 0; pages < 100; ++pages) {
      Result<RequestPage> page = db_->store().ListRequests(q);
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      if (!page.ok()) return ids;
      EXPECT_LE(page->items.size(), static_cast<size_t>(q.limit));
      for (const Request& r : page->items) {
        EXPECT_TRUE(ids.empty() || ids.back() < r.id) << r.id << " out of order";
        EXPECT_GT(r.id, q.after);
        ids.push_back(r.id);
      }
      if (page->next.empty()) return ids;
      EXPECT_EQ(page->items.size(), static_cast<size_t>(q.limit));
      EXPECT_EQ(page->next, page->items.back().id);
      q.after = page->next;
    }
    ADD_FAILURE() << "more than 100 pages";
    return ids;
  }

  // What a scan of every request gives: the list without `overdue`, kept where IsOverdue.
  std::vector<std::string> Scan(RequestQuery q) {
    q.overdue_only = false;
    q.limit = 1000;
    std::vector<std::string> ids;
    Result<RequestPage> page = db_->store().ListRequests(q);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    if (!page.ok()) return ids;
    for (const Request& r : page->items) {
      if (r.IsOverdue(q.now)) ids.push_back(r.id);
    }
    return ids;
  }

  std::unique_ptr<TestStore> db_;
};

TEST_P(OverdueListTest, EveryPageIsWhatAScanGivesUnderEveryFilter) {
  std::vector<RequestQuery> filters(7);
  filters[1].workflow = "eaw";
  filters[2].state = "transmitted";
  filters[3].phase = Phase::kClosure;
  filters[4].workflow = "jit";
  filters[4].state = "closed";
  filters[5].workflow = "eio";
  filters[5].phase = Phase::kTransmission;
  filters[6].party = "a1";
  for (RequestQuery q : filters) {
    q.overdue_only = true;
    q.now = T(10);
    const std::vector<std::string> expected = Scan(q);
    ASSERT_THAT(expected, Not(IsEmpty())) << "the data must have overdue requests for each filter";
    for (int limit : {1, 2, 5, 50}) {
      q.limit = limit;
      q.after.clear();
      EXPECT_EQ(Pages(q), expected)
          << "workflow=" << q.workflow << " state=" << q.state << " limit=" << limit;
      // From a cursor in the middle of the list (q-30 is not overdue itself).
      q.after = "q-30";
      std::vector<std::string> tail;
      for (const std::string& id : expected) {
        if (id > q.after) tail.push_back(id);
      }
      EXPECT_EQ(Pages(q), tail) << "after q-30, limit=" << limit;
    }
  }
}

TEST_P(OverdueListTest, FewDueAndNoneDueAreExactToo) {
  RequestQuery q;
  q.overdue_only = true;
  q.limit = 2;
  q.now = T(4);  // only the lapsed clocks
  EXPECT_EQ(Pages(q), Scan(q));
  EXPECT_EQ(Pages(q).size(), 12u);
  q.now = T(6);  // the lapsed clocks and those due at T(5)
  EXPECT_EQ(Pages(q), Scan(q));
  q.after = "q-59";
  EXPECT_THAT(Pages(q), IsEmpty());
}

// Schema 8: the SQL stores list overdue requests from the deadline rows' copies of the request's
// workflow, state and phase. A step that moves the request (a transition, a migration to another
// version and state) or changes its clocks (lapse, pause, resume, restart, stop) must carry the
// copies along: a stale copy lists the request under a state it left, or misses it in the one it
// entered. Each step is checked against what the requests themselves say.
TEST_P(OverdueListTest, FiltersFollowTheRequestThroughEveryKindOfStep) {
  RequestBuilder b("z-1", "eaw");
  b.request().deadlines = {Lapsed("x", T(0), T(2), T(3)), Running("y", T(0), T(5))};
  ASSERT_TRUE(db_->store().Apply(b.Create("draft", Phase::kDrafting)).ok());
  // The list under each filter the request can be found by, before and after each step.
  auto check = [&](const std::string& after_what) {
    std::vector<RequestQuery> filters(8);
    filters[1].workflow = "eaw";
    filters[2].state = "draft";
    filters[3].state = "executing";
    filters[4].phase = Phase::kDrafting;
    filters[5].phase = Phase::kExecution;
    filters[6].workflow = "eaw";
    filters[6].state = "executing";
    filters[7].workflow = "eaw";
    filters[7].phase = Phase::kDrafting;
    for (RequestQuery q : filters) {
      q.overdue_only = true;
      q.limit = 3;
      for (int minutes : {4, 10}) {  // the running clock not yet due, then due
        q.now = T(minutes);
        EXPECT_EQ(Pages(q), Scan(q))
            << after_what << ": workflow=" << q.workflow << " state=" << q.state
            << " phase=" << (q.phase ? PhaseName(*q.phase) : "") << " now=T(" << minutes << ")";
      }
    }
  };
  check("created");
  ASSERT_TRUE(db_->store().Apply(b.Step("start", "executing", Phase::kExecution)).ok());
  check("a transition to another state and phase");
  b.request().deadlines = {Lapsed("x", T(0), T(2), T(3)), Paused("y", T(0), T(5), kMinute)};
  ASSERT_TRUE(db_->store().Apply(b.Step("hold", "draft", Phase::kDrafting)).ok());
  check("a transition that pauses the running clock");
  b.request().deadlines = {Lapsed("x", T(0), T(2), T(3)), Running("y", T(0), T(8))};
  ASSERT_TRUE(db_->store().Apply(b.Step("resume", "executing", Phase::kExecution)).ok());
  check("a transition that resumes it");
  b.request().deadlines = {Lapsed("x", T(0), T(2), T(3)), Lapsed("y", T(0), T(8), T(9))};
  ASSERT_TRUE(db_->store().Apply(b.Step("y_overdue", "executing", Phase::kExecution)).ok());
  check("a lapse in the same state");
  b.request().version = 2;
  b.request().deadlines = {Running("x", T(3), T(20)), Lapsed("y", T(0), T(8), T(9))};
  ASSERT_TRUE(db_->store().Apply(b.Step("migrate", "draft", Phase::kDrafting)).ok());
  check("a migration to another version, state and phase that restarts a clock");
  b.request().deadlines = {Running("x", T(3), T(20))};
  ASSERT_TRUE(db_->store().Apply(b.Step("answer", "executing", Phase::kExecution)).ok());
  check("a transition that stops the lapsed clock");
  // The request itself is overdue in its new state only when a clock says so.
  RequestQuery q;
  q.overdue_only = true;
  q.state = "executing";
  q.now = T(30);
  EXPECT_THAT(Pages(q), ::testing::Contains("z-1"));
  q.state = "draft";
  EXPECT_THAT(Pages(q), ::testing::Not(::testing::Contains("z-1")));
}

INSTANTIATE_TEST_SUITE_P(Stores, OverdueListTest,
                         ::testing::Combine(::testing::Values(StoreKind::kMemory,
                                                              StoreKind::kSqlite,
                                                              StoreKind::kPostgres),
                                            ::testing::Values(1, 3, 2000)),
                         [](const ::testing::TestParamInfo<std::tuple<StoreKind, int>>& info) {
                           return StoreKindName(std::get<0>(info.param)) + "Walk" +
                                  std::to_string(std::get<1>(info.param));
                         });

}  // namespace
}  // namespace rogatory::testing
