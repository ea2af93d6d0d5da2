// `rogatory test` as a user runs it: the real executable on scenario files, its exit code,
// output, JUnit XML and coverage threshold; and `rogatory validate` beside a tests/ folder.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "run_rogatory.h"

namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

using rogatory::cli_test::Outcome;
using rogatory::cli_test::ShellQuote;

// A temporary folder with workflows/tiny.yaml and workflows/tests/, where `rogatory` runs.
class TestCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("rogatory_test_cmd_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "workflows" / "tests");
    Write("workflows/tiny.yaml", R"(workflow: tiny
version: 1
states:
  open: {phase: drafting, initial: true}
  sent: {phase: transmission}
  done: {phase: closure, terminal: true}
deadlines:
  reply: {duration: P1D, on_expiry: reply_overdue}
transitions:
  - {event: send, from: open, to: sent, roles: [clerk], start: [reply]}
  - {event: reply_overdue, from: sent, roles: [system]}
  - {event: close, from: sent, to: done, roles: [clerk], stop: [reply]}
)");
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }

  // Runs `rogatory ARGS...` in the folder.
  Outcome Run(const std::vector<std::string>& args) {
    return rogatory::cli_test::RunRogatory(args, dir_);
  }

  fs::path dir_;
};

constexpr char kPassing[] = R"(workflow: tiny
name: sent and answered late
steps:
  - create: {as: clerk}
  - fire: send
    as: clerk
  - advance: P2D
  - expect: {state: sent, lapsed: [reply]}
  - fire: close
    as: clerk
)";

constexpr char kFailing[] = R"(workflow: tiny
name: wrong expectation
steps:
  - create: {as: clerk}
  - expect: {state: sent}
)";

