#include "e2e_env.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>

namespace rogatory::e2e {
namespace {

std::string PgAdminUrl() {
  if (const char* url = std::getenv("ROGATORY_TEST_PG_URL"); url != nullptr && *url != '\0') {
    return url;
  }
  const char* file = std::getenv("ROGATORY_E2E_PG_URL_FILE");
  std::string path = file != nullptr ? file : ROGATORY_E2E_PG_URL_FILE_DEFAULT;
  std::ifstream in(path);
  std::string url;
  std::getline(in, url);
  return url;
}

std::unique_ptr<ServerProcess> g_shared;

class SharedServerEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    g_shared = std::make_unique<ServerProcess>(MakeTempDir("rogatory-e2e"));
    ServerConfig config;
    config.store_url = FreshStoreUrl();
    config.workflows_dir = FixtureWorkflowsDir();
    const std::string error = g_shared->Start(config);
    ASSERT_EQ(error, "") << "the shared e2e server did not start";
  }
  void TearDown() override {
    if (g_shared && g_shared->running()) {
      EXPECT_EQ(g_shared->Stop(SIGTERM), 0) << g_shared->Log();
    }
    g_shared.reset();
  }
};

const ::testing::Environment* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new SharedServerEnvironment);

}  // namespace

const std::string& StoreKind() {
  static const std::string kind = [] {
    const char* env = std::getenv("ROGATORY_E2E_STORE");
    return std::string(env != nullptr && *env != '\0' ? env : "sqlite");
  }();
  return kind;
}

std::string WriteClerkConfig(const std::string& dir, const std::string& file,
                             const std::string& workflow) {
  std::filesystem::create_directories(dir + "/workflows");
  std::ofstream(dir + "/workflows/" + file) << workflow;
  const std::string path = dir + "/rogatory.yaml";
  std::ofstream(path) << "listen: 127.0.0.1:0\n"
                      << "store: \"" << FreshStoreUrl() << "\"\n"
                      << "workflows: \"" << dir << "/workflows\"\n"
                      << "auth:\n  tokens:\n"
                      << "    - {actor: carla.clerk, roles: [clerk], sha256: \""
                      << Sha256Hex(kClerkToken) << "\"}\n"
                      << "log: {format: json, level: info}\n";
  return path;
}

std::string FreshStoreUrl() {
  static std::atomic<int> counter{0};
  const int n = ++counter;
  if (StoreKind() == "sqlite") {
    return "sqlite://" + MakeTempDir("rogatory-e2e-db") + "/rogatory.db";
  }
  const std::string admin = PgAdminUrl();
  if (admin.empty()) {
    ADD_FAILURE() << "PostgreSQL e2e run without a cluster: start one with "
                     "tests/store/pg_test_cluster.sh (the CTest fixture does) or set "
                     "ROGATORY_TEST_PG_URL";
    return "postgresql://invalid";
  }
  const std::string db = "rogatory_e2e_" + std::to_string(getpid()) + "_" + std::to_string(n);
  PGconn* conn = PQconnectdb(admin.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    ADD_FAILURE() << "cannot reach the test PostgreSQL at " << admin << ": "
                  << PQerrorMessage(conn);
    PQfinish(conn);
    return "postgresql://invalid";
  }
  PGresult* r = PQexec(conn, ("CREATE DATABASE " + db).c_str());
  if (PQresultStatus(r) != PGRES_COMMAND_OK) {
    ADD_FAILURE() << "CREATE DATABASE failed: " << PQerrorMessage(conn);
  }
  PQclear(r);
  PQfinish(conn);
  // The store takes libpq's keyword form behind the postgresql:// scheme.
  std::string url = admin;
  const size_t at = url.find("dbname=");
  if (at == std::string::npos) {
    url += " dbname=" + db;
  } else {
    const size_t end = url.find(' ', at);
    url.replace(at, end == std::string::npos ? std::string::npos : end - at, "dbname=" + db);
  }
  return url.rfind("postgres", 0) == 0 ? url : "postgresql://" + url;
}

std::string FixtureWorkflowsDir() { return ROGATORY_E2E_FIXTURE_WORKFLOWS; }
std::string ShippedWorkflowsDir() { return ROGATORY_E2E_SHIPPED_WORKFLOWS; }

ServerProcess& SharedServer() { return *g_shared; }
int SharedPort() { return g_shared->port(); }

}  // namespace rogatory::e2e
