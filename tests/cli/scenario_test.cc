// The scenario runner, parser and coverage counting of `rogatory test` (adapters/cli/scenario_*),
// on a small workflow whose clocks lapse into each other.
#include "scenario.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rogatory/definition_loader.h"
#include "scenario_coverage.h"
#include "scenario_history.h"
#include "scenario_runner.h"

namespace rogatory::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// `send` starts reply (1 day) and final (2 days). reply's lapse moves to `late` and starts
// followup (1 day). final's lapse is allowed only in `sent`; followup's needs `reason`.
constexpr char kTiny[] = R"(workflow: tiny
version: 1
fields:
  reason: {type: string}
states:
  open: {phase: drafting, initial: true}
  sent: {phase: transmission}
  late: {phase: transmission}
  done: {phase: closure, terminal: true}
deadlines:
  reply: {duration: P1D, on_expiry: reply_overdue}
  final: {duration: P2D, on_expiry: final_overdue}
  followup: {duration: P1D, on_expiry: followup_overdue}
transitions:
  - {event: send, from: open, to: sent, roles: [clerk], start: [reply, final]}
  - {event: reply_overdue, from: sent, to: late, roles: [system], start: [followup]}
  - {event: final_overdue, from: sent, roles: [system]}
  - {event: followup_overdue, from: late, roles: [system], require: [reason]}
  - {event: note, from: [open, sent, late], roles: [clerk]}
  - {event: hold, from: [sent, late], roles: [clerk], pause: [final]}
  - {event: close, from: "*", to: done, roles: [clerk]}
)";

const WorkflowDefinition& Tiny() {
  static const WorkflowDefinition* def = [] {
    LoadReport r = ParseDefinition(kTiny, "tiny.yaml");
    EXPECT_TRUE(r.ok()) << r.ErrorText();
    return new WorkflowDefinition(r.definitions.at(0));
  }();
  return *def;
}

ScenarioFile Parse(const std::string& text) { return ParseScenarioFile(text, "s.yaml", {Tiny()}); }

std::string Errors(const ScenarioFile& f) {
  std::string out;
  for (const auto& e : f.errors) out += e.ToString() + "\n";
  return out;
}

// Parses and runs the one scenario in `text`.
ScenarioResult RunText(const std::string& text) {
  ScenarioFile f = Parse(text);
  EXPECT_TRUE(f.errors.empty()) << Errors(f);
  if (f.scenarios.size() != 1) return {};
  return RunScenario(f.scenarios[0], Tiny());
}

std::vector<std::string> Events(const std::vector<HistoryEntry>& h) {
  std::vector<std::string> out;
  for (const auto& e : h) out.push_back(e.event);
  return out;
}

constexpr char kSendThenThreeDays[] = R"(workflow: tiny
name: three days pass
start: 2026-03-02T09:00:00Z
steps:
  - create: {as: clerk}
  - fire: send
    as: clerk
  - advance: P3D
)";

TEST(ScenarioRunnerTest, AdvanceLapsesEachClockAtItsOwnDueTimeInDueOrder) {
  ScenarioResult r = RunText(kSendThenThreeDays);
  ASSERT_TRUE(r.passed) << r.message;
  // followup was started by reply's lapse and falls due in the same advance.
  ASSERT_THAT(Events(r.history),
              ElementsAre("create", "send", "reply_overdue", "final_overdue", "followup_overdue"));
  EXPECT_EQ(FormatRfc3339(r.history[2].at), "2026-03-03T09:00:00.000Z");
  EXPECT_EQ(FormatRfc3339(r.history[3].at), "2026-03-04T09:00:00.000Z");
  EXPECT_EQ(FormatRfc3339(r.history[4].at), "2026-03-04T09:00:00.000Z");
  EXPECT_EQ(r.history[2].actor, "system");
}

TEST(ScenarioRunnerTest, AdvanceToAnInstantStopsBeforeLaterClocks) {
  ScenarioResult r = RunText(R"(workflow: tiny
name: to an instant
start: 2026-03-02T09:00:00Z
steps:
  - create: {as: clerk}
  - fire: send
    as: clerk
  - advance: 2026-03-03T09:00:00Z
  - expect: {state: late, running: [final, followup], lapsed: [reply]}
  - advance: 2026-03-04T08:59:59Z
  - expect: {state: late, running: [final, followup], lapsed: [reply]}
)");
  EXPECT_TRUE(r.passed) << r.message;
}

