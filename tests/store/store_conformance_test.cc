// One conformance suite for every Store: the memory store (the reference), SQLite and
// PostgreSQL. Each test runs once per store on a database of its own.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "rogatory/history.h"
#include "store_test_util.h"

namespace rogatory::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr Duration kDay = std::chrono::hours(24);

class StoreConformanceTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  void SetUp() override {
    db_ = std::make_unique<TestStore>(GetParam());
    // A missing PostgreSQL fails the test: it must not pass silently.
    ASSERT_TRUE(db_->status().ok()) << db_->status().ToString();
  }

  Store& store() { return db_->store(); }

  // Applies `m` and fails the test if the store refuses it.
  void MustApply(const Mutation& m) {
    Status s = store().Apply(m);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  // Creates request `id` in workflow `workflow` with the given deadlines.
  RequestBuilder MustCreate(const std::string& id, const std::string& workflow = "eio",
                            std::vector<DeadlineState> deadlines = {}) {
    RequestBuilder b(id, workflow);
    b.request().deadlines = std::move(deadlines);
    MustApply(b.Create());
    return b;
  }

  std::vector<std::string> ListIds(RequestQuery q) {
    std::vector<std::string> ids;
    for (;;) {
      Result<RequestPage> page = store().ListRequests(q);
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      if (!page.ok()) return ids;
      for (const Request& r : page->items) ids.push_back(r.id);
      if (page->next.empty()) return ids;
      q.after = page->next;
    }
  }

  Subscription MakeSubscription(const std::string& id, std::vector<std::string> events = {},
                                std::vector<std::string> workflows = {}) {
    Subscription s;
    s.id = id;
    s.url = "https://consumer.example/hooks/" + id;
    s.secret = "whsec_c2VjcmV0";
    s.events = std::move(events);
    s.workflows = std::move(workflows);
    s.created_at = RequestBuilder::DefaultTime();
    return s;
  }

  std::vector<Delivery> AllDeliveries(DeliveryQuery q = {}) {
    q.limit = 1000;
    Result<DeliveryPage> page = store().ListDeliveries(q);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? page->items : std::vector<Delivery>();
  }

  std::unique_ptr<TestStore> db_;
};

// --- Apply and reads --------------------------------------------------------------------------

TEST_P(StoreConformanceTest, CreatedRequestReadsBackFieldByField) {
  RequestBuilder b("r-1", "eio");
  Request& r = b.request();
  r.version = 3;
  r.references = {{"issuing", "IS/2026/17"}, {"executing", "EX-9"}};
  r.data = {{"issuing_state", "AT"}, {"urgent", true}, {"count", 7}, {"measures", {"a", "b"}}};
  r.deadlines = {Running("recognition", T(0), T(60)), Paused("execution", T(0), T(90), kDay)};
  r.deadlines[1].extended = true;
  Mutation m = b.Create("issued", Phase::kDrafting);
  MustApply(m);

  Result<Request> got = store().GetRequest("r-1");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->id, "r-1");
  EXPECT_EQ(got->workflow, "eio");
  EXPECT_EQ(got->version, 3);
  EXPECT_EQ(got->references, m.request.references);
  EXPECT_EQ(got->state, "issued");
  EXPECT_EQ(got->phase, Phase::kDrafting);
  EXPECT_EQ(got->data, m.request.data);
  EXPECT_EQ(got->revision, 1);
  EXPECT_EQ(got->created_at, m.request.created_at);
  EXPECT_EQ(got->updated_at, m.request.updated_at);
  EXPECT_EQ(got->deadlines, m.request.deadlines);
  EXPECT_EQ(got->head_hash, m.history.hash);
}

// A step's request replaces the stored one whole: keys dropped from the data and references are
// gone, nested values are replaced rather than merged, and the clocks and parties are the step's.
TEST_P(StoreConformanceTest, AStepsRequestReplacesTheStoredOneWhole) {
  RequestBuilder b("r-1", "eio");
  Request& r = b.request();
  r.references = {{"issuing", "IS/2026/17"}, {"executing", "EX-9"}};
  r.data = {{"issuing_state", "AT"}, {"measures", {{"search", true}, {"seize", false}}}};
  r.deadlines = {Running("recognition", T(0), T(60))};
  r.parties = {{"issuing", "at-prosecutor"}, {"executing", "de-court"}};
  Mutation create = b.Create("issued", Phase::kDrafting);
  create.parties_changed = true;
  MustApply(create);

  b.Advance(kMinute);
  r.version = 2;  // as a migration to the workflow's next version sets it
  r.references = {{"issuing", "IS/2026/17-A"}};
  r.data = {{"measures", {{"hear", 1}}}, {"urgent", true}};
  r.deadlines = {Paused("recognition", T(0), T(60), kDay), Running("execution", T(1), T(91))};
  r.parties = {{"issuing", "at-prosecutor"}, {"executing", "de-court-2"}};
  Mutation step = b.Step("recognise", "recognised", Phase::kExecution);
  step.parties_changed = true;
  MustApply(step);

  Result<Request> got = store().GetRequest("r-1");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->version, 2);
  EXPECT_EQ(got->references, nlohmann::json({{"issuing", "IS/2026/17-A"}}));
  EXPECT_EQ(got->data, nlohmann::json({{"measures", {{"hear", 1}}}, {"urgent", true}}));
  EXPECT_EQ(got->state, "recognised");
  EXPECT_EQ(got->phase, Phase::kExecution);
  EXPECT_EQ(got->revision, 2);
  EXPECT_EQ(got->updated_at, step.request.updated_at);
  EXPECT_EQ(got->deadlines, step.request.deadlines);
  EXPECT_EQ(got->head_hash, step.history.hash);
  EXPECT_EQ(got->parties, step.request.parties);

  // And back to empty: nothing of the earlier values stays.
  b.Advance(kMinute);
  r.references = nlohmann::json::object();
  r.data = nlohmann::json::object();
  r.deadlines.clear();
  MustApply(b.Step("close", "closed", Phase::kClosure));
  got = store().GetRequest("r-1");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->references, nlohmann::json::object());
  EXPECT_EQ(got->data, nlohmann::json::object());
  EXPECT_THAT(got->deadlines, IsEmpty());
  EXPECT_EQ(got->revision, 3);
}

TEST_P(StoreConformanceTest, HistoryReadsBackInOrderAndVerifies) {
  RequestBuilder b = MustCreate("r-1");
  b.Advance(kMinute);
  Mutation issue = b.Step("issue", "issued", Phase::kDrafting);
  issue.history.comment = "signed by the prosecutor";
  issue.history.hash = ComputeHistoryHash(issue.history);
  issue.request.head_hash = b.request().head_hash = issue.history.hash;
  MustApply(issue);
  b.Advance(kMinute);
  MustApply(b.Step("transmit", "transmitted", Phase::kTransmission));

  Result<std::vector<HistoryEntry>> h = store().GetHistory("r-1");
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  ASSERT_THAT(*h, SizeIs(3));
  EXPECT_EQ((*h)[0].event, "create");
  EXPECT_EQ((*h)[0].from_state, "");
  EXPECT_EQ((*h)[1].event, "issue");
  EXPECT_EQ((*h)[1].comment, "signed by the prosecutor");
  EXPECT_EQ((*h)[1].at, T(1));
  EXPECT_EQ((*h)[2].to_state, "transmitted");
  EXPECT_EQ((*h)[2].data, nlohmann::json({{"step", 3}}));
  EXPECT_TRUE(VerifyHistoryChain(*h).ok()) << VerifyHistoryChain(*h).ToString();
  EXPECT_EQ(store().GetRequest("r-1")->head_hash, (*h)[2].hash);
}