TEST_F(TestCommandTest, PassingScenariosExitZeroWithOkAndCoverageLines) {
  Write("workflows/tests/pass.yaml", kPassing);
  Outcome r = Run({"test", "workflows/tests", "--coverage"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("ok sent and answered late (workflows/tests/pass.yaml)\n"));
  EXPECT_THAT(r.out, HasSubstr("coverage tiny@1: transitions 3/3 (100%), deadlines 1/1 (100%), "
                               "states 3/3 (100%)\n"));
}

TEST_F(TestCommandTest, AFailingScenarioExitsOneWithFileLineExpectedGot) {
  Write("workflows/tests/pass.yaml", kPassing);
  Write("workflows/tests/fail.yaml", kFailing);
  Outcome r = Run({"test", "workflows/tests"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr("FAIL workflows/tests/fail.yaml:5: expected state 'sent', got "
                               "'open' [wrong expectation]\n"));
  EXPECT_THAT(r.out, HasSubstr("ok sent and answered late"));
}

TEST_F(TestCommandTest, CoverageListsWhatWasNeverExercised) {
  Write("workflows/tests/fail.yaml", kFailing);
  Outcome r = Run({"test", "workflows/tests/fail.yaml", "--coverage"});
  EXPECT_THAT(r.out, HasSubstr("  transition never fired: send open -> sent (line 10)\n"));
  EXPECT_THAT(r.out, HasSubstr("  deadline never lapsed: reply\n"));
  EXPECT_THAT(r.out, HasSubstr("  state never entered: done\n"));
}

TEST_F(TestCommandTest, CoverageNamesEachGuardedAlternativeThatNeverFired) {
  // The small amount takes the last `assess` alternative and the lapse, not urgent, the last
  // `answer_lapsed` one: the guarded alternatives before them are reported, each with its line.
  fs::copy_file(fs::path(ROGATORY_FIXTURES_DIR) / "guards" / "coverage_alternatives.yaml",
                dir_ / "workflows" / "alternatives.yaml");
  Write("workflows/tests/alternatives.yaml", R"(workflow: alternatives
name: a small amount, not urgent, lapses
steps:
  - create: {as: clerk, data: {amount: 50}}
  - fire: assign
    as: clerk
  - fire: assess
    as: clerk
  - advance: P10D
  - expect: {state: done}
)");
  Outcome r = Run({"test", "workflows/tests/alternatives.yaml", "--coverage"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("coverage alternatives@1: transitions 3/7 (42%), deadlines 1/1 "
                               "(100%), states 3/3 (100%)\n"
                               "  transition never fired: assess review -> (stays) (line 17)\n"
                               "  transition never fired: assess review -> (stays) (line 18)\n"
                               "  transition never fired: answer_lapsed review -> done (line 20)\n"
                               "  transition never fired: close * -> done (line 22)\n"));
}

TEST_F(TestCommandTest, MinCoverageFailsBelowTheThresholdEvenWhenScenariosPass) {
  // send and reply_overdue fire, close does not: transitions 2/3, states 2/3 (66%).
  Write("workflows/tests/short.yaml",
        "workflow: tiny\nname: short\nsteps:\n  - create: {as: clerk}\n  - fire: send\n"
        "    as: clerk\n  - advance: P2D\n");
  Outcome below = Run({"test", "workflows/tests", "--min-coverage", "100"});
  EXPECT_EQ(below.exit_code, 1);
  EXPECT_THAT(below.out, HasSubstr("ok short"));
  EXPECT_THAT(below.err, HasSubstr("coverage below 100%: tiny@1"));
  Outcome enough = Run({"test", "workflows/tests", "--min-coverage", "60"});
  EXPECT_EQ(enough.exit_code, 0) << enough.err;
}

TEST_F(TestCommandTest, MinCoverageCountsAWorkflowNoScenarioTouches) {
  Write("workflows/other.yaml", R"(workflow: other
version: 1
states:
  a: {phase: drafting, initial: true}
  b: {phase: closure, terminal: true}
transitions:
  - {event: go, from: a, to: b, roles: [clerk]}
)");
  Write("workflows/tests/pass.yaml", kPassing);
  Outcome r = Run({"test", "workflows/tests", "--min-coverage", "100"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr("coverage other@1: transitions 0/1 (0%)"));
  EXPECT_THAT(r.err, HasSubstr("coverage below 100%: other@1"));
}

TEST_F(TestCommandTest, JunitWritesXmlWithTheFailureToStdout) {
  Write("workflows/tests/pass.yaml", kPassing);
  Write("workflows/tests/fail.yaml", kFailing);
  Outcome r = Run({"test", "workflows/tests", "--format", "junit"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, StartsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "
                                "name=\"rogatory test\" tests=\"2\" failures=\"1\">"));
  EXPECT_THAT(r.out, HasSubstr("<testcase name=\"sent and answered late\" classname=\"tiny@1\""));
  EXPECT_THAT(r.out, HasSubstr("<failure message=\"expected state 'sent', got 'open'\">"
                               "workflows/tests/fail.yaml:5: "));
  EXPECT_THAT(r.out, Not(HasSubstr("coverage tiny@1")));
  EXPECT_THAT(r.err, HasSubstr("coverage tiny@1"));
}

TEST_F(TestCommandTest, InvalidScenarioFileExitsOneBeforeRunningAnything) {
  Write("workflows/tests/pass.yaml", kPassing);
  Write("workflows/tests/typo.yaml",
        "workflow: tiny\nname: typo\nsteps:\n  - create: {as: clerk}\n  - fire: sedn\n    as: "
        "clerk\n");
  Outcome r = Run({"test", "workflows/tests"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, HasSubstr("workflows/tests/typo.yaml:5: unknown event 'sedn' in workflow "
                               "tiny@1 (did you mean 'send'?)"));
}

TEST_F(TestCommandTest, UsageErrorsExitTwo) {
  EXPECT_EQ(Run({"test"}).exit_code, 2);
  EXPECT_EQ(Run({"test", "workflows/tests", "--format", "tap"}).exit_code, 2);
  EXPECT_EQ(Run({"test", "workflows/tests", "--min-coverage", "101"}).exit_code, 2);
  EXPECT_EQ(Run({"test", "workflows/tests", "--frobnicate"}).exit_code, 2);
  EXPECT_EQ(Run({"test", "workflows/tests", "--workflows"}).exit_code, 2);
  Outcome help = Run({"test", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("usage: rogatory test PATH..."));
}

TEST_F(TestCommandTest, WorkflowsOptionPointsElsewhereAndMissingPathsExitOne) {
  Write("workflows/tests/pass.yaml", kPassing);
  fs::rename(dir_ / "workflows" / "tiny.yaml", dir_ / "tiny.yaml");
  fs::create_directories(dir_ / "defs");
  fs::rename(dir_ / "tiny.yaml", dir_ / "defs" / "tiny.yaml");
  EXPECT_EQ(Run({"test", "workflows/tests", "--workflows", "defs"}).exit_code, 0);
  Outcome missing = Run({"test", "nowhere.yaml", "--workflows", "defs"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("nowhere.yaml: no such file or folder"));
}

// Each invalid scenario fixture (also refused by docs/schema/scenario.schema.json) is refused
// against the shipped workflows with a `file:line: message` and nothing runs.
TEST(TestCommandFixturesTest, EveryInvalidScenarioFixtureIsAFileLineError) {
  const fs::path fixtures = fs::path(ROGATORY_FIXTURES_DIR) / "scenarios" / "invalid";
  const fs::path workflows = fs::path(ROGATORY_FIXTURES_DIR) / ".." / ".." / "workflows";
  int seen = 0;
  for (const auto& entry : fs::directory_iterator(fixtures)) {
    ++seen;
    const std::string file = entry.path().string();
    const std::string command = ShellQuote(ROGATORY_BINARY) + " test " + ShellQuote(file) +
                                " --workflows " + ShellQuote(workflows.string()) + " 2>&1";
    std::string out;
    FILE* pipe = ::popen(command.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    char buffer[4096];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
    const int status = ::pclose(pipe);
    EXPECT_EQ(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 1) << file;
    EXPECT_THAT(out, StartsWith(file + ":")) << out;
    EXPECT_THAT(out, Not(HasSubstr("ok "))) << out;
  }
  EXPECT_GE(seen, 5);
}

// Regression: `rogatory validate workflows/` read the scenario files in workflows/tests/ as
// definitions and refused them (missing 'version', unknown key 'steps').
TEST_F(TestCommandTest, ValidateSkipsTheScenarioFolder) {
  Write("workflows/tests/pass.yaml", kPassing);
  Outcome r = Run({"validate", "workflows/"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "ok tiny@1 (workflows/tiny.yaml)\n");
}

}  // namespace
