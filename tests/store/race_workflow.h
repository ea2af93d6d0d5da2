// A small MLA-like workflow for the tests that race steps of one request on the real stores
// (engine_race_test.cc, last_committed_test.cc, last_writes_test.cc): transmit, remind (staying
// in transmitted), execute, close, and a one-hour clock whose lapse cannot move the request; and
// an engine that knows it.
#ifndef ROGATORY_TESTS_STORE_RACE_WORKFLOW_H_
#define ROGATORY_TESTS_STORE_RACE_WORKFLOW_H_

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "rogatory/definition_loader.h"
#include "rogatory/engine.h"
#include "store_test_util.h"

namespace rogatory::testing {

// `answer_overdue` needs a `reason` nobody gave, so its lapse is recorded without moving.
inline constexpr char kRaceWorkflow[] = R"(workflow: race_mla
version: 1
title: Race test
legal_basis: test
fields:
  issuing_state: {type: string, required: true}
  reason:        {type: string}
states:
  draft:       {phase: drafting, initial: true}
  transmitted: {phase: transmission}
  executing:   {phase: execution}
  executed:    {phase: closure, terminal: true}
deadlines:
  answer: {duration: PT1H, on_expiry: answer_overdue}
transitions:
  - {event: transmit, from: draft,       to: transmitted, roles: [clerk], start: [answer]}
  - {event: remind,   from: transmitted,                  roles: [clerk], start: [answer]}
  - {event: execute,  from: transmitted, to: executing,   roles: [clerk]}
  - {event: close,    from: executing,   to: executed,    roles: [clerk]}
  - {event: answer_overdue, from: transmitted, to: executing, roles: [system], require: [reason]}
)";

// An engine on `store` that knows race_mla (a failure to load it fails the calling test).
inline std::unique_ptr<Engine> RaceEngineOn(std::shared_ptr<Store> store) {
  auto engine = std::make_unique<Engine>(EngineOptions{std::move(store)});
  LoadReport report = ParseDefinition(kRaceWorkflow, "race.yaml");
  EXPECT_TRUE(report.ok()) << report.ErrorText();
  Status s = engine->LoadDefinition(report.definitions.front());
  EXPECT_TRUE(s.ok()) << s.ToString();
  return engine;
}

// Fires `event` on request `id` through `engine` as the clerk, at `expected` when given.
inline Result<Request> FireAsClerk(Engine& engine, const RequestId& id, const std::string& event,
                                   std::optional<int64_t> expected = std::nullopt) {
  EventCall call;
  call.event = event;
  call.expected_revision = expected;
  return engine.Fire(id, call, Clerk());
}

}  // namespace rogatory::testing

#endif  // ROGATORY_TESTS_STORE_RACE_WORKFLOW_H_
