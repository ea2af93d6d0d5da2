#include "server_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace rogatory::e2e {
namespace {

// Spawns the binary with stdout and stderr appended to `log_path`, in `cwd`.
pid_t Spawn(const std::vector<std::string>& args, const std::string& cwd,
            const std::string& log_path,
            const std::vector<std::pair<std::string, std::string>>& env) {
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    // The e2e server gets only the configuration the test writes.
    if (std::strncmp(*e, "ROGATORY_", 9) == 0) continue;
    env_strings.emplace_back(*e);
  }
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_strings = args;
  argv_strings.insert(argv_strings.begin(), RogatoryBinary());
  std::vector<char*> argv;
  for (auto& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);

  // posix_spawn has no portable chdir: fork and exec.
  const pid_t pid = fork();
  if (pid == 0) {
    const int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(126);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  return pid;
}

int DecodeWait(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

const char* RogatoryBinary() {
  const char* env = std::getenv("ROGATORY_E2E_BINARY");
  return env != nullptr ? env : ROGATORY_E2E_BINARY_PATH;
}

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

std::string Sha256Hex(const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(text.data(), text.size(), digest, &n, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < n; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

std::string MakeTempDir(const std::string& prefix) {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp != nullptr ? tmp : "/tmp") + "/" + prefix + ".XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) return "";
  return pattern;
}

ServerProcess::ServerProcess(std::string dir) : dir_(std::move(dir)) {
  mkdir(dir_.c_str(), 0755);
  config_path_ = dir_ + "/rogatory.yaml";
  log_path_ = dir_ + "/server.log";
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) Stop(SIGKILL);
}

std::string ServerProcess::Start(const ServerConfig& config) {
  port_ = FreePort();
  std::ostringstream yaml;
  yaml << "listen: 127.0.0.1:" << port_ << "\n"
       << "store: \"" << config.store_url << "\"\n"
       << "workflows: \"" << config.workflows_dir << "\"\n"
       << "auth:\n  tokens:\n"
       << "    - {actor: carla.clerk, roles: [clerk], sha256: \"" << Sha256Hex(kClerkToken)
       << "\"}\n"
       << "    - {actor: jo.judge, roles: [judge], sha256: \"" << Sha256Hex(kJudgeToken) << "\"}\n"
       << "    - {actor: ops.admin, roles: [admin], sha256: \"" << Sha256Hex(kAdminToken) << "\"}\n"
       << "    - {actor: nina.nobody, roles: [], sha256: \"" << Sha256Hex(kNobodyToken) << "\"}\n"
       << "    - {actor: prom.scraper, roles: [metrics], sha256: \"" << Sha256Hex(kMetricsToken)
       << "\"}\n"
       << "webhooks:\n  allow_private: " << (config.allow_private_webhooks ? "true" : "false")
       << "\n"
       << "limits:\n  max_body: " << config.max_body << "\n"
       << "log:\n  format: " << config.log_format << "\n  level: info\n"
       << config.extra_yaml;
  std::ofstream(config_path_) << yaml.str();
  return Launch(config_path_, config.env);
}

std::string ServerProcess::StartWithConfigFile(
    const std::string& config_path, std::vector<std::pair<std::string, std::string>> env) {
  port_ = FreePort();
  env.emplace_back("ROGATORY_LISTEN", "127.0.0.1:" + std::to_string(port_));
  return Launch(config_path, env);
}

std::string ServerProcess::Launch(const std::string& config_path,
                                  const std::vector<std::pair<std::string, std::string>>& env) {
  pid_ = Spawn({"serve", "--config", config_path}, dir_, log_path_, env);
  if (pid_ <= 0) return "cannot start " + std::string(RogatoryBinary());

  httplib::Client client("127.0.0.1", port_);
  client.set_connection_timeout(0, 200000);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return "the server exited with " + std::to_string(DecodeWait(status)) + ":\n" + Log();
    }
    if (auto res = client.Get("/v1/health"); res && res->status == 200) return "";
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Stop(SIGKILL);
  return "the server did not answer within 30 s:\n" + Log();
}

int ServerProcess::Stop(int sig) {
  if (pid_ <= 0) return -1;
  kill(pid_, sig);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return DecodeWait(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return -1;
}

std::string ServerProcess::Log() const {
  std::ifstream in(log_path_);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int RunRogatory(const std::vector<std::string>& args, const std::string& cwd, std::string* output,
                const std::vector<std::pair<std::string, std::string>>& env) {
  const std::string dir = MakeTempDir("rogatory-run");
  const std::string log = dir + "/output";
  const pid_t pid = Spawn(args, cwd, log, env);
  int status = 0;
  waitpid(pid, &status, 0);
  std::ifstream in(log);
  std::stringstream s;
  s << in.rdbuf();
  *output = s.str();
  std::remove(log.c_str());
  rmdir(dir.c_str());
  return DecodeWait(status);
}

}  // namespace rogatory::e2e