TEST_P(StoreConformanceTest, UnknownRequestIsNotFound) {
  EXPECT_EQ(store().GetRequest("nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store().GetHistory("nope").status().code(), StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, CreateWithTakenIdIsAlreadyExistsAndWritesNothing) {
  MustCreate("r-1");
  RequestBuilder again("r-1", "other");
  Status s = store().Apply(again.Create());
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists) << s.ToString();
  EXPECT_EQ(store().GetRequest("r-1")->workflow, "eio");
  EXPECT_THAT(*store().GetHistory("r-1"), SizeIs(1));
}

TEST_P(StoreConformanceTest, StaleRevisionIsAbortedAndWritesNothing) {
  RequestBuilder b = MustCreate("r-1");
  MustApply(b.Step("issue", "issued", Phase::kDrafting));
  // A second writer that read revision 1 too.
  RequestBuilder stale("r-1");
  stale.request() = *store().GetRequest("r-1");
  stale.request().revision = 1;
  Mutation m = stale.Step("withdraw", "withdrawn", Phase::kClosure);
  m.request.deadlines = {Running("late", T(0), T(1))};
  m.notification = NotificationFor(m, kEventRequestClosed);
  ASSERT_TRUE(store().CreateSubscription(MakeSubscription("s-1")).ok());

  Status s = store().Apply(m);
  EXPECT_EQ(s.code(), StatusCode::kAborted) << s.ToString();
  Result<Request> now = store().GetRequest("r-1");
  EXPECT_EQ(now->revision, 2);
  EXPECT_EQ(now->state, "issued");
  EXPECT_THAT(now->deadlines, IsEmpty());
  EXPECT_THAT(*store().GetHistory("r-1"), SizeIs(2));
  EXPECT_THAT(AllDeliveries(), IsEmpty());
  EXPECT_EQ(*store().CountOverdueDeadlines(T(100)), 0);
}

TEST_P(StoreConformanceTest, StepOnUnknownRequestIsRefused) {
  RequestBuilder b("ghost");
  b.request().revision = 4;
  b.request().state = "draft";
  Status s = store().Apply(b.Step("issue", "issued", Phase::kDrafting));
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
  EXPECT_EQ(store().GetHistory("ghost").status().code(), StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, IdempotencyClashIsAlreadyExistsAndWritesNothing) {
  ASSERT_TRUE(store().CreateSubscription(MakeSubscription("s-1")).ok());
  RequestBuilder first("r-1");
  Mutation m1 = first.Create();
  m1.idempotency = IdempotencyRecord{"ana", "key-1", "fp-1", R"({"id":"r-1"})", T(0)};
  MustApply(m1);

  RequestBuilder second("r-2");
  second.request().deadlines = {Running("recognition", T(0), T(5))};
  Mutation m2 = second.Create();
  m2.notification = NotificationFor(m2, kEventRequestCreated);
  m2.idempotency = IdempotencyRecord{"ana", "key-1", "fp-2", R"({"id":"r-2"})", T(0)};
  Status s = store().Apply(m2);
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists) << s.ToString();

  // Nothing of the refused step exists: no request, no history, no deadline, no outbox row.
  EXPECT_EQ(store().GetRequest("r-2").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store().GetHistory("r-2").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(*store().CountOverdueDeadlines(T(100)), 0);
  EXPECT_THAT(AllDeliveries(), IsEmpty());
  Result<std::optional<IdempotencyRecord>> rec = store().FindIdempotency("ana", "key-1");
  ASSERT_TRUE(rec.ok());
  ASSERT_TRUE(rec->has_value());
  EXPECT_EQ((*rec)->fingerprint, "fp-1");
  EXPECT_EQ((*rec)->response, R"({"id":"r-1"})");
}

TEST_P(StoreConformanceTest, IdempotencyKeysAreScopedToTheActor) {
  RequestBuilder a("r-1"), b("r-2");
  Mutation m1 = a.Create(), m2 = b.Create();
  m1.idempotency = IdempotencyRecord{"ana", "k", "fp", "{}", T(0)};
  m2.idempotency = IdempotencyRecord{"bob", "k", "fp", "{}", T(0)};
  MustApply(m1);
  MustApply(m2);
  Result<std::optional<IdempotencyRecord>> rec = store().FindIdempotency("bob", "k");
  ASSERT_TRUE(rec.ok() && rec->has_value());
  EXPECT_EQ((*rec)->actor, "bob");
  EXPECT_EQ((*rec)->key, "k");
  EXPECT_EQ((*rec)->created_at, T(0));
  EXPECT_FALSE(store().FindIdempotency("carl", "k")->has_value());
}

TEST_P(StoreConformanceTest, EachStepReplacesTheDeadlines) {
  RequestBuilder b =
      MustCreate("r-1", "eio", {Running("recognition", T(0), T(10)), Running("ack", T(0), T(5))});
  b.request().deadlines = {Running("execution", T(1), T(20))};
  MustApply(b.Step("recognise", "recognised", Phase::kExecution));
  EXPECT_THAT(store().GetRequest("r-1")->deadlines, ElementsAre(Running("execution", T(1), T(20))));
  EXPECT_EQ(*store().CountOverdueDeadlines(T(15)), 0);
  EXPECT_EQ(*store().CountOverdueDeadlines(T(21)), 1);
  b.request().deadlines.clear();
  MustApply(b.Step("execute", "executed", Phase::kClosure));
  EXPECT_EQ(*store().CountOverdueDeadlines(T(100)), 0);
}

// --- Listing ----------------------------------------------------------------------------------

TEST_P(StoreConformanceTest, ListPaginatesInIdOrder) {
  for (const char* id : {"r-05", "r-01", "r-07", "r-03", "r-02", "r-06", "r-04"}) MustCreate(id);
  RequestQuery q;
  q.limit = 3;
  Result<RequestPage> p1 = store().ListRequests(q);
  ASSERT_TRUE(p1.ok()) << p1.status().ToString();
  ASSERT_THAT(p1->items, SizeIs(3));
  EXPECT_EQ(p1->items[0].id, "r-01");
  EXPECT_EQ(p1->next, "r-03");
  q.after = p1->next;
  Result<RequestPage> p2 = store().ListRequests(q);
  EXPECT_EQ(p2->items.front().id, "r-04");
  q.after = p2->next;
  Result<RequestPage> p3 = store().ListRequests(q);
  EXPECT_THAT(p3->items, SizeIs(1));
  EXPECT_EQ(p3->next, "");
  // A page that ends exactly at the last request has no next.
  q.after = "r-04";
  EXPECT_EQ(store().ListRequests(q)->next, "");
}

TEST_P(StoreConformanceTest, ListSortsIdsBytewise) {
  for (const char* id : {"b", "B", "a-2", "a_1", "a1", "A"}) MustCreate(id);
  EXPECT_THAT(ListIds({}), ElementsAre("A", "B", "a-2", "a1", "a_1", "b"));
}

TEST_P(StoreConformanceTest, ListFiltersByWorkflowStateAndPhase) {
  MustCreate("r-1", "eio");
  RequestBuilder b = MustCreate("r-2", "eio");
  MustApply(b.Step("transmit", "transmitted", Phase::kTransmission));
  MustCreate("r-3", "eaw");
  RequestBuilder c = MustCreate("r-4", "eaw");
  MustApply(c.Step("transmit", "transmitted", Phase::kTransmission));

  RequestQuery by_workflow;
  by_workflow.workflow = "eaw";
  EXPECT_THAT(ListIds(by_workflow), ElementsAre("r-3", "r-4"));
  RequestQuery by_state;
  by_state.state = "transmitted";
  EXPECT_THAT(ListIds(by_state), ElementsAre("r-2", "r-4"));
  RequestQuery by_phase;
  by_phase.phase = Phase::kDrafting;
  EXPECT_THAT(ListIds(by_phase), ElementsAre("r-1", "r-3"));
  RequestQuery all_three;
  all_three.workflow = "eio";
  all_three.state = "transmitted";
  all_three.phase = Phase::kTransmission;
  EXPECT_THAT(ListIds(all_three), ElementsAre("r-2"));
  all_three.phase = Phase::kClosure;
  EXPECT_THAT(ListIds(all_three), IsEmpty());
}

TEST_P(StoreConformanceTest, ListOverdueShowsRunningDeadlinesDueByNow) {
  MustCreate("due-before", "eio", {Running("a", T(0), T(5))});
  MustCreate("due-now", "eio", {Running("a", T(0), T(10))});
  MustCreate("due-later", "eio", {Running("a", T(0), T(11))});
  MustCreate("paused", "eio", {Paused("a", T(0), T(1), kMinute)});
  MustCreate("none");
  MustCreate("mixed", "eio", {Running("a", T(0), T(50)), Running("b", T(0), T(2))});
  RequestQuery q;
  q.overdue_only = true;
  q.now = T(10);
  q.limit = 2;
  EXPECT_THAT(ListIds(q), ElementsAre("due-before", "due-now", "mixed"));
  q.workflow = "other";
  EXPECT_THAT(ListIds(q), IsEmpty());
}

TEST_P(StoreConformanceTest, ListOverdueFollowsDeadlineChangesFiltersAndTheCursor) {
  // The overdue list is read from the deadline rows: it must follow every change to them and
  // combine with the other filters and the cursor exactly as a scan of the requests would.
  RequestBuilder a = MustCreate("o-1", "eio", {Running("x", T(0), T(5)), Running("y", T(0), T(6))});
  RequestBuilder b = MustCreate("o-2", "eaw", {Running("x", T(0), T(5))});
  RequestBuilder c = MustCreate("o-3", "eio", {Running("x", T(0), T(50))});
  RequestBuilder d = MustCreate("o-4", "eio", {Running("x", T(0), T(1))});
  RequestBuilder f = MustCreate("o-5", "eio", {Running("x", T(0), T(2))});
  MustCreate("o-6", "eio", {Running("x", T(0), T(3))});
  RequestQuery q;
  q.overdue_only = true;
  q.now = T(10);
  q.limit = 1;
  // o-1 once, for its two clocks.
  EXPECT_THAT(ListIds(q), ElementsAre("o-1", "o-2", "o-4", "o-5", "o-6"));
  // Stopped (o-4), paused (o-5), restarted later (o-1), another clock started and due (o-3).
  d.request().deadlines.clear();
  MustApply(d.Step("stop", "transmitted", Phase::kTransmission));
  a.request().deadlines = {Running("x", T(8), T(40)), Running("y", T(8), T(40))};
  MustApply(a.Step("restart", "transmitted", Phase::kTransmission));
  c.request().deadlines = {Running("x", T(0), T(50)), Running("z", T(0), T(9))};
  MustApply(c.Step("start", "recognised", Phase::kExecution));
  f.request().deadlines = {Paused("x", T(0), T(2), kMinute)};
  MustApply(f.Step("pause", "draft", Phase::kDrafting));
  EXPECT_THAT(ListIds(q), ElementsAre("o-2", "o-3", "o-6"));
  q.workflow = "eio";
  EXPECT_THAT(ListIds(q), ElementsAre("o-3", "o-6"));
  q.state = "recognised";
  EXPECT_THAT(ListIds(q), ElementsAre("o-3"));
  q.state.clear();
  q.phase = Phase::kDrafting;
  EXPECT_THAT(ListIds(q), ElementsAre("o-6"));
  q.phase.reset();
  q.workflow.clear();
  q.after = "o-2";
  q.limit = 50;
  Result<RequestPage> page = store().ListRequests(q);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_THAT(page->items, SizeIs(2));
  EXPECT_EQ(page->items[0].id, "o-3");
  EXPECT_EQ(page->items[0].deadlines.size(), 2u);  // the whole request, not the due row
  EXPECT_EQ(page->next, "");
  q.now = T(2);
  q.after.clear();
  EXPECT_THAT(ListIds(q), IsEmpty());
  q.now = T(100);
  EXPECT_THAT(ListIds(q), ElementsAre("o-1", "o-2", "o-3", "o-6"));
}

TEST_P(StoreConformanceTest, LapsedClocksAreOverdueNeverClaimedAndNotInTheGauge) {
  // CONTRACT §7: a lapsed clock stays on the request; the overdue list shows it whatever the
  // time, the scheduler never claims it and the gauge (clocks not yet lapsed) leaves it out.
  RequestBuilder a = MustCreate("l-1", "eio", {Lapsed("x", T(0), T(5), T(6))});
  RequestBuilder b = MustCreate("l-2", "eio", {Running("x", T(0), T(50))});
  MustCreate("l-3", "eaw", {Lapsed("x", T(0), T(5), T(6)), Lapsed("y", T(0), T(7), T(8))});
  MustCreate("l-4", "eio", {Running("x", T(0), T(3)), Lapsed("y", T(0), T(2), T(2))});
  Result<Request> back = store().GetRequest("l-3");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->deadlines[1], Lapsed("y", T(0), T(7), T(8)));
  RequestQuery q;
  q.overdue_only = true;
  q.now = T(1);
  q.limit = 1;
  EXPECT_THAT(ListIds(q), ElementsAre("l-1", "l-3", "l-4"));  // l-3 once for its two
  q.workflow = "eio";
  EXPECT_THAT(ListIds(q), ElementsAre("l-1", "l-4"));
  q.workflow.clear();
  EXPECT_EQ(*store().CountOverdueDeadlines(T(100)), 2);  // l-2's x and l-4's x
  Result<std::vector<DueDeadline>> due = store().ClaimDueDeadlines(T(100), "node", kMinute, 10);
  ASSERT_TRUE(due.ok());
  ASSERT_THAT(*due, SizeIs(2));
  for (const DueDeadline& d : *due) EXPECT_NE(d.request_id, "l-1");
  // l-2's clock lapses; l-1's is stopped.
  b.request().deadlines = {Lapsed("x", T(0), T(50), T(51))};
  MustApply(b.Step("x_overdue", "transmitted", Phase::kTransmission));
  a.request().deadlines.clear();
  MustApply(a.Step("stop", "transmitted", Phase::kTransmission));
  EXPECT_THAT(ListIds(q), ElementsAre("l-2", "l-3", "l-4"));
  // Revived by an extension: running again, no longer overdue before its new due time.
  b.request().deadlines = {Running("x", T(0), T(80))};
  MustApply(b.Step("extend", "transmitted", Phase::kTransmission));
  EXPECT_THAT(ListIds(q), ElementsAre("l-3", "l-4"));
  q.after = "l-3";
  EXPECT_THAT(ListIds(q), ElementsAre("l-4"));
}

TEST_P(StoreConformanceTest, CountOverdueCountsRunningDeadlinesDueBeforeNow) {
  MustCreate("r-1", "eio", {Running("a", T(0), T(5)), Running("b", T(0), T(10))});
  MustCreate("r-2", "eio", {Paused("a", T(0), T(1), kMinute), Running("b", T(0), T(20))});
  EXPECT_EQ(*store().CountOverdueDeadlines(T(4)), 0);
  EXPECT_EQ(*store().CountOverdueDeadlines(T(10)), 1);
  EXPECT_EQ(*store().CountOverdueDeadlines(T(11)), 2);
  EXPECT_EQ(*store().CountOverdueDeadlines(T(30)), 3);
}

// --- Deadline claims --------------------------------------------------------------------------

TEST_P(StoreConformanceTest, DueDeadlineIsClaimedOnceUntilItsLeaseLapses) {
  MustCreate("r-1", "eio", {Running("recognition", T(0), T(5))});
  Result<std::vector<DueDeadline>> first = store().ClaimDueDeadlines(T(5), "node-a", kMinute, 10);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_THAT(*first, SizeIs(1));
  EXPECT_EQ((*first)[0].request_id, "r-1");
  EXPECT_EQ((*first)[0].name, "recognition");
  EXPECT_EQ((*first)[0].due_at, T(5));
  EXPECT_THAT(*store().ClaimDueDeadlines(T(5), "node-b", kMinute, 10), IsEmpty());
  EXPECT_THAT(*store().ClaimDueDeadlines(T(5) + kMinute / 2, "node-b", kMinute, 10), IsEmpty());
  // The claimer died: after the lease another node takes over.
  EXPECT_THAT(*store().ClaimDueDeadlines(T(6), "node-b", kMinute, 10), SizeIs(1));
}

TEST_P(StoreConformanceTest, ClaimTakesTheEarliestDueFirstUpToTheLimit) {
  MustCreate("r-1", "eio", {Running("late", T(0), T(9)), Running("early", T(0), T(1))});
  MustCreate("r-2", "eio", {Running("mid", T(0), T(4)), Paused("p", T(0), T(0), kMinute)});
  MustCreate("r-3", "eio", {Running("future", T(0), T(100))});
  Result<std::vector<DueDeadline>> got = store().ClaimDueDeadlines(T(10), "n", kMinute, 2);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_THAT(*got, SizeIs(2));
  EXPECT_EQ((*got)[0].name, "early");
  EXPECT_EQ((*got)[1].name, "mid");
  got = store().ClaimDueDeadlines(T(10), "n", kMinute, 10);
  ASSERT_THAT(*got, SizeIs(1));
  EXPECT_EQ((*got)[0].name, "late");
}

TEST_P(StoreConformanceTest, RestartedDeadlineCanBeClaimedAgain) {
  RequestBuilder b = MustCreate("r-1", "eio", {Running("recognition", T(0), T(5))});
  ASSERT_THAT(*store().ClaimDueDeadlines(T(6), "node-a", kDay, 10), SizeIs(1));
  b.request().deadlines = {Running("recognition", T(6), T(7))};
  MustApply(b.Step("resubmit", "transmitted", Phase::kTransmission));
  EXPECT_THAT(*store().ClaimDueDeadlines(T(8), "node-b", kDay, 10), SizeIs(1));
}

TEST_P(StoreConformanceTest, ConcurrentClaimersClaimEachDeadlineOnce) {
  for (int i = 0; i < 40; ++i) {
    MustCreate("r-" + std::to_string(100 + i), "eio",
               {Running("a", T(0), T(i % 7)), Running("b", T(0), T(i % 5))});
  }
  std::mutex mu;
  std::multiset<std::pair<std::string, std::string>> claimed;
  std::vector<std::thread> nodes;
  for (int n = 0; n < 4; ++n) {
    nodes.emplace_back([&, n] {
      for (int round = 0; round < 10; ++round) {
        auto got = store().ClaimDueDeadlines(T(10), "node-" + std::to_string(n), kDay, 7);
        ASSERT_TRUE(got.ok()) << got.status().ToString();
        std::lock_guard<std::mutex> lock(mu);
        for (const DueDeadline& d : *got) claimed.insert({d.request_id, d.name});
      }
    });
  }
  for (auto& t : nodes) t.join();
  EXPECT_EQ(claimed.size(), 80u);
  using Key = std::pair<std::string, std::string>;
  EXPECT_EQ(std::set<Key>(claimed.begin(), claimed.end()).size(), 80u);
}

// --- Definitions ------------------------------------------------------------------------------

TEST_P(StoreConformanceTest, DefinitionVersionsAreImmutable) {
  WorkflowDefinition def;
  def.id = "eio";
  def.version = 1;
  def.source = "workflow: eio\nversion: 1\n";
  EXPECT_TRUE(store().SaveDefinition(def, "file:workflows/eio.v1.yaml").ok());
  EXPECT_TRUE(store().SaveDefinition(def, "api:ops").ok());  // the same again: fine
  WorkflowDefinition changed = def;
  changed.source += "title: changed\n";
  EXPECT_EQ(store().SaveDefinition(changed, "api:ops").code(), StatusCode::kAlreadyExists);
  changed.version = 2;
  EXPECT_TRUE(store().SaveDefinition(changed, "api:ops").ok());
}

// Nodes find the definitions other nodes recorded: listed without their text, fetched by
// version or newest, with the origin of their first recording.
TEST_P(StoreConformanceTest, ListsAndGetsRecordedDefinitions) {
  WorkflowDefinition def;
  def.id = "eio";
  def.version = 2;
  def.source = "workflow: eio\nversion: 2\n";
  ASSERT_TRUE(store().SaveDefinition(def, "api:ops").ok());
  def.version = 1;
  def.source = "workflow: eio\nversion: 1\n";
  ASSERT_TRUE(store().SaveDefinition(def, "file:workflows/eio.v1.yaml").ok());
  def.id = "eaw";
  ASSERT_TRUE(store().SaveDefinition(def, "code").ok());

  auto listed = store().ListDefinitions();
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 3u);
  EXPECT_EQ((*listed)[0].workflow, "eaw");
  EXPECT_EQ((*listed)[1].workflow, "eio");
  EXPECT_EQ((*listed)[1].version, 1);
  EXPECT_EQ((*listed)[1].origin, "file:workflows/eio.v1.yaml");
  EXPECT_EQ((*listed)[2].version, 2);
  EXPECT_EQ((*listed)[2].origin, "api:ops");
  EXPECT_TRUE((*listed)[2].source.empty());
  EXPECT_GT((*listed)[2].loaded_at, TimePoint());

  auto newest = store().GetStoredDefinition("eio", std::nullopt);
  ASSERT_TRUE(newest.ok()) << newest.status().ToString();
  EXPECT_EQ(newest->version, 2);
  EXPECT_EQ(newest->source, "workflow: eio\nversion: 2\n");
  auto first = store().GetStoredDefinition("eio", 1);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->source, "workflow: eio\nversion: 1\n");
  EXPECT_EQ(store().GetStoredDefinition("eio", 3).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store().GetStoredDefinition("ei", std::nullopt).status().code(), StatusCode::kNotFound);
}