TEST(ScenarioRunnerTest, PausedClockDoesNotLapse) {
  ScenarioResult r = RunText(R"(workflow: tiny
name: paused
steps:
  - create: {as: clerk}
  - fire: send
    as: clerk
  - fire: hold
    as: clerk
  - advance: P30D
  - expect: {state: late, paused: [final], running: [], lapsed: [followup, reply]}
)");
  EXPECT_TRUE(r.passed) << r.message;
}

TEST(ScenarioRunnerTest, ExpectErrorPassesOnThatCodeAndFailsOnAnother) {
  ScenarioResult ok = RunText(R"(workflow: tiny
name: refused
steps:
  - create: {as: clerk}
  - fire: send
    as: stranger
    expect_error: permission_denied
  - fire: reply_overdue
    as: clerk
    expect_error: failed_precondition
  - fire: send
    as: clerk
    expected_revision: 7
    expect_error: aborted
)");
  EXPECT_TRUE(ok.passed) << ok.message;

  ScenarioResult wrong = RunText(R"(workflow: tiny
name: wrong code
steps:
  - create: {as: clerk}
  - fire: send
    as: clerk
    expect_error: permission_denied
)");
  EXPECT_FALSE(wrong.passed);
  EXPECT_EQ(wrong.line, 5);
  EXPECT_THAT(wrong.message, HasSubstr("expected 'send' by clerk to be refused with "
                                       "permission_denied, got success (now in state 'sent')"));
}

TEST(ScenarioRunnerTest, UnexpectedRefusalFailsAtItsStep) {
  ScenarioResult r = RunText(R"(workflow: tiny
name: not allowed
steps:
  - create: {as: clerk}
  - fire: close
    as: clerk
  - fire: send
    as: clerk
)");
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.line, 7);
  EXPECT_THAT(r.message, HasSubstr("expected 'send' by clerk to succeed, got failed_precondition"));
}

TEST(ScenarioRunnerTest, FailedExpectationPointsAtItsKeyWithExpectedAndActual) {
  ScenarioResult r = RunText(R"(workflow: tiny
name: wrong state
steps:
  - create: {as: clerk}
  - expect:
      phase: drafting
      state: sent
)");
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.line, 7);
  EXPECT_EQ(r.message, "expected state 'sent', got 'open'");
}

TEST(ScenarioRunnerTest, ExpectChecksDataEventsHistoryAndRevision) {
  ScenarioResult r = RunText(R"(workflow: tiny
name: everything
steps:
  - create: {as: clerk, data: {reason: "late reply"}}
  - fire: send
    as: clerk
  - advance: P1D
  - expect:
      data: {reason: "late reply"}
      events: [close, hold, note]
      history: [send, {event: reply_overdue, from: sent, to: late, actor: system}]
      revision: 3
)");
  EXPECT_TRUE(r.passed) << r.message;

  ScenarioResult bad = RunText(R"(workflow: tiny
name: wrong history
steps:
  - create: {as: clerk}
  - fire: send
    as: clerk
  - expect:
      history: [create, note]
)");
  EXPECT_FALSE(bad.passed);
  EXPECT_THAT(bad.message, HasSubstr("expected history entry 2 to be note, got {event: send"));
}

TEST(ScenarioRunnerTest, AdvanceBackInTimeFails) {
  ScenarioResult r = RunText(R"(workflow: tiny
name: back
start: 2026-03-02T09:00:00Z
steps:
  - create: {as: clerk}
  - advance: 2026-03-01T09:00:00Z
)");
  EXPECT_FALSE(r.passed);
  EXPECT_THAT(r.message, HasSubstr("goes back in time"));
}

TEST(LapsedClocksTest, ALapseCountsUntilItsClockIsStartedOrStoppedOrTheRequestCloses) {
  ScenarioResult r = RunText(R"(workflow: tiny
name: lapsed
steps:
  - create: {as: clerk}
  - fire: send
    as: clerk
  - advance: P3D
  - expect: {lapsed: [final, followup, reply]}
  - fire: close
    as: clerk
  - expect: {lapsed: [], running: []}
)");
  EXPECT_TRUE(r.passed) << r.message;
}

struct BadScenario {
  const char* name;
  const char* text;
  const char* error;
};

class ScenarioParserTest : public ::testing::TestWithParam<BadScenario> {};

TEST_P(ScenarioParserTest, RefusesWithFileLineMessage) {
  ScenarioFile f = Parse(GetParam().text);
  EXPECT_THAT(f.scenarios, IsEmpty());
  EXPECT_THAT(Errors(f), HasSubstr(GetParam().error));
}

