// `rogatory validate` and `rogatory graph` as a user runs them: the real executable, its exit
// code, stdout and stderr.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

const std::string kFixtures = ROGATORY_FIXTURES_DIR;
const std::string kValid = kFixtures + "/definitions/valid";
const std::string kInvalid = kFixtures + "/definitions/invalid";

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string Quote(const std::string& arg) {
  std::string out = "'";
  for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

struct Outcome {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `rogatory ARGS...` in `cwd` (the test's own when empty).
Outcome Rogatory(const std::vector<std::string>& args, const fs::path& cwd = {}) {
  const fs::path err_file =
      fs::temp_directory_path() / ("rogatory_cli_test_" + std::to_string(::getpid()) + ".err");
  std::string command;
  if (!cwd.empty()) command = "cd " + Quote(cwd.string()) + " && ";
  command += Quote(ROGATORY_BINARY);
  for (const auto& a : args) command += " " + Quote(a);
  command += " 2>" + Quote(err_file.string());
  Outcome run;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) run.out.append(buffer, n);
  const int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.err = ReadFile(err_file);
  fs::remove(err_file);
  return run;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// A temporary folder holding `workflows/` (a link to the valid fixtures), for `graph ID`.
class WorkingFolder {
 public:
  explicit WorkingFolder(bool with_workflows = true)
      : path_(fs::temp_directory_path() /
              ("rogatory_cli_test_" + std::to_string(::getpid()) + "_" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name())) {
    fs::remove_all(path_);
    fs::create_directories(path_);
    if (with_workflows) fs::create_directory_symlink(kValid, path_ / "workflows");
  }
  ~WorkingFolder() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

TEST(CliTest, HelpPrintsUsageAndSucceeds) {
  for (const char* flag : {"help", "--help", "-h"}) {
    Outcome run = Rogatory({flag});
    EXPECT_EQ(run.exit_code, 0) << flag;
    EXPECT_THAT(run.out, HasSubstr("usage: rogatory COMMAND"));
    EXPECT_THAT(run.out, HasSubstr("rogatory validate PATH..."));
    EXPECT_THAT(run.out, HasSubstr("rogatory graph WORKFLOW[@VERSION]|FILE"));
  }
}

TEST(CliTest, HelpForACommandPrintsItsUsage) {
  Outcome run = Rogatory({"help", "validate"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_THAT(run.out, StartsWith("usage: rogatory validate PATH..."));
}

TEST(CliTest, NoCommandIsAUsageError) {
  Outcome run = Rogatory({});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("usage: rogatory COMMAND"));
}

TEST(CliTest, UnknownCommandIsAUsageError) {
  Outcome run = Rogatory({"frobnicate"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("rogatory: unknown command 'frobnicate'"));
}

TEST(ValidateCliTest, ValidFolderPrintsOneLinePerDefinition) {
  Outcome run = Rogatory({"validate", kValid});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "ok eio@1 (" + kValid + "/eio.yaml)\n" + "ok eio@2 (" + kValid +
                         "/eio_v2.yaml)\n" + "ok labelled_request@1 (" + kValid +
                         "/labelled.yaml)\n" + "ok mla_request@3 (" + kValid + "/mla_full.yaml)\n");
  EXPECT_THAT(run.err, IsEmpty());
}

// Issue 10: a deadline whose lapse no transition takes is valid but worth a warning.
TEST(ValidateCliTest, WarningsAreFileLineWarningAndExitZero) {
  const std::string file = kFixtures + "/definitions/warnings/lapse_not_accepted.yaml";
  Outcome run = Rogatory({"validate", file});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "ok warned@1 (" + file + ")\n");
  EXPECT_EQ(run.err, file +
                         ":13: warning: deadline 'reply' can lapse in state 'reviewing', where no "
                         "transition accepts its on_expiry event 'reply_overdue': such a lapse is "
                         "recorded in the history without a state change\n");
}

TEST(ValidateCliTest, ShippedWorkflowsHaveNoWarnings) {
  Outcome run = Rogatory({"validate", kFixtures + "/../../workflows"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.err, IsEmpty());
}

TEST(ValidateCliTest, InvalidFileExitsOneWithFileLineMessage) {
  const std::string file = kInvalid + "/unknown_phase.yaml";
  Outcome run = Rogatory({"validate", file});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.out, IsEmpty());
  EXPECT_EQ(run.err, file +
                         ":9: unknown phase 'transmision' for state 'sent'; use one of drafting, "
                         "transmission, execution, closure (did you mean 'transmission'?)\n");
}

TEST(ValidateCliTest, EveryProblemInAFolderIsAFileLineMessage) {
  Outcome run = Rogatory({"validate", kInvalid});
  EXPECT_EQ(run.exit_code, 1);
  std::vector<std::string> lines = Lines(run.err);
  EXPECT_GT(lines.size(), 60u);
  for (const auto& line : lines) {
    EXPECT_THAT(line, ::testing::MatchesRegex(kInvalid + "/.*\\.yaml:[0-9]+: .*"));
  }
  // The one valid file among them (the first of a duplicated version) is reported as ok.
  EXPECT_EQ(run.out, "ok sample@1 (" + kInvalid + "/duplicate_version/a_first.yaml)\n");
}

TEST(ValidateCliTest, ValidAndInvalidTogetherExitOne) {
  Outcome run = Rogatory({"validate", kValid + "/eio.yaml", kInvalid + "/missing_roles.yaml"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.out, HasSubstr("ok eio@1"));
  EXPECT_THAT(run.err, HasSubstr("missing_roles.yaml:15: transition 'close' has no roles"));
}

TEST(ValidateCliTest, MissingPathExitsOne) {
  Outcome run = Rogatory({"validate", kFixtures + "/no_such_file.yaml"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.err, kFixtures + "/no_such_file.yaml: no such file or folder\n");
}

TEST(ValidateCliTest, FolderWithoutDefinitionsExitsOne) {
  WorkingFolder empty(false);
  Outcome run = Rogatory({"validate", empty.path().string()});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr("no definition files"));
}

TEST(ValidateCliTest, NoPathIsAUsageError) {
  Outcome run = Rogatory({"validate"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("usage: rogatory validate PATH..."));
}

TEST(ValidateCliTest, UnknownOptionIsAUsageError) {
  Outcome run = Rogatory({"validate", "--strict", kValid});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("unknown option '--strict'"));
  EXPECT_THAT(run.out, IsEmpty());
}

TEST(GraphCliTest, FilePrintsMermaidByDefault) {
  Outcome run = Rogatory({"graph", kValid + "/eio.yaml"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, ReadFile(kFixtures + "/graphs/eio.mmd"));
}

TEST(GraphCliTest, FilePrintsDotOnRequest) {
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"graph", kValid + "/eio.yaml", "--format", "dot"},
                                             {"graph", "--format=dot", kValid + "/eio.yaml"}}) {
    Outcome run = Rogatory(args);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(run.out, ReadFile(kFixtures + "/graphs/eio.dot"));
  }
}

// Issue 15: the console and the docs need pictures; `--format svg` was a usage error.
TEST(GraphCliTest, FilePrintsSvgOnRequest) {
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"graph", kValid + "/eio.yaml", "--format", "svg"},
                                             {"graph", "--format=svg", kValid + "/eio.yaml"}}) {
    Outcome run = Rogatory(args);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    EXPECT_THAT(run.out, StartsWith("<?xml"));
    EXPECT_THAT(run.out, HasSubstr("<title>transmitted&#45;&gt;recognised</title>"));
    EXPECT_THAT(run.err, IsEmpty());
  }
}