// --- Subscriptions and the outbox -------------------------------------------------------------

TEST_P(StoreConformanceTest, SubscriptionsCreateGetListDelete) {
  Subscription s = MakeSubscription("s-2", {"request.closed"}, {"eio", "eaw"});
  ASSERT_TRUE(store().CreateSubscription(s).ok());
  ASSERT_TRUE(store().CreateSubscription(MakeSubscription("s-1")).ok());
  EXPECT_EQ(store().CreateSubscription(s).code(), StatusCode::kAlreadyExists);

  Result<Subscription> got = store().GetSubscription("s-2");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->url, s.url);
  EXPECT_EQ(got->secret, s.secret);
  EXPECT_EQ(got->events, s.events);
  EXPECT_EQ(got->workflows, s.workflows);
  EXPECT_TRUE(got->active);
  EXPECT_EQ(got->created_at, s.created_at);

  Result<std::vector<Subscription>> all = store().ListSubscriptions();
  ASSERT_THAT(*all, SizeIs(2));
  EXPECT_EQ((*all)[0].id, "s-1");

  EXPECT_TRUE(store().DeleteSubscription("s-2").ok());
  EXPECT_EQ(store().GetSubscription("s-2").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store().DeleteSubscription("s-2").code(), StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, OutboxGetsOneRowPerMatchingActiveSubscription) {
  ASSERT_TRUE(store().CreateSubscription(MakeSubscription("all")).ok());
  ASSERT_TRUE(store().CreateSubscription(MakeSubscription("closed-only", {"request.closed"})).ok());
  ASSERT_TRUE(store().CreateSubscription(MakeSubscription("eaw-only", {}, {"eaw"})).ok());
  Subscription off = MakeSubscription("inactive");
  off.active = false;
  ASSERT_TRUE(store().CreateSubscription(off).ok());

  RequestBuilder b("r-1", "eio");
  Mutation m = b.Create();
  m.notification = NotificationFor(m, kEventRequestCreated);
  MustApply(m);
  Mutation none = b.Step("note", "draft", Phase::kDrafting);  // no notification: no rows
  MustApply(none);

  std::vector<Delivery> d = AllDeliveries();
  ASSERT_THAT(d, SizeIs(1));
  EXPECT_EQ(d[0].subscription_id, "all");
  EXPECT_EQ(d[0].request_id, "r-1");
  EXPECT_EQ(d[0].revision, 1);
  EXPECT_EQ(d[0].type, "request.created");
  EXPECT_EQ(d[0].body, m.notification->body);
  EXPECT_EQ(d[0].status, DeliveryStatus::kPending);
  EXPECT_EQ(d[0].attempts, 0);
  EXPECT_EQ(d[0].next_attempt_at, m.history.at);
  EXPECT_EQ(d[0].created_at, m.history.at);

  Result<Delivery> one = store().GetDelivery(d[0].id);
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_EQ(one->body, m.notification->body);
  EXPECT_EQ(store().GetDelivery("999999").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store().GetDelivery("not-an-id").status().code(), StatusCode::kNotFound);
}