// clang-format off
INSTANTIATE_TEST_SUITE_P(Typos, ScenarioParserTest, ::testing::Values(
    BadScenario{"UnknownScenarioKey", "workflow: tiny\nname: x\nstesp: []\n",
                "s.yaml:3: unknown key 'stesp' in a scenario (did you mean 'steps'?)"},
    BadScenario{"UnknownWorkflow", "workflow: tiny2\nname: x\nsteps: [{advance: P1D}]\n",
                "s.yaml:1: unknown workflow 'tiny2' (did you mean 'tiny'?)"},
    BadScenario{"UnknownVersion", "workflow: tiny\nversion: 3\nname: x\nsteps: [{advance: P1D}]\n",
                "s.yaml:2: workflow 'tiny' has no version 3"},
    BadScenario{"UnknownEvent", "workflow: tiny\nname: x\nsteps:\n  - create: {as: clerk}\n  - fire: sned\n    as: clerk\n",
                "s.yaml:5: unknown event 'sned' in workflow tiny@1 (did you mean 'send'?)"},
    BadScenario{"UnknownRole", "workflow: tiny\nname: x\nsteps:\n  - create: {as: clerk}\n  - fire: send\n    as: clark\n",
                "s.yaml:6: unknown role 'clark' in workflow tiny@1 (did you mean 'clerk'?)"},
    BadScenario{"SystemMayNotFire", "workflow: tiny\nname: x\nsteps:\n  - create: {as: clerk}\n  - fire: reply_overdue\n    as: system\n",
                "s.yaml:6: 'system' acts only when a clock lapses"},
    BadScenario{"UnknownState", "workflow: tiny\nname: x\nsteps:\n  - create: {as: clerk}\n  - expect: {state: snet}\n",
                "s.yaml:5: unknown state 'snet' in workflow tiny@1 (did you mean 'sent'?)"},
    BadScenario{"UnknownClock", "workflow: tiny\nname: x\nsteps:\n  - create: {as: clerk}\n  - expect: {running: [replys]}\n",
                "s.yaml:5: unknown clock 'replys' in workflow tiny@1 (did you mean 'reply'?)"},
    BadScenario{"UnknownField", "workflow: tiny\nname: x\nsteps:\n  - create:\n      as: clerk\n      data:\n        reasn: x\n",
                "s.yaml:7: unknown field 'reasn' in workflow tiny@1 (did you mean 'reason'?)"},
    BadScenario{"UnknownExpectKey", "workflow: tiny\nname: x\nsteps:\n  - create: {as: clerk}\n  - expect: {stat: open}\n",
                "s.yaml:5: unknown key 'stat' in 'expect' (did you mean 'state'?)"},
    BadScenario{"UnknownPhase", "workflow: tiny\nname: x\nsteps:\n  - create: {as: clerk}\n  - expect: {phase: closed}\n",
                "s.yaml:5: unknown phase 'closed'"},
    BadScenario{"UnknownError", "workflow: tiny\nname: x\nsteps:\n  - create: {as: clerk}\n  - fire: send\n    as: clerk\n    expect_error: forbidden\n",
                "s.yaml:7: unknown error 'forbidden'"},
    BadScenario{"BadAdvance", "workflow: tiny\nname: x\nsteps:\n  - advance: 3 days\n",
                "s.yaml:4: 'advance' must be an ISO 8601 duration (P31D) or an RFC 3339 instant"},
    BadScenario{"BadStart", "workflow: tiny\nname: x\nstart: yesterday\nsteps: [{advance: P1D}]\n",
                "s.yaml:3: start must be an RFC 3339 instant"},
    BadScenario{"TwoKindsInOneStep", "workflow: tiny\nname: x\nsteps:\n  - create: {as: clerk}\n  - fire: send\n    advance: P1D\n    as: clerk\n",
                "s.yaml:6: a step does one thing; 'fire' and 'advance' are two steps"},
    BadScenario{"FireBeforeCreate", "workflow: tiny\nname: x\nsteps:\n  - fire: send\n    as: clerk\n",
                "s.yaml:4: 'fire' needs a request: start the steps with 'create'"},
    BadScenario{"MissingName", "workflow: tiny\nsteps: [{advance: P1D}]\n",
                "s.yaml:1: missing required key 'name'"},
    BadScenario{"UnknownHistoryActor", "workflow: tiny\nname: x\nsteps:\n  - create: {as: clerk}\n  - expect:\n      history: [{event: send, actor: clark}]\n",
                "s.yaml:6: unknown role 'clark'"},
    BadScenario{"YamlSyntax", "workflow: tiny\nname: [x\n",
                "s.yaml:3: YAML syntax error"}),
    [](const ::testing::TestParamInfo<BadScenario>& info) { return std::string(info.param.name); });
