// A model-based test of the engine on each store: seeded random sequences of creates, events
// (allowed, refused, stale), deadline lapses (a manual clock, ExpireDeadline and the scheduler),
// migrations between two workflow versions and concurrent callers, each checked against a plain
// reference model of what every request must look like. After every step: the request's state,
// version, data, revision and clocks match the model, its history is the model's list of steps
// with revisions 1..n and an intact hash chain, and a refused call changed nothing. At the end
// the audit walks every chain.
//
// A failure names the seed and the step; ROGATORY_MODEL_SEED=<n> replays that seed,
// ROGATORY_MODEL_STEPS=<n> runs longer sequences.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "rogatory/audit.h"
#include "rogatory/deadline_scheduler.h"
#include "rogatory/definition_loader.h"
#include "rogatory/engine.h"
#include "store_test_util.h"

namespace rogatory::testing {
namespace {

// Version 1 is tests/fixtures/store/store_mla.yaml; version 2 adds a `reviewing` state between
// transmission and execution, with the same clock.
WorkflowDefinition LoadVersion1() {
  LoadReport report = LoadDefinitions({std::string(ROGATORY_FIXTURES_DIR) + "/store"});
  EXPECT_TRUE(report.ok()) << report.ErrorText();
  return report.definitions.empty() ? WorkflowDefinition{} : report.definitions.front();
}

constexpr char kVersion2[] = R"(workflow: store_mla
version: 2
title: Store test MLA request, with review
fields:
  issuing_state: {type: string, required: true}
  note:          {type: string}
states:
  draft:       {phase: drafting, initial: true}
  issued:      {phase: drafting}
  transmitted: {phase: transmission}
  reviewing:   {phase: transmission}
  executing:   {phase: execution}
  executed:    {phase: closure, terminal: true}
deadlines:
  answer: {duration: PT1H, on_expiry: answer_overdue}
transitions:
  - {event: issue,    from: draft,       to: issued,      roles: [clerk]}
  - {event: transmit, from: issued,      to: transmitted, roles: [clerk], start: [answer]}
  - {event: review,   from: transmitted, to: reviewing,   roles: [clerk]}
  - {event: note,     from: "*",                          roles: [clerk]}
  - {event: execute,  from: [transmitted, reviewing], to: executing, roles: [clerk], stop: [answer]}
  - {event: close,    from: executing,   to: executed,    roles: [clerk]}
  - {event: answer_overdue, from: transmitted,            roles: [system]}
)";

Actor Clerk(int n = 0) { return Actor{"clerk." + std::to_string(n), {"clerk"}}; }
Actor Stranger() { return Actor{"stranger", {"visitor"}, ""}; }

// One step as the history must show it.
struct ModelStep {
  std::string event, from, to, actor;
};

// What a request must look like: the reference the engine is checked against.
struct ModelRequest {
  RequestId id;
  int version = 1;
  std::string state = "draft";
  nlohmann::json data = nlohmann::json::object();
  std::optional<TimePoint> answer_due;  // the `answer` clock, when on the request
  bool answer_lapsed = false;           // it lapsed and stays on the request (CONTRACT §7)
  bool AnswerRunning() const { return answer_due && !answer_lapsed; }
  std::vector<ModelStep> history;
  int64_t revision() const { return static_cast<int64_t>(history.size()); }
};

// An allowed event of the model's workflow: where `event` leads from `state` (nullopt: not
// allowed). A stay is its own state.
std::optional<std::string> Target(int version, const std::string& state, const std::string& event) {
  if (event == "note") {  // from "*": every state but the terminal one
    return state == "executed" ? std::nullopt : std::optional<std::string>(state);
  }
  if (event == "issue" && state == "draft") return std::string("issued");
  if (event == "transmit" && state == "issued") return std::string("transmitted");
  if (event == "review" && version == 2 && state == "transmitted") return std::string("reviewing");
  if (event == "execute" && (state == "transmitted" || (version == 2 && state == "reviewing"))) {
    return std::string("executing");
  }
  if (event == "close" && state == "executing") return std::string("executed");
  return std::nullopt;
}

const std::vector<std::string>& Events() {
  static const std::vector<std::string> events = {"issue", "transmit", "review",
                                                  "note",  "execute",  "close"};
  return events;
}

int StepsFromEnv() {
  const char* s = std::getenv("ROGATORY_MODEL_STEPS");
  return s != nullptr ? std::atoi(s) : 0;
}

class ModelTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  void SetUp() override {
    engine_.reset();
    db_.reset();
    db_ = std::make_unique<TestStore>(GetParam());
    ASSERT_TRUE(db_->status().ok()) << db_->status().ToString();
    engine_ = std::make_unique<Engine>(EngineOptions{db_->shared(), clock_});
    ASSERT_TRUE(engine_->LoadDefinition(LoadVersion1()).ok());
    LoadReport v2 = ParseDefinition(kVersion2, "store_mla.v2.yaml");
    ASSERT_TRUE(v2.ok()) << v2.ErrorText();
    ASSERT_TRUE(engine_->LoadDefinition(v2.definitions.front()).ok());
  }