// Store::Apply's contract for Mutation::notification_on_demand, on every store (the memory store
// gets it from the engine; any caller may set it): the rows are NotificationOf(m)'s, typed from
// the step, and a step with neither it nor a notification writes none.
TEST_P(StoreConformanceTest, ANotificationOnDemandIsBuiltFromTheStep) {
  ASSERT_TRUE(store().CreateSubscription(MakeSubscription("all")).ok());
  ASSERT_TRUE(store().CreateSubscription(MakeSubscription("closed-only", {"request.closed"})).ok());
  RequestBuilder b("r-1", "eio");
  Mutation created = b.Create();
  created.notification_on_demand = true;
  MustApply(created);
  Mutation none = b.Step("note", "draft", Phase::kDrafting);
  MustApply(none);
  Mutation closed = b.Step("withdraw", "withdrawn", Phase::kClosure);
  closed.stats.terminal = true;
  closed.notification_on_demand = true;
  MustApply(closed);

  std::vector<Delivery> d = AllDeliveries();
  ASSERT_THAT(d, SizeIs(3));
  std::vector<std::string> got;
  for (const Delivery& x : d) {
    got.push_back(x.subscription_id + " " + x.type + " " + std::to_string(x.revision));
  }
  std::sort(got.begin(), got.end());
  EXPECT_THAT(got, ElementsAre("all request.closed 3", "all request.created 1",
                               "closed-only request.closed 3"));
  for (const Delivery& x : d) {
    EXPECT_EQ(x.body, NotificationOf(x.revision == 1 ? created : closed).Body());
  }
}

