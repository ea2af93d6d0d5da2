// A small engine on the in-memory store and a manual clock, with one test workflow, so each
// engine test reads as: create, fire, assert.
#ifndef ROGATORY_TESTS_ENGINE_TEST_ENGINE_H_
#define ROGATORY_TESTS_ENGINE_TEST_ENGINE_H_

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "rogatory/definition_loader.h"
#include "rogatory/engine.h"
#include "rogatory/memory_store.h"

namespace rogatory::testing {

// One day: the unit of the clocks in the engine tests.
inline constexpr auto kDay = std::chrono::hours(24);

// A compact EIO-like workflow that exercises every transition rule.
inline constexpr char kTestWorkflow[] = R"(workflow: test_eio
version: 1
title: Test EIO
legal_basis: Directive 2014/41/EU
fields:
  issuing_state:   {type: string, required: true}
  executing_state: {type: string}
  urgent:          {type: boolean, default: false}
  measures:        {type: list, items: string}
  count:           {type: integer}
  decided_on:      {type: date}
  refusal_ground:  {type: enum, values: [a, b, c]}
states:
  draft:       {phase: drafting, initial: true}
  issued:      {phase: drafting}
  transmitted: {phase: transmission}
  recognised:  {phase: execution}
  postponed:   {phase: execution}
  executed:    {phase: closure, terminal: true}
  refused:     {phase: closure, terminal: true}
  withdrawn:   {phase: closure, terminal: true}
deadlines:
  recognition: {duration: P30D, on_expiry: recognition_overdue, extension: P30D}
  execution:   {duration: P90D, on_expiry: execution_overdue}
  ack:         {duration: P7D, on_expiry: ack_overdue}
transitions:
  - {event: issue,      from: draft,       to: issued,      roles: [prosecutor], require: [executing_state]}
  - {event: correct,    from: transmitted, to: draft,       roles: [central_authority]}
  - {event: transmit,   from: issued,      to: transmitted, roles: [central_authority], start: [recognition, ack]}
  - {event: acknowledge, from: transmitted, roles: [executing_authority], stop: [ack]}
  - {event: extend_recognition, from: transmitted, roles: [executing_authority], extend: [recognition]}
  - {event: recognise,  from: transmitted, to: recognised,  roles: [executing_authority], stop: [recognition], start: [execution]}
  - {event: postpone,   from: recognised,  to: postponed,   roles: [executing_authority], pause: [execution]}
  - {event: resume,     from: postponed,   to: recognised,  roles: [executing_authority], resume: [execution]}
  - {event: execute,    from: recognised,  to: executed,    roles: [executing_authority], stop: [execution]}
  - {event: refuse,     from: [transmitted, recognised], to: refused, roles: [executing_authority], require: [refusal_ground]}
  - {event: withdraw,   from: "*",         to: withdrawn,   roles: [prosecutor]}
  - {event: recognition_overdue, from: transmitted, roles: [system]}
  - {event: execution_overdue,   from: [recognised, postponed], roles: [system]}
  - {event: ack_overdue, from: transmitted, roles: [system]}
)";

inline Actor Prosecutor() { return Actor{"ana.prosecutor", {"prosecutor"}, ""}; }
inline Actor Central() { return Actor{"carl.central", {"central_authority"}, ""}; }
inline Actor Executing() { return Actor{"eve.executing", {"executing_authority"}, ""}; }

inline TimePoint T0() { return ParseRfc3339("2026-01-05T09:00:00Z").value(); }

// Parses `yaml` or fails the current test.
inline WorkflowDefinition MustParse(const std::string& yaml,
                                    const std::string& name = "test.yaml") {
  LoadReport report = ParseDefinition(yaml, name);
  EXPECT_TRUE(report.ok()) << report.ErrorText();
  return report.definitions.empty() ? WorkflowDefinition{} : report.definitions.front();
}

class TestEngine {
 public:
  explicit TestEngine(const std::string& yaml = kTestWorkflow)
      : store_(NewMemoryStore()),
        clock_(std::make_shared<ManualClock>(T0())),
        engine_(EngineOptions{store_, clock_}) {
    Status s = engine_.LoadDefinition(MustParse(yaml));
    EXPECT_TRUE(s.ok()) << s.ToString();
  }

  // Creates a request with the required fields set, or fails the test.
  RequestId Create(nlohmann::json data = {{"issuing_state", "DE"}}) {
    CreateCall call;
    call.workflow = "test_eio";
    call.data = std::move(data);
    call.references = {{"issuing", "DE-123/26"}};
    auto r = engine_.Create(call, Prosecutor());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->id : RequestId();
  }

  Result<Request> Fire(const RequestId& id, const std::string& event, const Actor& actor,
                       nlohmann::json data = nlohmann::json::object()) {
    EventCall call;
    call.event = event;
    call.data = std::move(data);
    return engine_.Fire(id, call, actor);
  }

  // Fires a chain of events that must all succeed; returns the final request.
  Request MustFire(const RequestId& id, const std::string& event, const Actor& actor,
                   nlohmann::json data = nlohmann::json::object()) {
    auto r = Fire(id, event, actor, std::move(data));
    EXPECT_TRUE(r.ok()) << event << ": " << r.status().ToString();
    return r.ok() ? *r : Request{};
  }

  // A request moved to `transmitted` (recognition and ack clocks running).
  RequestId Transmitted() {
    RequestId id = Create({{"issuing_state", "DE"}, {"executing_state", "FR"}});
    MustFire(id, "issue", Prosecutor());
    MustFire(id, "transmit", Central());
    return id;
  }

  // Claims due deadlines and expires them, as the scheduler does. Returns how many fired.
  int RunScheduler() {
    auto due = store_->ClaimDueDeadlines(clock_->Now(), "test", std::chrono::seconds(30), 100);
    EXPECT_TRUE(due.ok());
    int fired = 0;
    for (const auto& d : *due) {
      auto r = engine_.ExpireDeadline(d.request_id, d.name, d.due_at);
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      if (r.ok() && r->has_value()) ++fired;
    }
    return fired;
  }

  Engine& engine() { return engine_; }
  Store& store() { return *store_; }
  ManualClock& clock() { return *clock_; }

 private:
  std::shared_ptr<Store> store_;
  std::shared_ptr<ManualClock> clock_;
  Engine engine_;
};

MATCHER_P(StatusIs, code, "") { return arg.status().code() == code; }
MATCHER_P(IsCode, code, "") { return arg.code() == code; }

}  // namespace rogatory::testing

#endif  // ROGATORY_TESTS_ENGINE_TEST_ENGINE_H_
