// Which store an e2e run drives (ROGATORY_E2E_STORE=sqlite|postgresql) and a fresh store URL per
// server, plus the shared server most tests talk to.
#ifndef ROGATORY_TESTS_E2E_E2E_ENV_H_
#define ROGATORY_TESTS_E2E_E2E_ENV_H_

#include <string>

#include "server_process.h"

namespace rogatory::e2e {

// "sqlite" or "postgresql".
const std::string& StoreKind();

// A store URL no other server uses: an SQLite file in a fresh folder, or a freshly created
// database in the test PostgreSQL cluster (its address from the file named by
// ROGATORY_E2E_PG_URL_FILE). Fails the test (never skips) when PostgreSQL is not available.
std::string FreshStoreUrl();

// The fixture workflows (tests/fixtures/e2e/workflows) and the shipped ones (workflows/).
std::string FixtureWorkflowsDir();
std::string ShippedWorkflowsDir();

// Writes DIR/workflows/FILE holding `workflow`, and DIR/rogatory.yaml: a loopback listener on a
// free port, a fresh store (FreshStoreUrl), the clerk token (kClerkToken) and JSON logs.
// Returns the config's path, for ServerProcess::StartWithConfigFile.
std::string WriteClerkConfig(const std::string& dir, const std::string& file,
                             const std::string& workflow);

// The server shared by the tests of this process: fixture workflows, a fresh store,
// max_body 8192, JSON logs. Started before the first test, stopped after the last.
ServerProcess& SharedServer();
int SharedPort();

}  // namespace rogatory::e2e

#endif  // ROGATORY_TESTS_E2E_E2E_ENV_H_