// clang-format on

TEST(ScenarioParserTest, ReadsAListOfScenariosEachWithItsLine) {
  ScenarioFile f = Parse(R"(scenarios:
  - workflow: tiny
    name: first
    steps: [{create: {as: clerk}}]
  - workflow: tiny
    version: 1
    name: second
    steps: [{create: {as: clerk}}, {expect: {state: open}}]
)");
  ASSERT_TRUE(f.errors.empty()) << Errors(f);
  ASSERT_EQ(f.scenarios.size(), 2u);
  EXPECT_EQ(f.scenarios[0].name, "first");
  EXPECT_EQ(f.scenarios[1].line, 5);
  EXPECT_EQ(f.scenarios[1].version, 1);
  EXPECT_EQ(FormatRfc3339(f.scenarios[0].start), FormatRfc3339(DefaultScenarioStart()));
}

TEST(ScenarioParserTest, UnknownNamesAreAllowedWhereARefusalIsExpected) {
  ScenarioFile f = Parse(R"(workflow: tiny
name: a stranger with a bad field
steps:
  - create: {as: clerk}
  - fire: send
    as: stranger
    data: {colour: red}
    expect_error: permission_denied
)");
  EXPECT_TRUE(f.errors.empty()) << Errors(f);
}

// --- Coverage ------------------------------------------------------------------------------

WorkflowCoverage CoverageOf(const std::vector<const char*>& scenarios) {
  CoverageCounter counter;
  counter.Add(Tiny());
  for (const char* text : scenarios) counter.Record(Tiny(), RunText(text).history);
  return counter.Report().at(0);
}

TEST(CoverageTest, ALapseTheStateDoesNotAllowOrThatLacksARequiredFieldFiresNoTransition) {
  WorkflowCoverage c = CoverageOf({kSendThenThreeDays});
  EXPECT_TRUE(c.exercised);
  // send and reply_overdue fired; final_overdue came in `late` (not allowed there) and
  // followup_overdue lacked `reason`: both lapses are recorded without a transition.
  EXPECT_EQ(c.transitions.covered, 2);
  EXPECT_EQ(c.transitions.total, 7);
  EXPECT_THAT(c.transitions.missing,
              ElementsAre("final_overdue sent -> (stays) (line 17)",
                          "followup_overdue late -> (stays) (line 18)",
                          "note open|sent|late -> (stays) (line 19)",
                          "hold sent|late -> (stays) (line 20)", "close * -> done (line 21)"));
  // Every clock lapsed at least once, whatever the lapse did.
  EXPECT_EQ(c.deadlines.covered, 3);
  EXPECT_THAT(c.deadlines.missing, IsEmpty());
  EXPECT_THAT(c.states.missing, ElementsAre("done"));
  EXPECT_EQ(c.Line(),
            "coverage tiny@1: transitions 2/7 (28%), deadlines 3/3 (100%), states 3/4 (75%)");
}