  // Runs `steps` random operations from `seed`; returns at the first mismatch.
  void Run(uint64_t seed, int steps) {
    rng_.seed(seed);
    for (step_ = 0; step_ < steps && !HasFailure(); ++step_) {
      SCOPED_TRACE("seed " + std::to_string(seed) + ", step " + std::to_string(step_) +
                   " (replay: ROGATORY_MODEL_SEED=" + std::to_string(seed) + ")");
      clock_->Advance(std::chrono::minutes(Pick(0, 20)));
      const int op = requests_.empty() ? 0 : Pick(0, 99);
      if (op < 10) {
        Create();
      } else if (op < 45) {
        FireAllowed(Any());
      } else if (op < 65) {
        FireRefused(Any());
      } else if (op < 75) {
        Lapse();
      } else if (op < 85) {
        Migrate(Any());
      } else {
        Race(Any());
      }
    }
    std::ostringstream summary;
    summary << "seed " << seed << ":";
    for (const auto& [what, n] : counts_) summary << " " << what << "=" << n;
    std::cout << summary.str() << "\n";
    counts_.clear();
    SCOPED_TRACE("seed " + std::to_string(seed) + ", final check");
    for (const auto& [id, m] : requests_) Check(m);
    Result<AuditReport> audit = AuditHistories(engine_->store());
    ASSERT_TRUE(audit.ok()) << audit.status().ToString();
    EXPECT_FALSE(audit->broken.has_value()) << audit->broken->message;
    EXPECT_EQ(audit->requests, static_cast<int64_t>(requests_.size()));
  }

 protected:
  int Pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  ModelRequest& Any() {
    auto it = requests_.begin();
    std::advance(it, Pick(0, static_cast<int>(requests_.size()) - 1));
    return it->second;
  }

  void Create() {
    CreateCall call;
    call.workflow = "store_mla";
    call.version = Pick(1, 2);
    call.data = {{"issuing_state", "AT"}};
    if (Pick(0, 4) == 0) {
      // Refused: a required field missing or an unknown field. Nothing may appear.
      call.data = Pick(0, 1) == 0 ? nlohmann::json::object()
                                  : nlohmann::json{{"issuing_state", "AT"}, {"colour", "red"}};
      Result<Request> r = engine_->Create(call, Clerk());
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
      return;
    }
    Result<Request> r = engine_->Create(call, Clerk());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ModelRequest m;
    m.id = r->id;
    m.version = *call.version;
    m.data = call.data;
    m.history.push_back({"create", "", "draft", Clerk().id});
    requests_[m.id] = m;
    ++counts_["creates"];
    Check(requests_[m.id]);
  }

  // The model's side of an allowed event that moved `m`.
  void Apply(ModelRequest& m, const std::string& event, const std::string& to,
             const std::string& actor, const nlohmann::json& data) {
    for (auto it = data.begin(); it != data.end(); ++it) m.data[it.key()] = it.value();
    if (event == "transmit") {
      m.answer_due = clock_->Now() + std::chrono::hours(1);
      m.answer_lapsed = false;
    }
    if (event == "execute" || to == "executed") {
      m.answer_due.reset();
      m.answer_lapsed = false;
    }
    m.history.push_back({event, m.state, to, actor});
    m.state = to;
  }

