// The conformance suite's second half: the engine (engine.h) on each store, as embedders and the
// server use it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "engine_on_store_test.h"
#include "rogatory/definition_loader.h"
#include "rogatory/engine.h"
#include "rogatory/forwarding_store.h"
#include "rogatory/history.h"
#include "store_test_util.h"

namespace rogatory::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::SizeIs;

WorkflowDefinition LoadFixture() {
  LoadReport report = LoadDefinitions({std::string(ROGATORY_FIXTURES_DIR) + "/store"});
  EXPECT_TRUE(report.ok()) << report.ErrorText();
  EXPECT_THAT(report.definitions, SizeIs(1));
  return report.definitions.empty() ? WorkflowDefinition{} : report.definitions.front();
}

class StoreEngineTest : public EngineOnStoreTest {
 protected:
  std::vector<WorkflowDefinition> Definitions() override { return {LoadFixture()}; }

  Engine& engine() { return *engine_; }

  Request MustCreate(const std::string& key = "") {
    CreateCall call;
    call.workflow = "store_mla";
    call.data = {{"issuing_state", "AT"}};
    call.references = {{"issuing", "AT/2026/1"}};
    call.idempotency_key = key;
    Result<Request> r = engine().Create(call, Clerk());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : Request{};
  }

  // Subscribes `id` to every event of `workflows` (of every workflow when empty).
  Status Subscribe(const std::string& id, const std::vector<std::string>& workflows = {}) {
    Subscription s;
    s.id = id;
    s.url = "https://consumer.example/hook";
    s.secret = "whsec_c2VjcmV0";
    s.workflows = workflows;
    return engine().store().CreateSubscription(s);
  }

  Result<Request> Fire(const RequestId& id, const std::string& event,
                       std::optional<int64_t> expected = std::nullopt) {
    EventCall call;
    call.event = event;
    call.expected_revision = expected;
    return engine().Fire(id, call, Clerk());
  }
};

TEST_P(StoreEngineTest, ALifecycleIsStoredAndSurvivesARestart) {
  Request r = MustCreate();
  for (const char* event : {"issue", "transmit", "note", "execute", "close"}) {
    clock_->Advance(std::chrono::minutes(5));
    Result<Request> after = Fire(r.id, event);
    ASSERT_TRUE(after.ok()) << event << ": " << after.status().ToString();
  }
  if (GetParam() != StoreKind::kMemory) Restart();
  Result<Request> got = engine().Get(r.id);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->state, "executed");
  EXPECT_EQ(got->phase, Phase::kClosure);
  EXPECT_EQ(got->revision, 6);
  EXPECT_EQ(got->references, nlohmann::json({{"issuing", "AT/2026/1"}}));
  EXPECT_TRUE(got->deadlines.empty());
  Result<std::vector<HistoryEntry>> h = engine().History(r.id);
  ASSERT_THAT(*h, SizeIs(6));
  EXPECT_EQ(h->back().to_state, "executed");
  EXPECT_TRUE(engine().VerifyHistory(r.id).ok()) << engine().VerifyHistory(r.id).ToString();
}

TEST_P(StoreEngineTest, StaleExpectedRevisionIsAbortedAndChangesNothing) {
  Request r = MustCreate();
  ASSERT_TRUE(Fire(r.id, "issue", 1).ok());
  EXPECT_EQ(Fire(r.id, "transmit", 1).status().code(), StatusCode::kAborted);
  EXPECT_EQ(engine().Get(r.id)->state, "issued");
  EXPECT_THAT(*engine().History(r.id), SizeIs(2));
}

TEST_P(StoreEngineTest, IdempotentCreateReturnsTheFirstRequest) {
  Request first = MustCreate("create-1");
  Request again = MustCreate("create-1");
  EXPECT_EQ(again.id, first.id);
  EXPECT_EQ(again.revision, 1);
  RequestQuery q;
  EXPECT_THAT(engine().List(q)->items, SizeIs(1));
}

