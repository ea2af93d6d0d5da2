// Runs the real `rogatory serve` binary for end-to-end tests: writes its config into a temporary
// folder, starts it on a free loopback port, waits until it answers, and stops it with a signal.
#ifndef ROGATORY_TESTS_E2E_SERVER_PROCESS_H_
#define ROGATORY_TESTS_E2E_SERVER_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

namespace rogatory::e2e {

// The bearer tokens every e2e server accepts (plain text; the config holds their SHA-256).
inline constexpr char kClerkToken[] = "e2e-clerk-token";      // actor carla.clerk, role clerk
inline constexpr char kJudgeToken[] = "e2e-judge-token";      // actor jo.judge, role judge
inline constexpr char kAdminToken[] = "e2e-admin-token";      // actor ops.admin, role admin
inline constexpr char kNobodyToken[] = "e2e-nobody-token";    // actor nina.nobody, no roles
inline constexpr char kMetricsToken[] = "e2e-metrics-token";  // actor prom.scraper, metrics

struct ServerConfig {
  std::string store_url;
  std::string workflows_dir;
  size_t max_body = 8192;
  std::string log_format = "json";
  bool allow_private_webhooks = false;
  std::string extra_yaml;                                // appended to the generated config
  std::vector<std::pair<std::string, std::string>> env;  // environment overrides (ROGATORY_*)
};

class ServerProcess {
 public:
  // `dir`: a folder for the config and the log (created if missing).
  explicit ServerProcess(std::string dir);
  // Kills the server if it is still running.
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Writes the config and starts the server on a free port; returns "" once /v1/health answers
  // 200, else what went wrong (with the server's log).
  std::string Start(const ServerConfig& config);
  // Starts the server with an existing config file and environment overrides; the listen
  // address is overridden (ROGATORY_LISTEN) with a free port. Returns as Start does.
  std::string StartWithConfigFile(const std::string& config_path,
                                  std::vector<std::pair<std::string, std::string>> env);
  // Sends `sig` and waits (up to 20 s) for the process to end. Returns its exit code, or
  // 128 + signal if a signal ended it, or -1 if it had to be killed.
  int Stop(int sig);
  bool running() const { return pid_ > 0; }
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  // Everything the server wrote to stdout and stderr so far.
  std::string Log() const;
  const std::string& config_path() const { return config_path_; }

 private:
  // Spawns `serve --config config_path` and waits for /v1/health on port_.
  std::string Launch(const std::string& config_path,
                     const std::vector<std::pair<std::string, std::string>>& env);

  std::string dir_;
  std::string config_path_;
  std::string log_path_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// A TCP port on 127.0.0.1 that was free a moment ago.
int FreePort();
// Lowercase hex SHA-256 of `text`.
std::string Sha256Hex(const std::string& text);
// A fresh temporary folder under $TMPDIR (or /tmp).
std::string MakeTempDir(const std::string& prefix);
// Runs the rogatory binary with `args` in `cwd`, capturing stdout and stderr together into
// `*output`. Returns the exit code (128 + signal if killed by one).
int RunRogatory(const std::vector<std::string>& args, const std::string& cwd, std::string* output,
                const std::vector<std::pair<std::string, std::string>>& env = {});
// The path of the rogatory binary under test.
const char* RogatoryBinary();

}  // namespace rogatory::e2e

#endif  // ROGATORY_TESTS_E2E_SERVER_PROCESS_H_
