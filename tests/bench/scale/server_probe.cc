#include "scale/server_probe.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <thread>

#include "sha256.h"  // engine/src: the token's digest for the config

namespace rogatory::scale {
namespace {

// YYYY-MM-DD of an instant, in UTC (the stats API's `from`/`to`).
std::string Day(std::chrono::system_clock::time_point t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char text[16];
  std::strftime(text, sizeof text, "%Y-%m-%d", &tm);
  return text;
}

constexpr const char* kToken = "scale-bench-token";

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

// A blocking HTTP/1.1 client on one keep-alive loopback connection (GET only; the server
// answers with Content-Length).
class Client {
 public:
  explicit Client(int port) : port_(port) {}
  ~Client() { Close(); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // The status code of GET `path` (0 when the connection failed); the body goes to `body`.
  int Get(const std::string& path, std::string* body) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (fd_ < 0 && !Connect()) return 0;
      const std::string req = "GET " + path +
                              " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                              std::string(kToken) + "\r\n\r\n";
      if (send(fd_, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size())) {
        const int status = ReadResponse(body);
        if (status != 0) return status;
      }
      Close();  // the server closed an idle keep-alive connection: once more on a new one
    }
    return 0;
  }

 private:
  bool Connect() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port_));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      Close();
      return false;
    }
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return true;
  }
  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
    buffer_.clear();
  }
  // Reads one response; 0 on a closed or malformed one.
  int ReadResponse(std::string* body) {
    size_t header_end;
    while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return 0;
    }
    const std::string head = buffer_.substr(0, header_end);
    if (head.size() < 12 || head.compare(0, 5, "HTTP/") != 0) return 0;
    const int status = std::atoi(head.c_str() + 9);
    size_t length = 0;
    std::istringstream lines(head);
    for (std::string line; std::getline(lines, line);) {
      if (line.size() > 15 && strncasecmp(line.c_str(), "content-length:", 15) == 0) {
        length = static_cast<size_t>(std::atoll(line.c_str() + 15));
      }
    }
    const size_t total = header_end + 4 + length;
    while (buffer_.size() < total) {
      if (!Fill()) return 0;
    }
    *body = buffer_.substr(header_end + 4, length);
    buffer_.erase(0, total);
    return status;
  }
  bool Fill() {
    char chunk[65536];
    const ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  int port_;
  int fd_ = -1;
  std::string buffer_;
};

long RssKb(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

// fork + exec of `argv`, its output to `log` (appended).
pid_t Spawn(const std::vector<std::string>& argv, const std::string& log) {
  // Everything allocated before fork: the child of a threaded process may only exec.
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid != 0) return pid;
  const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd >= 0) {
    dup2(fd, 1);
    dup2(fd, 2);
    close(fd);
  }
  execv(args[0], args.data());
  _exit(127);
}

std::string Tail(const std::string& path) {
  std::ifstream in(path);
  std::stringstream all;
  all << in.rdbuf();
  const std::string s = all.str();
  return s.size() > 2000 ? s.substr(s.size() - 2000) : s;
}

}  // namespace

Result<std::string> WriteServerConfig(const ServerConfig& config, int* port) {
  *port = FreePort();
  if (*port == 0) return InternalError("no free loopback port");
  std::string roles;
  for (const std::string& r : config.roles) roles += (roles.empty() ? "" : ", ") + r;
  const std::string path = config.dir + "/scale_bench.yaml";
  std::ofstream out(path);
  out << "listen: 127.0.0.1:" << *port << "\n"
      << "store: \"" << config.store_url << "\"\n"
      << "workflows: \"" << config.workflows_dir << "\"\n"
      << "auth: {tokens: [{actor: scale.bench, roles: [" << roles << "], sha256: \""
      << Sha256Hex(kToken) << "\"}]}\n"
      << "log: {format: text, level: warn}\n";
  if (!out) return InternalError("cannot write " + path);
  return path;
}