TEST(GraphCliTest, WorkflowIdIsTheNewestVersionInWorkflowsFolder) {
  WorkingFolder here;
  Outcome run = Rogatory({"graph", "eio"}, here.path());
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("%% eio@2: European Investigation Order\n"));
}

TEST(GraphCliTest, WorkflowAtVersionPicksThatVersion) {
  WorkingFolder here;
  Outcome run = Rogatory({"graph", "eio@1"}, here.path());
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, ReadFile(kFixtures + "/graphs/eio.mmd"));
}

TEST(GraphCliTest, UnknownWorkflowExitsOne) {
  WorkingFolder here;
  for (const char* spec : {"eaw", "eio@7"}) {
    Outcome run = Rogatory({"graph", spec}, here.path());
    EXPECT_EQ(run.exit_code, 1) << spec;
    EXPECT_THAT(run.err, HasSubstr("not found in ./workflows/")) << spec;
  }
}

TEST(GraphCliTest, NoWorkflowsFolderExitsOne) {
  WorkingFolder here(false);
  Outcome run = Rogatory({"graph", "eio"}, here.path());
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr("no ./workflows/ folder"));
}

// Issue 10: graph looked only in ./workflows/; it finds workflows where the server does.
TEST(GraphCliTest, WorkflowsOptionNamesTheFolder) {
  WorkingFolder here(false);
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"graph", "eio@1", "--workflows", kValid},
                                             {"graph", "--workflows=" + kValid, "eio@1"}}) {
    Outcome run = Rogatory(args, here.path());
    EXPECT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(run.out, ReadFile(kFixtures + "/graphs/eio.mmd"));
  }
  Outcome missing = Rogatory({"graph", "eio", "--workflows", "/nonexistent"}, here.path());
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("no /nonexistent folder"));
}

TEST(GraphCliTest, ConfigOptionUsesItsWorkflowsFolder) {
  WorkingFolder here(false);
  const fs::path config = here.path() / "rogatory.yaml";
  std::ofstream(config) << "workflows: " << kValid << "\n";
  Outcome run = Rogatory({"graph", "eio@1", "--config", config.string()}, here.path());
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, ReadFile(kFixtures + "/graphs/eio.mmd"));
  Outcome unknown = Rogatory({"graph", "eaw", "--config=" + config.string()}, here.path());
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("not found in " + kValid));
  std::ofstream(config) << "workflows: [\n";
  Outcome bad = Rogatory({"graph", "eio", "--config", config.string()}, here.path());
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr(config.string() + ":"));
}

TEST(GraphCliTest, InvalidFileExitsOneWithItsErrors) {
  const std::string file = kInvalid + "/lifecycle_backwards.yaml";
  Outcome run = Rogatory({"graph", file});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.out, IsEmpty());
  EXPECT_THAT(run.err, StartsWith(file + ":19: transition 'redraft'"));
}

TEST(GraphCliTest, UsageErrorsExitTwo) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"graph"},
           {"graph", kValid + "/eio.yaml", "--format", "png"},
           {"graph", kValid + "/eio.yaml", "--format"},
           {"graph", kValid + "/eio.yaml", "--colour"},
           {"graph", "eio", "eio@2"},
           {"graph", "eio", "--workflows"},
           {"graph", "eio", "--config"},
           {"graph", "eio", "--config", "c.yaml", "--workflows", "w"},
           {"graph", "eio@0"}}) {
    Outcome run = Rogatory(args);
    EXPECT_EQ(run.exit_code, 2) << ::testing::PrintToString(args);
    EXPECT_THAT(run.err, HasSubstr("usage: rogatory graph"));
  }
}

}  // namespace