TEST_P(StoreEngineTest, ClaimedDeadlineLapsesOnce) {
  Request r = MustCreate();
  ASSERT_TRUE(Fire(r.id, "issue").ok());
  ASSERT_TRUE(Fire(r.id, "transmit").ok());
  clock_->Advance(std::chrono::minutes(61));
  Result<std::vector<DueDeadline>> due =
      engine().store().ClaimDueDeadlines(clock_->Now(), "scheduler", std::chrono::minutes(1), 10);
  ASSERT_TRUE(due.ok()) << due.status().ToString();
  ASSERT_THAT(*due, SizeIs(1));
  EXPECT_THAT(
      *engine().store().ClaimDueDeadlines(clock_->Now(), "other", std::chrono::minutes(1), 10),
      SizeIs(0));
  Result<std::optional<Request>> lapsed =
      engine().ExpireDeadline(r.id, (*due)[0].name, (*due)[0].due_at);
  ASSERT_TRUE(lapsed.ok()) << lapsed.status().ToString();
  ASSERT_TRUE(lapsed->has_value());
  // CONTRACT §7: the clock stays on the request, lapsed.
  ASSERT_THAT((*lapsed)->deadlines, SizeIs(1));
  EXPECT_TRUE((*lapsed)->deadlines[0].lapsed);
  EXPECT_EQ(engine().History(r.id)->back().event, "answer_overdue");
  // A second lapse of the same deadline finds nothing to do.
  Result<std::optional<Request>> again =
      engine().ExpireDeadline(r.id, (*due)[0].name, (*due)[0].due_at);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->has_value());
  EXPECT_EQ(*engine().store().CountOverdueDeadlines(clock_->Now()), 0);
}

TEST_P(StoreEngineTest, EveryStepQueuesAWebhookInRevisionOrder) {
  ASSERT_TRUE(Subscribe("sub-1").ok());
  Request r = MustCreate();
  ASSERT_TRUE(Fire(r.id, "issue").ok());
  ASSERT_TRUE(Fire(r.id, "transmit").ok());
  DeliveryQuery q;
  q.subscription_id = "sub-1";
  Result<DeliveryPage> page = engine().store().ListDeliveries(q);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_THAT(page->items, SizeIs(3));
  std::vector<int64_t> revisions;
  for (const Delivery& d : page->items) {
    revisions.push_back(d.revision);
    nlohmann::json body = nlohmann::json::parse(d.body);
    EXPECT_EQ(body["type"], d.type);
    EXPECT_EQ(body["data"]["request_id"], r.id);
  }
  EXPECT_THAT(revisions, ElementsAre(1, 2, 3));
  EXPECT_EQ(page->items[0].type, "request.created");
}

// Each kind of step tells a subscriber what it was, in the same words on every store: the
// memory store builds the notification itself, on demand (Store::BuildsNotifications), the SQL
// stores take the one the engine built.
TEST_P(StoreEngineTest, EachKindOfStepIsNotifiedAsWhatItWas) {
  ASSERT_TRUE(Subscribe("sub-all").ok());
  Request r = MustCreate();
  ASSERT_TRUE(Fire(r.id, "issue").ok());
  ASSERT_TRUE(Fire(r.id, "transmit").ok());
  clock_->Advance(std::chrono::minutes(61));
  ASSERT_EQ(Lapse(), 1);
  ASSERT_TRUE(Fire(r.id, "execute").ok());
  ASSERT_TRUE(Fire(r.id, "close").ok());
  DeliveryQuery q;
  q.subscription_id = "sub-all";
  Result<DeliveryPage> page = engine().store().ListDeliveries(q);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  std::vector<std::string> got;
  for (const Delivery& d : page->items) {
    nlohmann::json body = nlohmann::json::parse(d.body);
    EXPECT_EQ(body["type"], d.type);
    const nlohmann::json& data = body["data"];
    // type revision event from to phase [deadline]
    got.push_back(d.type + " " + std::to_string(d.revision) + " " +
                  data["event"].get<std::string>() + " " + data["from"].dump() + " " +
                  data["to"].get<std::string>() + " " + data["phase"].get<std::string>() +
                  (data.contains("deadline") ? " " + data["deadline"].get<std::string>() : ""));
    EXPECT_EQ(data["request_id"], r.id);
    EXPECT_EQ(data["workflow"], "store_mla");
    EXPECT_EQ(data["version"], 1);
    EXPECT_EQ(data["revision"], d.revision);
    EXPECT_EQ(data["at"], body["timestamp"]);
  }
  EXPECT_THAT(got,
              ElementsAre("request.created 1 create null draft drafting",
                          "request.transitioned 2 issue \"draft\" issued drafting",
                          "request.transitioned 3 transmit \"issued\" transmitted transmission",
                          "deadline.expired 4 answer_overdue \"transmitted\" transmitted "
                          "transmission answer",
                          "request.transitioned 5 execute \"transmitted\" executing execution",
                          "request.closed 6 close \"executing\" executed closure"));
  EXPECT_EQ(page->items[3].request_id, r.id);
  // The actors: the clerk, and the system for the lapse.
  EXPECT_EQ(nlohmann::json::parse(page->items[2].body)["data"]["actor"], Clerk().id);
  EXPECT_NE(nlohmann::json::parse(page->items[3].body)["data"]["actor"], Clerk().id);
}