// Applies revisions 1..n of request `id`, each notifying `request.transitioned`.
void ApplyNotifiedSteps(Store& store, RequestBuilder& b, int n) {
  for (int i = 0; i < n; ++i) {
    Mutation m = b.request().revision == 0 ? b.Create() : b.Step("note", "draft", Phase::kDrafting);
    m.notification = NotificationFor(m, kEventRequestTransitioned);
    Status s = store.Apply(m);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
}

TEST_P(StoreConformanceTest, DeliveryIdsFollowCreationOrder) {
  ASSERT_TRUE(store().CreateSubscription(MakeSubscription("s")).ok());
  RequestBuilder a("r-a"), b("r-b");
  ApplyNotifiedSteps(store(), a, 6);
  ApplyNotifiedSteps(store(), b, 6);
  std::vector<Delivery> d = AllDeliveries();
  ASSERT_THAT(d, SizeIs(12));
  for (size_t i = 1; i < d.size(); ++i) EXPECT_LT(d[i - 1].id, d[i].id);
  EXPECT_EQ(d[5].request_id, "r-a");
  EXPECT_EQ(d[6].request_id, "r-b");
}

TEST_P(StoreConformanceTest, ClaimDeliveriesKeepsEachRequestInRevisionOrder) {
  ASSERT_TRUE(store().CreateSubscription(MakeSubscription("s")).ok());
  RequestBuilder a("r-a"), b("r-b");
  ApplyNotifiedSteps(store(), a, 3);
  ApplyNotifiedSteps(store(), b, 2);

  Result<std::vector<Delivery>> got = store().ClaimDeliveries(T(0), "d1", kMinute, 10);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_THAT(*got, SizeIs(2));  // the first revision of each request only
  EXPECT_EQ((*got)[0].request_id, "r-a");
  EXPECT_EQ((*got)[0].revision, 1);
  EXPECT_EQ((*got)[1].request_id, "r-b");
  EXPECT_EQ((*got)[1].revision, 1);
  // Nothing more while those are in flight.
  EXPECT_THAT(*store().ClaimDeliveries(T(0), "d2", kMinute, 10), IsEmpty());

  DeliveryAttempt ok{(*got)[0].id, "d1", DeliveryStatus::kDelivered, "", T(0), false};
  ASSERT_TRUE(store().RecordDeliveryAttempt(ok).ok());
  got = store().ClaimDeliveries(T(0), "d2", kMinute, 10);
  ASSERT_THAT(*got, SizeIs(1));
  EXPECT_EQ((*got)[0].request_id, "r-a");
  EXPECT_EQ((*got)[0].revision, 2);
}

TEST_P(StoreConformanceTest, ClaimCapsEachSubscriptionSoABacklogCannotStarveTheOthers) {
  ASSERT_TRUE(store().CreateSubscription(MakeSubscription("backlog")).ok());
  std::vector<RequestBuilder> early;
  for (int i = 0; i < 6; ++i) early.emplace_back("r-" + std::to_string(i));
  for (auto& b : early) ApplyNotifiedSteps(store(), b, 1);  // six deliveries for "backlog"
  ASSERT_TRUE(store().CreateSubscription(MakeSubscription("quiet")).ok());
  RequestBuilder late("r-late");
  ApplyNotifiedSteps(store(), late, 1);  // one more for each subscription, the newest rows

  ClaimLimit limit;
  limit.total = 4;
  limit.per_subscription = 2;
  limit.held["backlog"] = 1;  // the caller already holds one of its rows
  Result<std::vector<Delivery>> got = store().ClaimDeliveries(T(0), "d1", kMinute, limit);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  std::map<std::string, int> per;
  for (const Delivery& d : *got) ++per[d.subscription_id];
  EXPECT_EQ(per["backlog"], 1);  // 2 allowed, 1 held
  EXPECT_EQ(per["quiet"], 1);    // its only row, though six older ones wait
  EXPECT_THAT(*got, SizeIs(2));

  // Without a cap the oldest rows come first, whatever their subscription.
  got = store().ClaimDeliveries(T(0), "d2", kMinute, 3);
  ASSERT_THAT(*got, SizeIs(3));
  for (const Delivery& d : *got) EXPECT_EQ(d.subscription_id, "backlog");
}

TEST_P(StoreConformanceTest, RetryLaterHoldsBackTheRequestsLaterEvents) {
  ASSERT_TRUE(store().CreateSubscription(MakeSubscription("s")).ok());
  RequestBuilder a("r-a");
  ApplyNotifiedSteps(store(), a, 2);
  auto got = store().ClaimDeliveries(T(0), "d1", kMinute, 10);
  ASSERT_THAT(*got, SizeIs(1));
  DeliveryAttempt retry{(*got)[0].id, "d1", DeliveryStatus::kPending, "HTTP 503", T(30), false};
  ASSERT_TRUE(store().RecordDeliveryAttempt(retry).ok());

  Result<Delivery> d = store().GetDelivery((*got)[0].id);
  EXPECT_EQ(d->attempts, 1);
  EXPECT_EQ(d->status, DeliveryStatus::kPending);
  EXPECT_EQ(d->last_error, "HTTP 503");
  EXPECT_EQ(d->next_attempt_at, T(30));
  // Not due yet, and revision 2 waits behind it.
  EXPECT_THAT(*store().ClaimDeliveries(T(10), "d1", kMinute, 10), IsEmpty());
  got = store().ClaimDeliveries(T(30), "d1", kMinute, 10);
  ASSERT_THAT(*got, SizeIs(1));
  EXPECT_EQ((*got)[0].revision, 1);
  EXPECT_EQ((*got)[0].attempts, 1);
}

TEST_P(StoreConformanceTest, ClaimedDeliveryIsLeasedUntilTheLeaseLapses) {
  ASSERT_TRUE(store().CreateSubscription(MakeSubscription("s")).ok());
  RequestBuilder a("r-a");
  ApplyNotifiedSteps(store(), a, 1);
  ASSERT_THAT(*store().ClaimDeliveries(T(0), "d1", kMinute, 10), SizeIs(1));
  EXPECT_THAT(*store().ClaimDeliveries(T(0) + kMinute / 2, "d2", kMinute, 10), IsEmpty());
  auto again = store().ClaimDeliveries(T(1), "d2", kMinute, 10);
  ASSERT_THAT(*again, SizeIs(1));
  // The first dispatcher lost its claim.
  DeliveryAttempt late{(*again)[0].id, "d1", DeliveryStatus::kDelivered, "", T(1), false};
  EXPECT_EQ(store().RecordDeliveryAttempt(late).code(), StatusCode::kFailedPrecondition);
  late.owner = "d2";
  EXPECT_TRUE(store().RecordDeliveryAttempt(late).ok());
  // Once recorded the claim is released: a second record is refused.
  EXPECT_EQ(store().RecordDeliveryAttempt(late).code(), StatusCode::kFailedPrecondition);
  late.delivery_id = "424242";
  EXPECT_EQ(store().RecordDeliveryAttempt(late).code(), StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, ConcurrentDispatchersClaimEachDeliveryOnce) {
  ASSERT_TRUE(store().CreateSubscription(MakeSubscription("s")).ok());
  for (int i = 0; i < 30; ++i) {
    RequestBuilder b("r-" + std::to_string(100 + i));
    ApplyNotifiedSteps(store(), b, 1);
  }
  std::mutex mu;
  std::vector<std::string> claimed;
  std::vector<std::thread> dispatchers;
  for (int n = 0; n < 4; ++n) {
    dispatchers.emplace_back([&, n] {
      for (int round = 0; round < 8; ++round) {
        auto got = store().ClaimDeliveries(T(0), "d" + std::to_string(n), kDay, 4);
        ASSERT_TRUE(got.ok()) << got.status().ToString();
        std::lock_guard<std::mutex> lock(mu);
        for (const Delivery& d : *got) claimed.push_back(d.id);
      }
    });
  }
  for (auto& t : dispatchers) t.join();
  EXPECT_EQ(claimed.size(), 30u);
  EXPECT_EQ(std::set<std::string>(claimed.begin(), claimed.end()).size(), 30u);
}

TEST_P(StoreConformanceTest, GoneSubscriptionIsDisabledAndItsPendingDeliveriesDie) {
  ASSERT_TRUE(store().CreateSubscription(MakeSubscription("gone")).ok());
  ASSERT_TRUE(store().CreateSubscription(MakeSubscription("fine")).ok());
  RequestBuilder a("r-a");
  ApplyNotifiedSteps(store(), a, 3);
  auto got = store().ClaimDeliveries(T(0), "d", kMinute, 10);
  ASSERT_THAT(*got, SizeIs(2));
  const Delivery& to_gone = (*got)[0].subscription_id == "gone" ? (*got)[0] : (*got)[1];
  DeliveryAttempt gone{to_gone.id, "d", DeliveryStatus::kDead, "HTTP 410", T(0), true};
  ASSERT_TRUE(store().RecordDeliveryAttempt(gone).ok());

  EXPECT_FALSE(store().GetSubscription("gone")->active);
  DeliveryQuery q;
  q.subscription_id = "gone";
  for (const Delivery& d : AllDeliveries(q)) EXPECT_EQ(d.status, DeliveryStatus::kDead) << d.id;
  q.subscription_id = "fine";
  EXPECT_THAT(AllDeliveries(q), SizeIs(3));
  // A disabled subscription gets no new rows.
  ApplyNotifiedSteps(store(), a, 1);
  q.subscription_id = "gone";
  EXPECT_THAT(AllDeliveries(q), SizeIs(3));
  q.subscription_id = "fine";
  EXPECT_THAT(AllDeliveries(q), SizeIs(4));
}

TEST_P(StoreConformanceTest, DeletedSubscriptionsPendingDeliveriesDie) {
  ASSERT_TRUE(store().CreateSubscription(MakeSubscription("s")).ok());
  RequestBuilder a("r-a");
  ApplyNotifiedSteps(store(), a, 2);
  ASSERT_TRUE(store().DeleteSubscription("s").ok());
  std::vector<Delivery> d = AllDeliveries();
  ASSERT_THAT(d, SizeIs(2));
  for (const Delivery& x : d) {
    EXPECT_EQ(x.status, DeliveryStatus::kDead);
    EXPECT_EQ(x.last_error, "subscription deleted");
  }
  EXPECT_THAT(*store().ClaimDeliveries(T(0), "d", kMinute, 10), IsEmpty());
}

TEST_P(StoreConformanceTest, ListDeliveriesFiltersAndPaginates) {
  ASSERT_TRUE(store().CreateSubscription(MakeSubscription("s-1")).ok());
  ASSERT_TRUE(store().CreateSubscription(MakeSubscription("s-2")).ok());
  RequestBuilder a("r-a");
  ApplyNotifiedSteps(store(), a, 3);  // 6 deliveries
  auto got = store().ClaimDeliveries(T(0), "d", kMinute, 10);
  for (const Delivery& d : *got) {
    ASSERT_TRUE(store()
                    .RecordDeliveryAttempt({d.id, "d",
                                            d.subscription_id == "s-1" ? DeliveryStatus::kDelivered
                                                                       : DeliveryStatus::kDead,
                                            "", T(0), false})
                    .ok());
  }
  DeliveryQuery q;
  q.limit = 4;
  Result<DeliveryPage> p1 = store().ListDeliveries(q);
  ASSERT_TRUE(p1.ok()) << p1.status().ToString();
  EXPECT_THAT(p1->items, SizeIs(4));
  EXPECT_EQ(p1->next, p1->items.back().id);
  q.after = p1->next;
  Result<DeliveryPage> p2 = store().ListDeliveries(q);
  EXPECT_THAT(p2->items, SizeIs(2));
  EXPECT_EQ(p2->next, "");

  DeliveryQuery pending;
  pending.status = DeliveryStatus::kPending;
  EXPECT_THAT(AllDeliveries(pending), SizeIs(4));
  DeliveryQuery delivered;
  delivered.status = DeliveryStatus::kDelivered;
  delivered.subscription_id = "s-1";
  EXPECT_THAT(AllDeliveries(delivered), SizeIs(1));
  delivered.subscription_id = "s-2";
  EXPECT_THAT(AllDeliveries(delivered), IsEmpty());
}

TEST_P(StoreConformanceTest, RetryPutsADeadDeliveryBackToPending) {
  ASSERT_TRUE(store().CreateSubscription(MakeSubscription("s")).ok());
  RequestBuilder a("r-a");
  ApplyNotifiedSteps(store(), a, 1);
  auto got = store().ClaimDeliveries(T(0), "d", kMinute, 10);
  ASSERT_THAT(*got, SizeIs(1));
  const std::string id = (*got)[0].id;
  ASSERT_TRUE(
      store().RecordDeliveryAttempt({id, "d", DeliveryStatus::kDead, "gave up", T(0), false}).ok());
  EXPECT_THAT(*store().ClaimDeliveries(T(5), "d", kMinute, 10), IsEmpty());
  ASSERT_TRUE(store().RetryDelivery(id, T(5)).ok());
  Result<Delivery> d = store().GetDelivery(id);
  EXPECT_EQ(d->status, DeliveryStatus::kPending);
  EXPECT_EQ(d->next_attempt_at, T(5));
  EXPECT_EQ(d->attempts, 1);
  EXPECT_THAT(*store().ClaimDeliveries(T(5), "d", kMinute, 10), SizeIs(1));
  EXPECT_EQ(store().RetryDelivery("31337", T(5)).code(), StatusCode::kNotFound);
}

// Regression (issue 9 point 7): the retry route re-queued a delivery a dispatcher had claimed and
// was sending, so another claim could send it a second time at once.
TEST_P(StoreConformanceTest, RetryRefusesAClaimedDelivery) {
  ASSERT_TRUE(store().CreateSubscription(MakeSubscription("s")).ok());
  RequestBuilder a("r-a");
  ApplyNotifiedSteps(store(), a, 1);
  auto got = store().ClaimDeliveries(T(0), "d", kMinute, 10);
  ASSERT_THAT(*got, SizeIs(1));
  const std::string id = (*got)[0].id;
  ASSERT_TRUE(
      store()
          .RecordDeliveryAttempt({id, "d", DeliveryStatus::kPending, "HTTP 500", T(2), false})
          .ok());
  ASSERT_THAT(*store().ClaimDeliveries(T(2), "d", kMinute, 10), SizeIs(1));  // attempt 2 runs

  Status s = store().RetryDelivery(id, T(2));
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("is being sent now"));
  // Nothing changed: still claimed by "d", not claimable by another node, recordable by "d".
  EXPECT_THAT(*store().ClaimDeliveries(T(2), "other", kMinute, 10), IsEmpty());
  EXPECT_TRUE(
      store().RecordDeliveryAttempt({id, "d", DeliveryStatus::kDelivered, "", T(2), false}).ok());
  EXPECT_EQ(store().GetDelivery(id)->status, DeliveryStatus::kDelivered);
}

TEST_P(StoreConformanceTest, RetryTakesAFailedDeliveryWaitingForItsNextAttempt) {
  ASSERT_TRUE(store().CreateSubscription(MakeSubscription("s")).ok());
  RequestBuilder a("r-a");
  ApplyNotifiedSteps(store(), a, 1);
  auto got = store().ClaimDeliveries(T(0), "d", kMinute, 10);
  const std::string id = got->at(0).id;
  ASSERT_TRUE(
      store()
          .RecordDeliveryAttempt({id, "d", DeliveryStatus::kPending, "HTTP 500", T(60), false})
          .ok());
  EXPECT_THAT(*store().ClaimDeliveries(T(5), "d", kMinute, 10), IsEmpty());  // waits until T(60)
  ASSERT_TRUE(store().RetryDelivery(id, T(5)).ok());
  EXPECT_EQ(store().GetDelivery(id)->next_attempt_at, T(5));
  EXPECT_THAT(*store().ClaimDeliveries(T(5), "d", kMinute, 10), SizeIs(1));
  // A claim whose lease ran out (its node died) holds nothing: the row may be retried.
  ASSERT_TRUE(store().RetryDelivery(id, T(7)).ok());
  EXPECT_THAT(*store().ClaimDeliveries(T(7), "e", kMinute, 10), SizeIs(1));
}

// The dispatcher skips a wake when OutboxVersion has not moved since its last claim, so the
// version must move with every commit that made a delivery claimable, and only then.
TEST_P(StoreConformanceTest, OutboxVersionMovesWithEveryCommitThatWroteOutboxRowsAndOnlyThen) {
  auto version = [this] {
    std::optional<uint64_t> v = store().OutboxVersion();
    EXPECT_TRUE(v.has_value()) << "every shipped store counts";
    return v.value_or(0);
  };
  const uint64_t start = version();
  RequestBuilder a("r-a");
  ApplyNotifiedSteps(store(), a, 3);  // notified, but nobody subscribed: no row
  EXPECT_EQ(version(), start);

  // A subscription to one event type: a step notifying another writes no row either.
  ASSERT_TRUE(store().CreateSubscription(MakeSubscription("s", {"request.closed"})).ok());
  EXPECT_EQ(version(), start);
  ApplyNotifiedSteps(store(), a, 1);
  EXPECT_EQ(version(), start);
  ASSERT_TRUE(store().CreateSubscription(MakeSubscription("t")).ok());
  ApplyNotifiedSteps(store(), a, 1);
  const uint64_t after_row = version();
  EXPECT_GT(after_row, start);
  EXPECT_THAT(AllDeliveries(), SizeIs(1));

  // A refused step writes nothing and moves nothing.
  RequestBuilder taken("r-a");
  Mutation again = taken.Create();
  again.notification = NotificationFor(again, kEventRequestTransitioned);
  EXPECT_EQ(store().Apply(again).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(version(), after_row);

  // A retry makes a dead delivery claimable again: it moves; a refused one does not.
  auto got = store().ClaimDeliveries(T(0), "d", kMinute, 10);
  ASSERT_THAT(*got, SizeIs(1));
  const std::string id = (*got)[0].id;
  ASSERT_TRUE(
      store().RecordDeliveryAttempt({id, "d", DeliveryStatus::kDead, "gave up", T(0), false}).ok());
  EXPECT_EQ(version(), after_row);
  ASSERT_TRUE(store().RetryDelivery(id, T(5)).ok());
  const uint64_t after_retry = version();
  EXPECT_GT(after_retry, after_row);
  ASSERT_THAT(*store().ClaimDeliveries(T(5), "d", kMinute, 10), SizeIs(1));
  EXPECT_EQ(store().RetryDelivery(id, T(5)).code(), StatusCode::kFailedPrecondition);  // claimed
  EXPECT_EQ(store().RetryDelivery("31337", T(5)).code(), StatusCode::kNotFound);
  EXPECT_EQ(version(), after_retry);
}

TEST_P(StoreConformanceTest, RetryRefusesDeliveredAndNeverTriedDeliveries) {
  ASSERT_TRUE(store().CreateSubscription(MakeSubscription("s")).ok());
  RequestBuilder a("r-a"), b("r-b");
  ApplyNotifiedSteps(store(), a, 1);
  auto got = store().ClaimDeliveries(T(0), "d", kMinute, 10);
  const std::string delivered = got->at(0).id;
  ASSERT_TRUE(
      store()
          .RecordDeliveryAttempt({delivered, "d", DeliveryStatus::kDelivered, "", T(0), false})
          .ok());
  ApplyNotifiedSteps(store(), b, 1);
  const std::string fresh = AllDeliveries().back().id;

  Status s = store().RetryDelivery(delivered, T(1));
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("was delivered"));
  EXPECT_EQ(store().GetDelivery(delivered)->status, DeliveryStatus::kDelivered);
  s = store().RetryDelivery(fresh, T(1));
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("has not been tried yet"));
}