  void FireAllowed(ModelRequest& m) {
    std::vector<std::string> allowed;
    for (const auto& e : Events()) {
      if (Target(m.version, m.state, e)) allowed.push_back(e);
    }
    if (allowed.empty()) return;  // closed
    const std::string event = allowed[static_cast<size_t>(Pick(0, int(allowed.size()) - 1))];
    EventCall call;
    call.event = event;
    if (event == "note") call.data = {{"note", "n" + std::to_string(step_)}};
    if (Pick(0, 1) == 0) call.expected_revision = m.revision();
    Result<Request> r = engine_->Fire(m.id, call, Clerk());
    ASSERT_TRUE(r.ok()) << event << " in " << m.state << ": " << r.status().ToString();
    Apply(m, event, *Target(m.version, m.state, event), Clerk().id, call.data);
    ++counts_["events"];
    Check(m);
  }

  // A call the engine must refuse, and that must leave the request and its history untouched.
  void FireRefused(ModelRequest& m) {
    const Snapshot before = Take(m.id);
    EventCall call;
    Actor actor = Clerk();
    StatusCode want = StatusCode::kFailedPrecondition;
    switch (Pick(0, 5)) {
      case 0: {  // an event the state does not allow
        std::vector<std::string> refused = {"answer_overdue", "no_such_event"};
        for (const auto& e : Events()) {
          if (!Target(m.version, m.state, e)) refused.push_back(e);
        }
        call.event = refused[static_cast<size_t>(Pick(0, int(refused.size()) - 1))];
        // answer_overdue is for `system` only; where it is allowed a clerk is denied.
        if (call.event == "answer_overdue" && m.state == "transmitted") {
          want = StatusCode::kPermissionDenied;
        }
        break;
      }
      case 1:  // a stale (or future) expected_revision
        call.event = "note";
        call.expected_revision = Pick(0, 1) == 0 ? m.revision() - 1 : m.revision() + 1;
        want = StatusCode::kAborted;
        break;
      case 2:  // a role that may fire nothing
        call.event = "note";
        actor = Stranger();
        want = StatusCode::kPermissionDenied;
        break;
      case 3:  // data of the wrong type
        call.event = "note";
        call.data = {{"note", 42}};
        want = StatusCode::kInvalidArgument;
        break;
      case 4:  // an unknown field
        call.event = "note";
        call.data = {{"colour", "red"}};
        want = StatusCode::kInvalidArgument;
        break;
      default: {  // an unknown request
        call.event = "note";
        Result<Request> r = engine_->Fire(m.id + "x", call, Clerk());
        EXPECT_EQ(r.status().code(), StatusCode::kNotFound) << r.status().ToString();
        ExpectUnchanged(before);
        return;
      }
    }
    // A closed request allows nothing: that is checked before the actor and the data.
    if (m.state == "executed" && want != StatusCode::kAborted) {
      want = StatusCode::kFailedPrecondition;
    }
    Result<Request> r = engine_->Fire(m.id, call, actor);
    EXPECT_EQ(r.status().code(), want)
        << call.event << " in " << m.state << ": " << r.status().ToString();
    ExpectUnchanged(before);
    ++counts_["refused"];
  }

  // Lapses: a deadline not yet due and a stale due time do nothing; then the clock passes the
  // due time and ExpireDeadline or the scheduler lapses it (a stay; in `reviewing`, where the
  // on_expiry event is not allowed, the lapse is recorded without a transition).
  void Lapse() {
    std::vector<ModelRequest*> running;
    for (auto& [id, m] : requests_) {
      if (m.AnswerRunning()) running.push_back(&m);
    }
    if (running.empty()) return;
    ModelRequest& m = *running[static_cast<size_t>(Pick(0, int(running.size()) - 1))];
    const TimePoint due = *m.answer_due;
    const Snapshot before = Take(m.id);
    Result<std::optional<Request>> early =
        engine_->ExpireDeadline(m.id, "answer", due - Duration(1));
    ASSERT_TRUE(early.ok()) << early.status().ToString();
    EXPECT_FALSE(early->has_value()) << "a stale due time lapsed the clock";
    if (clock_->Now() < due) {
      early = engine_->ExpireDeadline(m.id, "answer", due);
      ASSERT_TRUE(early.ok()) << early.status().ToString();
      EXPECT_FALSE(early->has_value()) << "a clock lapsed before it was due";
    }
    ExpectUnchanged(before);
    if (clock_->Now() < due) clock_->Set(due + std::chrono::seconds(Pick(0, 90)));

    if (Pick(0, 1) == 0) {
      Result<std::optional<Request>> r = engine_->ExpireDeadline(m.id, "answer", due);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      ASSERT_TRUE(r->has_value());
      RecordLapse(m);
      // Twice is once.
      r = engine_->ExpireDeadline(m.id, "answer", due);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      EXPECT_FALSE(r->has_value());
      Check(m);
      return;
    }
    // The scheduler lapses every clock due by now, each once.
    int expected = 0;
    for (auto& [id, other] : requests_) {
      if (other.AnswerRunning() && *other.answer_due <= clock_->Now()) ++expected;
    }
    DeadlineSchedulerOptions options;
    options.node_id = "model";
    DeadlineScheduler scheduler(*engine_, options);
    Result<int> fired = scheduler.RunOnce();
    ASSERT_TRUE(fired.ok()) << fired.status().ToString();
    EXPECT_EQ(*fired, expected);
    for (auto& [id, other] : requests_) {
      if (other.AnswerRunning() && *other.answer_due <= clock_->Now()) {
        RecordLapse(other);
        Check(other);
      }
    }
  }

