// A small MLA-like workflow for the tests that race steps of one request on the real stores
// (engine_race_test.cc, last_committed_test.cc): transmit, remind (staying in transmitted),
// execute, close, and a one-hour clock whose lapse cannot move the request.
#ifndef ROGATORY_TESTS_STORE_RACE_WORKFLOW_H_
#define ROGATORY_TESTS_STORE_RACE_WORKFLOW_H_

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

}  // namespace rogatory::testing

#endif  // ROGATORY_TESTS_STORE_RACE_WORKFLOW_H_