// Regression (issue 10 point 7): a dead letter of a subscription a 410 disabled was re-queued,
// then dead-lettered again at once without being sent.
TEST_P(StoreConformanceTest, RetryRefusesDeliveriesOfADisabledSubscriptionUntilReEnabled) {
  ASSERT_TRUE(store().CreateSubscription(MakeSubscription("s")).ok());
  RequestBuilder a("r-a");
  ApplyNotifiedSteps(store(), a, 2);
  auto got = store().ClaimDeliveries(T(0), "d", kMinute, 10);
  ASSERT_THAT(*got, SizeIs(1));
  const std::string gone = got->at(0).id;
  ASSERT_TRUE(store()
                  .RecordDeliveryAttempt({gone, "d", DeliveryStatus::kDead, "HTTP 410", T(0), true})
                  .ok());
  ASSERT_FALSE(store().GetSubscription("s")->active);

  Status s = store().RetryDelivery(gone, T(1));
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("is disabled"));
  EXPECT_THAT(s.message(), HasSubstr("PATCH /v1/subscriptions/s"));
  EXPECT_EQ(store().GetDelivery(gone)->status, DeliveryStatus::kDead);

  EXPECT_EQ(store().SetSubscriptionActive("nope", true).code(), StatusCode::kNotFound);
  ASSERT_TRUE(store().SetSubscriptionActive("s", true).ok());
  EXPECT_TRUE(store().GetSubscription("s")->active);
  ASSERT_TRUE(store().RetryDelivery(gone, T(1)).ok());
  EXPECT_THAT(*store().ClaimDeliveries(T(1), "d", kMinute, 10), SizeIs(1));
}

