// `rogatory audit verify` as an operator runs it: exit 0 on an intact SQLite store, 1 naming
// the first broken link once a history row has been edited behind the store's back, 2 on
// misuse.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "sqlite_exec.h"
#include "store_test_util.h"

namespace rogatory::testing {
namespace {

using ::testing::HasSubstr;

struct CliRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// Runs the CLI with `args`; stderr goes with stdout into `output`, or to the file `stderr_file`.
CliRun Rogatory(const std::string& args, const std::string& env = "",
                const std::string& stderr_file = "") {
  const std::string command =
      env + " " + ROGATORY_CLI + " " + args + " 2>" + (stderr_file.empty() ? "&1" : stderr_file);
  CliRun run;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  std::array<char, 512> buffer;
  while (fgets(buffer.data(), buffer.size(), pipe) != nullptr) run.output += buffer.data();
  int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

class AuditCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(db_.status().ok()) << db_.status().ToString();
    for (int i = 1; i <= 3; ++i) {
      RequestBuilder b("r-" + std::to_string(i));
      ASSERT_TRUE(db_.store().Apply(b.Create()).ok());
      ASSERT_TRUE(db_.store().Apply(b.Step("issue", "issued", Phase::kDrafting)).ok());
    }
    config_ = std::filesystem::path(db_.sqlite_path()).parent_path() / "rogatory.yaml";
    std::ofstream(config_) << "store: " << db_.url() << "\n";
  }
  std::string Config() const { return "--config " + config_.string(); }

  TestStore db_{StoreKind::kSqlite};
  std::filesystem::path config_;
};

TEST_F(AuditCliTest, IntactStoreExitsZero) {
  CliRun run = Rogatory("audit verify " + Config());
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("3 requests, 6 history entries"));
}

TEST_F(AuditCliTest, TamperedHistoryRowExitsOneNamingIt) {
  SqliteExec(db_.sqlite_path(),
             "UPDATE history SET to_state = 'executed' WHERE request_id = 'r-2' AND seq = 2");
  CliRun run = Rogatory("audit verify " + Config());
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_THAT(run.output, HasSubstr("request r-2 history seq 2"));
}

TEST_F(AuditCliTest, JobsGiveTheSameVerdict) {
  for (const char* jobs : {"--jobs 1", "--jobs=2", "--jobs 64"}) {
    CliRun run = Rogatory("audit verify " + Config() + " " + jobs);
    EXPECT_EQ(run.exit_code, 0) << jobs << ": " << run.output;
    EXPECT_THAT(run.output, HasSubstr("3 requests, 6 history entries")) << jobs;
  }
  SqliteExec(db_.sqlite_path(), "UPDATE history SET actor = 'mallory' WHERE request_id = 'r-3'");
  CliRun run = Rogatory("audit verify --jobs 3 " + Config());
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_THAT(run.output, HasSubstr("broken request=r-3 seq=1"));
}

TEST_F(AuditCliTest, StoreFromTheEnvironmentOverridesTheConfig) {
  CliRun run = Rogatory("audit verify " + Config(), "ROGATORY_STORE=sqlite:///nonexistent/x.db");
  EXPECT_EQ(run.exit_code, 3) << run.output;
  EXPECT_FALSE(std::filesystem::exists("/nonexistent/x.db"));
}

// A command that opens an older database upgrades it first, saying so on stderr (an upgrade can
// take minutes), never on stdout, which is the command's own output.
TEST_F(AuditCliTest, AnUpgradeIsLoggedOnStderrOnly) {
  SqliteExec(db_.sqlite_path(), kBackToVersion11);
  const std::string err =
      (std::filesystem::path(db_.sqlite_path()).parent_path() / "stderr.txt").string();
  CliRun run = Rogatory("audit verify " + Config(), "", err);
  std::ifstream in(err);
  const std::string logged((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(run.exit_code, 0) << run.output << logged;
  EXPECT_EQ(run.output, "ok: 3 requests, 6 history entries verified\n");
  EXPECT_THAT(logged, HasSubstr("info store: upgrading the database schema from version 11 to 12"));
  EXPECT_THAT(logged, HasSubstr("info store: database schema upgraded to version 12 in "));
  // Once upgraded, nothing more is said.
  run = Rogatory("audit verify " + Config(), "", err);
  std::ifstream again(err);
  const std::string second((std::istreambuf_iterator<char>(again)),
                           std::istreambuf_iterator<char>());
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(second, "");
}

TEST_F(AuditCliTest, MisuseExitsTwo) {
  EXPECT_EQ(Rogatory("audit").exit_code, 2);
  EXPECT_EQ(Rogatory("audit verify --bogus").exit_code, 2);
  EXPECT_EQ(Rogatory("audit verify --config /nonexistent/rogatory.yaml").exit_code, 2);
  for (const char* jobs :
       {"--jobs 0", "--jobs 65", "--jobs two", "--jobs=-1", "--jobs= 2", "--jobs"}) {
    CliRun run = Rogatory("audit verify " + Config() + " " + jobs);
    EXPECT_EQ(run.exit_code, 2) << jobs << ": " << run.output;
  }
  EXPECT_THAT(Rogatory("audit verify --jobs 0 " + Config()).output,
              HasSubstr("--jobs takes a whole number from 1 to 64, not '0'"));
}

// The documented URI form (postgresql://user@host:port/db, no query string) through the
// config file: it used to connect to database "db=".
TEST(AuditCliPostgresTest, DocumentedUriInTheConfigFileReachesItsDatabase) {
  std::string why;
  const std::string admin = PgClusterUrl(&why);
  ASSERT_FALSE(admin.empty()) << why;
  const size_t at = admin.find("port=") + 5;
  const std::string port = admin.substr(at, admin.find(' ', at) - at);
  const std::string db = "rogatory_audit_" + std::to_string(getpid());
  PgExec(admin, "DROP DATABASE IF EXISTS " + db);
  ASSERT_EQ(PgExec(admin, "CREATE DATABASE " + db), "");
  const std::string url = "postgresql://postgres@127.0.0.1:" + port + "/" + db;
  {
    Result<std::unique_ptr<Store>> store = OpenStore(url);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    RequestBuilder b("r-uri");
    ASSERT_TRUE((*store)->Apply(b.Create()).ok());
  }
  const auto config = std::filesystem::temp_directory_path() / (db + ".yaml");
  std::ofstream(config) << "store: " << url << "\n";
  CliRun run = Rogatory("audit verify --config " + config.string());
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("1 requests, 1 history entries"));
  std::filesystem::remove(config);
  PgExec(admin, "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
}

}  // namespace
}  // namespace rogatory::testing