// The kinds of step the scenario above does not take: a lapse whose event the state does not
// allow (recorded, the request staying where it is), a lapse that closes the request, and a
// migration into a terminal state. Each is told as what it was on every store.
TEST_P(StoreEngineTest, LapsesAndMigrationsAreNotifiedAsWhatTheyWere) {
  const std::string v1 = R"(workflow: notify_kinds
version: 1
title: Lapses and migrations
states:
  open:    {phase: execution, initial: true}
  waiting: {phase: execution}
  lapsed:  {phase: closure, terminal: true}
deadlines:
  ack:   {duration: PT30M, on_expiry: nudge}
  reply: {duration: PT1H, on_expiry: timeout}
transitions:
  - {event: wait,    from: open,    to: waiting, roles: [clerk], start: [ack, reply]}
  - {event: nudge,   from: open,                 roles: [system]}
  - {event: timeout, from: waiting, to: lapsed,  roles: [system]}
)";
  std::string v2 = v1;
  v2.replace(v2.find("version: 1"), 10, "version: 2");
  v2.replace(v2.find("deadlines:"), 10, "  finished: {phase: closure, terminal: true}\ndeadlines:");
  v2 += "  - {event: finish, from: open, to: finished, roles: [clerk]}\n";
  for (const std::string& yaml : {v1, v2}) {
    LoadReport report = ParseDefinition(yaml, "notify_kinds.yaml");
    ASSERT_TRUE(report.ok()) << report.ErrorText();
    ASSERT_TRUE(engine().LoadDefinition(report.definitions.front()).ok());
  }
  ASSERT_TRUE(Subscribe("sub-kinds", {"notify_kinds"}).ok());
  CreateCall create;
  create.workflow = "notify_kinds";
  create.version = 1;
  Result<Request> a = engine().Create(create, Clerk());
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(Fire(a->id, "wait").ok());
  clock_->Advance(std::chrono::minutes(61));
  ASSERT_EQ(Lapse(), 2);  // ack (its event not allowed: recorded only), then reply (closes)
  Result<Request> b = engine().Create(create, Clerk());
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  MigrationCall migrate;
  migrate.target_version = 2;
  migrate.state_map = {{"open", "finished"}};
  ASSERT_TRUE(engine().Migrate(b->id, migrate, Actor{"admin", {"admin"}, ""}).ok());
  DeliveryQuery q;
  q.subscription_id = "sub-kinds";
  Result<DeliveryPage> page = engine().store().ListDeliveries(q);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  std::vector<std::string> got;
  for (const Delivery& d : page->items) {
    const nlohmann::json data = nlohmann::json::parse(d.body)["data"];
    got.push_back((d.request_id == a->id ? "a " : "b ") + d.type + " " +
                  data["event"].get<std::string>() + " " + data["to"].get<std::string>() + " " +
                  data["phase"].get<std::string>() + " v" +
                  std::to_string(data["version"].get<int>()) +
                  (data.contains("deadline") ? " " + data["deadline"].get<std::string>() : ""));
  }
  std::sort(got.begin(), got.end());
  EXPECT_THAT(got, ElementsAre("a deadline.expired nudge waiting execution v1 ack",
                               "a deadline.expired timeout lapsed closure v1 reply",
                               "a request.created create open execution v1",
                               "a request.transitioned wait waiting execution v1",
                               "b request.closed migrate finished closure v2",
                               "b request.created create open execution v1"));
}