TEST_P(StoreConformanceTest, DisablingASubscriptionDeadLettersItsPendingDeliveries) {
  ASSERT_TRUE(store().CreateSubscription(MakeSubscription("s")).ok());
  RequestBuilder a("r-a");
  ApplyNotifiedSteps(store(), a, 2);
  ASSERT_TRUE(store().SetSubscriptionActive("s", false).ok());
  EXPECT_FALSE(store().GetSubscription("s")->active);
  for (const Delivery& d : AllDeliveries()) {
    EXPECT_EQ(d.status, DeliveryStatus::kDead);
    EXPECT_EQ(d.last_error, "subscription disabled");
  }
}

TEST_P(StoreConformanceTest, RetryRefusesDeliveriesOfADeletedSubscription) {
  ASSERT_TRUE(store().CreateSubscription(MakeSubscription("s")).ok());
  RequestBuilder a("r-a");
  ApplyNotifiedSteps(store(), a, 1);
  auto got = store().ClaimDeliveries(T(0), "d", kMinute, 10);
  const std::string id = got->at(0).id;
  ASSERT_TRUE(store()
                  .RecordDeliveryAttempt({id, "d", DeliveryStatus::kDead, "HTTP 500", T(0), false})
                  .ok());
  ASSERT_TRUE(store().DeleteSubscription("s").ok());
  Status s = store().RetryDelivery(id, T(1));
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("was deleted"));
}