  void RecordLapse(ModelRequest& m) {
    ++counts_["lapses"];
    m.answer_lapsed = true;
    m.history.push_back({"answer_overdue", m.state, m.state, SystemActor().id});
  }

  // Migrations between the versions: states map by name (reviewing -> transmitted on the way
  // back); the clock keeps running. Refused ones change nothing. Closed requests stay put.
  void Migrate(ModelRequest& m) {
    if (m.state == "executed") return;
    const Snapshot before = Take(m.id);
    MigrationCall call;
    call.comment = "model step " + std::to_string(step_);
    switch (Pick(0, 5)) {
      case 0:
        call.target_version = m.version;  // already there
        break;
      case 1:
        call.target_version = 3;  // not loaded
        break;
      case 2:
        call.target_version = 3 - m.version;
        call.state_map = {{m.state, "nowhere"}};
        break;
      default: {
        call.target_version = 3 - m.version;
        if (m.version == 2) call.state_map = {{"reviewing", "transmitted"}};
        Result<Request> r = engine_->Migrate(m.id, call, Clerk());
        ASSERT_TRUE(r.ok()) << m.state << " to v" << call.target_version << ": "
                            << r.status().ToString();
        const std::string to = m.state == "reviewing" ? "transmitted" : m.state;
        m.history.push_back({"migrate", m.state, to, Clerk().id});
        m.state = to;
        m.version = call.target_version;
        ++counts_["migrations"];
        Check(m);
        return;
      }
    }
    Result<Request> r = engine_->Migrate(m.id, call, Clerk());
    EXPECT_FALSE(r.ok()) << "migration to v" << call.target_version << " was accepted";
    ExpectUnchanged(before);
    ++counts_["refused_migrations"];
  }

  // Four callers at once: with the same expected_revision exactly one wins; without, every
  // stay that succeeds lands once, in some order, with contiguous revisions.
  void Race(ModelRequest& m) {
    if (m.state == "executed") return;  // nothing to race for
    const bool expect_revision = Pick(0, 1) == 0;
    const int64_t revision = m.revision();
    std::vector<std::thread> threads;
    std::vector<std::optional<Result<Request>>> results(4);
    for (int i = 0; i < 4; ++i) {
      threads.emplace_back([&, i] {
        EventCall call;
        call.event = "note";
        if (expect_revision) call.expected_revision = revision;
        results[static_cast<size_t>(i)] = engine_->Fire(m.id, call, Clerk(i + 1));
      });
    }
    for (auto& t : threads) t.join();
    int won = 0;
    for (const auto& r : results) {
      if (r->ok()) {
        ++won;
      } else {
        EXPECT_EQ(r->status().code(), StatusCode::kAborted) << r->status().ToString();
      }
    }
    if (expect_revision) {
      EXPECT_EQ(won, 1);
    }
    ++counts_["races"];
    // Which callers won, in which order, is the history's to say; the model checks the rest.
    Result<std::vector<HistoryEntry>> h = engine_->History(m.id);
    ASSERT_TRUE(h.ok()) << h.status().ToString();
    ASSERT_EQ(h->size(), static_cast<size_t>(revision + won));
    for (size_t i = static_cast<size_t>(revision); i < h->size(); ++i) {
      m.history.push_back({"note", m.state, m.state, (*h)[i].actor});
    }
    Check(m);
  }