TEST(CoverageTest, AnEntryWithSeveralFromStatesOrStarCountsOnce) {
  WorkflowCoverage c = CoverageOf({R"(workflow: tiny
name: note everywhere, close from anywhere
steps:
  - create: {as: clerk, data: {reason: r}}
  - fire: note
    as: clerk
  - fire: send
    as: clerk
  - fire: note
    as: clerk
  - advance: P1D
  - fire: note
    as: clerk
  - fire: close
    as: clerk
)"});
  // send, note (three times, one entry), reply_overdue, close.
  EXPECT_EQ(c.transitions.covered, 4);
  EXPECT_EQ(c.states.covered, 4);
  EXPECT_EQ(c.deadlines.covered, 1);
  EXPECT_THAT(c.deadlines.missing, ElementsAre("final", "followup"));
}

TEST(CoverageTest, ScenariosAddUpAndTheInitialStateCountsAsEntered) {
  const char* only_create = "workflow: tiny\nname: c\nsteps: [{create: {as: clerk}}]\n";
  WorkflowCoverage one = CoverageOf({only_create});
  EXPECT_EQ(one.transitions.covered, 0);
  EXPECT_EQ(one.states.covered, 1);
  WorkflowCoverage two = CoverageOf({only_create, kSendThenThreeDays});
  EXPECT_EQ(two.transitions.covered, 2);
  EXPECT_EQ(two.MinPercent(), 28);
}

TEST(CoverageTest, AVersionNoScenarioRanIsReportedAtZero) {
  CoverageCounter counter;
  counter.Add(Tiny());
  WorkflowCoverage c = counter.Report().at(0);
  EXPECT_FALSE(c.exercised);
  EXPECT_EQ(c.MinPercent(), 0);
  EXPECT_THAT(c.Line(), HasSubstr("transitions 0/7 (0%)"));
  EXPECT_THAT(c.Line(), HasSubstr("(no scenario)"));
}

// --- Coverage of guarded alternatives (CONTRACT §7) ---------------------------------------

const WorkflowDefinition& Alternatives() {
  static const WorkflowDefinition* def = [] {
    LoadReport r = LoadDefinitions(
        {std::string(ROGATORY_FIXTURES_DIR) + "/guards/coverage_alternatives.yaml"});
    EXPECT_TRUE(r.ok()) << r.ErrorText();
    return new WorkflowDefinition(r.definitions.at(0));
  }();
  return *def;
}

// Runs each scenario (one per text) on the alternatives workflow; every one must pass.
WorkflowCoverage AlternativesCoverage(const std::vector<const char*>& scenarios) {
  CoverageCounter counter;
  counter.Add(Alternatives());
  for (const char* text : scenarios) {
    ScenarioFile f = ParseScenarioFile(text, "s.yaml", {Alternatives()});
    EXPECT_TRUE(f.errors.empty()) << Errors(f);
    if (f.scenarios.size() != 1) continue;
    ScenarioResult r = RunScenario(f.scenarios[0], Alternatives());
    EXPECT_TRUE(r.passed) << r.Summary(f.scenarios[0]);
    counter.Record(Alternatives(), r.history, r.fired);
  }
  return counter.Report().at(0);
}

// The last alternative of each group fires: by (from, event) alone the first would be credited.
constexpr char kSmallAmountNotUrgent[] = R"(workflow: alternatives
name: a small amount, not urgent, lapses
steps:
  - create: {as: clerk, data: {amount: 50}}
  - fire: assign
    as: clerk
  - fire: assess
    as: clerk
  - advance: P10D
  - expect: {state: done}
)";

TEST(GuardedCoverageTest, EachAlternativeIsCreditedOnlyWhenItFired) {
  WorkflowCoverage c = AlternativesCoverage({kSmallAmountNotUrgent});
  EXPECT_EQ(c.transitions.total, 7);
  EXPECT_EQ(c.transitions.covered, 3);
  EXPECT_THAT(
      c.transitions.missing,
      ElementsAre("assess review -> (stays) (line 17)", "assess review -> (stays) (line 18)",
                  "answer_lapsed review -> done (line 20)", "close * -> done (line 22)"));
}

TEST(GuardedCoverageTest, TheEventsDataPicksTheAlternativeAndALapseTakesTheGuardedOne) {
  // The request's amount (500) takes the middle alternative; the event's (5000) the first.
  // `urgent` makes the lapse take the guarded alternative, whose target the other shares.
  WorkflowCoverage c = AlternativesCoverage({R"(workflow: alternatives
name: assessed twice, urgent, lapses
steps:
  - create: {as: clerk, data: {amount: 500, urgent: true}}
  - fire: assign
    as: clerk
  - fire: assess
    as: clerk
  - fire: assess
    as: clerk
    data: {amount: 5000}
  - advance: P10D
  - expect:
      state: done
      history: [{event: answer_lapsed, from: review, to: done, actor: system}]
)"});
  EXPECT_EQ(c.transitions.covered, 4);
  EXPECT_THAT(c.transitions.missing,
              ElementsAre("assess review -> (stays) (line 19)",
                          "answer_lapsed review -> done (line 21)", "close * -> done (line 22)"));
}

TEST(GuardedCoverageTest, ScenariosTogetherCoverEveryAlternative) {
  WorkflowCoverage c = AlternativesCoverage({kSmallAmountNotUrgent, R"(workflow: alternatives
name: large then middle, urgent
steps:
  - create: {as: clerk, data: {amount: 2000, urgent: true}}
  - fire: assign
    as: clerk
  - fire: assess
    as: clerk
  - fire: assess
    as: clerk
    data: {amount: 100}
  - advance: P10D
)",
                                             R"(workflow: alternatives
name: closed by hand
steps:
  - create: {as: clerk}
  - fire: close
    as: clerk
)"});
  EXPECT_THAT(c.transitions.missing, IsEmpty());
  EXPECT_EQ(c.Line(),
            "coverage alternatives@1: transitions 7/7 (100%), deadlines 1/1 (100%), states 3/3 "
            "(100%)");
}

}  // namespace
}  // namespace rogatory::cli