Result<ServerRun> ProbeServer(const ServerConfig& config, const std::string& config_path, int port,
                              const std::vector<std::string>& ids,
                              const std::vector<std::string>& workflows, int calls) {
  ServerRun run;
  const std::string log = config.dir + "/scale_bench_serve.log";
  const auto started = std::chrono::steady_clock::now();
  const pid_t pid = Spawn({config.rogatory, "serve", "--config", config_path}, log);
  if (pid < 0) return InternalError("fork failed");
  auto stop = [&] {
    kill(pid, SIGTERM);
    int status = 0;
    waitpid(pid, &status, 0);
  };
  bool up = false;
  std::string body;
  while (!up && std::chrono::steady_clock::now() - started < std::chrono::seconds(60)) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      return InternalError("rogatory serve exited before answering:\n" + Tail(log));
    }
    Client probe(port);
    up = probe.Get("/v1/health", &body) == 200;
    if (!up) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (!up) {
    stop();
    return InternalError("rogatory serve did not answer /v1/health within 60 s:\n" + Tail(log));
  }
  run.start_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  run.rss_start_kb = RssKb(pid);

  std::mt19937_64 rng(7);
  const std::vector<std::pair<std::string, std::function<std::string()>>> routes = {
      {"GET /v1/requests?workflow=",
       [&] { return "/v1/requests?workflow=" + workflows[rng() % workflows.size()]; }},
      {"GET /v1/requests?after= (cursor page)",
       [&] { return "/v1/requests?after=" + ids[rng() % ids.size()]; }},
      {"GET /v1/requests?overdue=true", [&] { return std::string("/v1/requests?overdue=true"); }},
      {"GET /v1/requests/{id}", [&] { return "/v1/requests/" + ids[rng() % ids.size()]; }},
      {"GET /v1/requests/{id}/history",
       [&] { return "/v1/requests/" + ids[rng() % ids.size()] + "/history"; }},
      {"GET /v1/requests/{id}/events",
       [&] { return "/v1/requests/" + ids[rng() % ids.size()] + "/events"; }},
      // CONTRACT §9 over HTTP (issue 15: p99 <= 50 ms at 1 M): every workflow over all time,
      // and one random workflow over a random 90 days of the last year.
      {"GET /v1/stats", [&] { return std::string("/v1/stats"); }},
      {"GET /v1/stats?workflow=&from=&to= (90 days)",
       [&] {
         const auto from = std::chrono::system_clock::now() -
                           std::chrono::hours(24 * static_cast<int>(rng() % 365));
         return "/v1/stats?workflow=" + workflows[rng() % workflows.size()] + "&from=" + Day(from) +
                "&to=" + Day(from + std::chrono::hours(24 * 90));
       }},
  };
  Client client(port);
  for (int i = 0; i < calls; ++i) {
    for (const auto& [name, path] : routes) {
      const std::string target = path();
      const int status = Timed(run.calls[name], [&] { return client.Get(target, &body); });
      if (status != 200) {
        stop();
        return InternalError("GET " + target + " answered " + std::to_string(status) + ": " +
                             body.substr(0, 300));
      }
    }
  }
  run.rss_after_kb = RssKb(pid);
  stop();
  return run;
}

Result<double> TimeAuditVerify(const ServerConfig& config, const std::string& config_path,
                               std::string* output) {
  const std::string log = config.dir + "/scale_bench_audit.log";
  std::remove(log.c_str());
  const auto started = std::chrono::steady_clock::now();
  const pid_t pid = Spawn({config.rogatory, "audit", "verify", "--config", config_path}, log);
  int status = 0;
  waitpid(pid, &status, 0);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  *output = Tail(log);
  while (!output->empty() && output->back() == '\n') output->pop_back();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return InternalError("rogatory audit verify failed: " + *output);
  }
  return seconds;
}

}  // namespace rogatory::scale