  struct Snapshot {
    RequestId id;
    std::string request;               // RequestToJson
    std::vector<std::string> history;  // each entry's hash
  };

  Snapshot Take(const RequestId& id) {
    Snapshot s{id, {}, {}};
    Result<Request> r = engine_->Get(id);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (r.ok()) s.request = RequestToJson(*r).dump();
    Result<std::vector<HistoryEntry>> h = engine_->History(id);
    EXPECT_TRUE(h.ok()) << h.status().ToString();
    if (h.ok()) {
      for (const auto& e : *h) s.history.push_back(e.hash);
    }
    return s;
  }

  void ExpectUnchanged(const Snapshot& before) {
    const Snapshot after = Take(before.id);
    EXPECT_EQ(after.request, before.request) << "a refused call changed the request";
    EXPECT_EQ(after.history, before.history) << "a refused call changed the history";
  }

  // The engine's request and history against the model.
  void Check(const ModelRequest& m) {
    Result<Request> r = engine_->Get(m.id);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->version, m.version);
    EXPECT_EQ(r->state, m.state);
    EXPECT_EQ(r->data, m.data);
    EXPECT_EQ(r->revision, m.revision());
    const DeadlineState* answer = r->FindDeadline("answer");
    EXPECT_EQ(r->deadlines.size(), m.answer_due ? 1u : 0u);
    if (m.answer_due) {
      ASSERT_NE(answer, nullptr) << "the answer clock is missing";
      EXPECT_FALSE(answer->paused);
      EXPECT_EQ(answer->lapsed, m.answer_lapsed);
      EXPECT_EQ(answer->due_at, *m.answer_due);
    }
    Result<std::vector<HistoryEntry>> h = engine_->History(m.id);
    ASSERT_TRUE(h.ok()) << h.status().ToString();
    ASSERT_EQ(h->size(), m.history.size());
    for (size_t i = 0; i < h->size(); ++i) {
      const HistoryEntry& e = (*h)[i];
      const ModelStep& s = m.history[i];
      EXPECT_EQ(e.seq, static_cast<int64_t>(i + 1));
      EXPECT_EQ(e.event, s.event) << "entry " << i + 1;
      EXPECT_EQ(e.from_state, s.from) << "entry " << i + 1;
      EXPECT_EQ(e.to_state, s.to) << "entry " << i + 1;
      EXPECT_EQ(e.actor, s.actor) << "entry " << i + 1;
    }
    EXPECT_EQ(h->back().hash, r->head_hash);
    Status chain = engine_->VerifyHistory(m.id);
    EXPECT_TRUE(chain.ok()) << chain.ToString();
  }

  std::shared_ptr<ManualClock> clock_ =
      std::make_shared<ManualClock>(ParseRfc3339("2026-03-02T09:00:00Z").value());
  std::unique_ptr<TestStore> db_;
  std::unique_ptr<Engine> engine_;
  std::mt19937_64 rng_;
  int step_ = 0;
  std::map<RequestId, ModelRequest> requests_;
  std::map<std::string, int> counts_;  // what a run did, printed at its end
};

// A few hundred steps per seed keep each store to seconds; ROGATORY_MODEL_STEPS goes further.
TEST_P(ModelTest, RandomSequencesMatchTheReferenceModel) {
  const int steps = StepsFromEnv() > 0 ? StepsFromEnv() : 400;
  if (const char* seed = std::getenv("ROGATORY_MODEL_SEED")) {
    Run(std::strtoull(seed, nullptr, 10), steps);
    return;
  }
  for (uint64_t seed : {20261202u, 7u, 424242u}) {
    requests_.clear();
    SetUp();  // a fresh store per seed
    if (HasFailure()) return;
    Run(seed, steps);
    if (HasFailure()) return;
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, ModelTest,
                         ::testing::Values(StoreKind::kMemory, StoreKind::kSqlite,
                                           StoreKind::kPostgres),
                         [](const auto& info) { return StoreKindName(info.param); });

}  // namespace
}  // namespace rogatory::testing