// What the engine hands each store: the memory store builds notifications itself, only when a
// subscription exists, so the engine builds none for it; an SQL store gets one built beforehand.
TEST_P(StoreEngineTest, TheEngineBuildsTheNotificationOnlyForAStoreThatDoesNot) {
  // Records what each Apply was given, then passes it on; says what the store says about
  // building notifications when `forward`, else the wrapper's default (false).
  class Recording final : public ForwardingStore {
   public:
    Recording(std::shared_ptr<Store> inner, bool forward)
        : ForwardingStore(std::move(inner)), forward_(forward) {}
    Status Apply(const Mutation& m) override {
      built.push_back(m.notification.has_value());
      on_demand.push_back(m.notification_on_demand);
      notifies.push_back(m.Notifies());
      return ForwardingStore::Apply(m);
    }
    bool BuildsNotifications() const override {
      return forward_ ? inner().BuildsNotifications() : ForwardingStore::BuildsNotifications();
    }
    std::vector<bool> built, on_demand, notifies;

   private:
    bool forward_;
  };
  const bool memory = GetParam() == StoreKind::kMemory;
  for (bool forward : {true, false}) {
    SCOPED_TRACE(forward ? "forwarding the store's answer" : "a wrapper's default");
    auto recording = std::make_shared<Recording>(db_->shared(), forward);
    Engine engine(EngineOptions{recording, clock_});
    ASSERT_TRUE(engine.LoadDefinition(LoadFixture()).ok());
    CreateCall create;
    create.workflow = "store_mla";
    create.data = {{"issuing_state", "AT"}};
    Result<Request> r = engine.Create(create, Clerk());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EventCall issue;
    issue.event = "issue";
    ASSERT_TRUE(engine.Fire(r->id, issue, Clerk()).ok());
    // Only the memory store, and only when the wrapper says so, builds its own.
    const bool by_store = memory && forward;
    EXPECT_EQ(recording->BuildsNotifications(), by_store);
    EXPECT_THAT(recording->built, ElementsAre(!by_store, !by_store));
    EXPECT_THAT(recording->on_demand, ElementsAre(by_store, by_store));
    EXPECT_THAT(recording->notifies, ElementsAre(true, true));
  }
}

// Statistics kept step by step equal the ones rebuilt from the histories, for requests without
// parties: most of their steps (a note, a move within a phase) take the memory store's step in
// place (MoveStatsRecordInPlace), which the walks with authorities never do.
TEST_P(StoreEngineTest, StatisticsKeptStepByStepEqualTheRebuildWithoutParties) {
  std::mt19937 rng(20261206);
  std::vector<RequestId> ids;
  for (int i = 0; i < 20; ++i) {
    ids.push_back(MustCreate().id);
    clock_->Advance(std::chrono::hours(7));  // creation days differ
  }
  const char* const events[] = {"issue", "transmit", "note", "note", "execute", "close"};
  int moved = 0;
  for (int i = 0; i < 500; ++i) {
    const RequestId& id = ids[rng() % ids.size()];
    if (Fire(id, events[rng() % std::size(events)]).ok()) ++moved;
    if (i % 40 == 39) {
      clock_->Advance(std::chrono::minutes(50));
      Lapse();
    }
  }
  ASSERT_GT(moved, 150);
  auto cells = [&] {
    Result<std::vector<StatsCell>> got = engine().store().QueryStats(StatsQuery{});
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    std::map<std::string, int64_t> out;
    if (!got.ok()) return out;
    for (const StatsCell& c : *got) out[c.kind + "|" + c.key] += c.n;
    return out;
  };
  const std::map<std::string, int64_t> kept = cells();
  ASSERT_TRUE(engine().RebuildStats().ok());
  EXPECT_EQ(kept, cells());
  EXPECT_GT(kept.count("state|issued") + kept.count("state|executing"), 0u);
}

TEST_P(StoreEngineTest, ConcurrentFiresOnOneRequestAllLandInOrder) {
  Request r = MustCreate();
  constexpr int kThreads = 6;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      if (!Fire(r.id, "note").ok()) failures.fetch_add(1);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(engine().Get(r.id)->revision, 1 + kThreads);
  EXPECT_TRUE(engine().VerifyHistory(r.id).ok());
}

TEST_P(StoreEngineTest, ConcurrentRequestsAllLand) {
  constexpr int kThreads = 6;
  std::vector<std::string> ids(kThreads);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      CreateCall call;
      call.workflow = "store_mla";
      call.data = {{"issuing_state", "AT"}};
      Result<Request> r = engine().Create(call, Clerk());
      if (!r.ok()) {
        failures.fetch_add(1);
        return;
      }
      ids[i] = r->id;
      for (const char* event : {"issue", "transmit", "note", "execute"}) {
        if (!Fire(r->id, event).ok()) failures.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(failures.load(), 0);
  for (const std::string& id : ids) {
    EXPECT_EQ(engine().Get(id)->state, "executing");
    EXPECT_TRUE(engine().VerifyHistory(id).ok());
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, StoreEngineTest,
                         ::testing::Values(StoreKind::kMemory, StoreKind::kSqlite,
                                           StoreKind::kPostgres),
                         [](const ::testing::TestParamInfo<StoreKind>& info) {
                           return StoreKindName(info.param);
                         });

}  // namespace
}  // namespace rogatory::testing