// --- Concurrency ------------------------------------------------------------------------------

TEST_P(StoreConformanceTest, ConcurrentStepsFromOneRevisionOnlyOneWins) {
  RequestBuilder base = MustCreate("r-1");
  constexpr int kWriters = 8;
  std::vector<Mutation> steps;
  for (int i = 0; i < kWriters; ++i) {
    RequestBuilder b = base;
    steps.push_back(b.Step("note-" + std::to_string(i), "draft", Phase::kDrafting));
  }
  std::atomic<int> ok{0}, aborted{0}, other{0};
  std::vector<std::thread> writers;
  for (int i = 0; i < kWriters; ++i) {
    writers.emplace_back([&, i] {
      Status s = store().Apply(steps[i]);
      (s.ok() ? ok : s.code() == StatusCode::kAborted ? aborted : other).fetch_add(1);
    });
  }
  for (auto& t : writers) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(aborted.load(), kWriters - 1);
  EXPECT_EQ(other.load(), 0);
  Result<std::vector<HistoryEntry>> h = store().GetHistory("r-1");
  ASSERT_THAT(*h, SizeIs(2));
  EXPECT_TRUE(VerifyHistoryChain(*h).ok());
  EXPECT_EQ(store().GetRequest("r-1")->head_hash, (*h)[1].hash);
}

TEST_P(StoreConformanceTest, ConcurrentStepsOnManyRequestsAllLand) {
  ASSERT_TRUE(store().CreateSubscription(MakeSubscription("s")).ok());
  constexpr int kThreads = 8, kSteps = 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      RequestBuilder b("r-" + std::to_string(t));
      for (int i = 0; i < kSteps; ++i) {
        Mutation m = i == 0 ? b.Create() : b.Step("note", "draft", Phase::kDrafting);
        m.notification = NotificationFor(m, kEventRequestTransitioned);
        if (i % 5 == 0) {
          m.idempotency = IdempotencyRecord{
              "actor", "k-" + std::to_string(t) + "-" + std::to_string(i), "fp", "{}", T(0)};
        }
        if (!store().Apply(m).ok()) failures.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  for (int t = 0; t < kThreads; ++t) {
    Result<std::vector<HistoryEntry>> h = store().GetHistory("r-" + std::to_string(t));
    ASSERT_TRUE(h.ok());
    EXPECT_THAT(*h, SizeIs(kSteps));
    EXPECT_TRUE(VerifyHistoryChain(*h).ok());
  }
  EXPECT_THAT(AllDeliveries(), SizeIs(kThreads * kSteps));
}

TEST_P(StoreConformanceTest, RefusedStepsInAConcurrentBatchDoNotDisturbTheOthers) {
  // Fresh, stale and clashing steps arrive together: each gets its own answer.
  MustCreate("taken");
  RequestBuilder used("r-used");
  Mutation with_key = used.Create();
  with_key.idempotency = IdempotencyRecord{"ana", "dup", "fp", "{}", T(0)};
  MustApply(with_key);
  constexpr int kRounds = 10;
  std::atomic<int> wrong{0};
  for (int round = 0; round < kRounds; ++round) {
    std::vector<std::pair<Mutation, StatusCode>> cases;
    RequestBuilder fresh("fresh-" + std::to_string(round));
    cases.push_back({fresh.Create(), StatusCode::kOk});
    RequestBuilder clash("taken");
    cases.push_back({clash.Create(), StatusCode::kAlreadyExists});
    RequestBuilder dup("dup-" + std::to_string(round));
    Mutation m = dup.Create();
    m.idempotency = IdempotencyRecord{"ana", "dup", "fp", "{}", T(0)};
    cases.push_back({m, StatusCode::kAlreadyExists});
    RequestBuilder keyed("keyed-" + std::to_string(round));
    Mutation k = keyed.Create();
    k.idempotency = IdempotencyRecord{"ana", "key-" + std::to_string(round), "fp", "{}", T(0)};
    cases.push_back({k, StatusCode::kOk});
    RequestBuilder stale("r-used");
    stale.request().revision = 5;
    stale.request().state = "draft";
    cases.push_back({stale.Step("x", "draft", Phase::kDrafting), StatusCode::kAborted});
    std::vector<std::thread> threads;
    for (size_t i = 0; i < cases.size(); ++i) {
      threads.emplace_back([&, i] {
        Status s = store().Apply(cases[i].first);
        if (s.code() != cases[i].second) wrong.fetch_add(1);
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_TRUE(store().GetRequest("fresh-" + std::to_string(round)).ok());
    EXPECT_TRUE(store().GetRequest("keyed-" + std::to_string(round)).ok());
    EXPECT_EQ(store().GetRequest("dup-" + std::to_string(round)).status().code(),
              StatusCode::kNotFound);
  }
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(store().GetRequest("r-used")->revision, 1);
}

INSTANTIATE_TEST_SUITE_P(Stores, StoreConformanceTest,
                         ::testing::Values(StoreKind::kMemory, StoreKind::kSqlite,
                                           StoreKind::kPostgres),
                         [](const ::testing::TestParamInfo<StoreKind>& info) {
                           return StoreKindName(info.param);
                         });

}  // namespace
}  // namespace rogatory::testing
