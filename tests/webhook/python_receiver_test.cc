// The dispatcher against a consumer we did not write: Python's http.server answering 200, 201,
// 202 or 204, over HTTP/1.0 and HTTP/1.1, keeping the connection alive or closing it. Every event
// must arrive exactly once and be recorded as delivered (CONTRACT §5: any 2xx acknowledges).
// Regression: cpp-httplib 0.11 does not call a response handler for 204, which the sender took
// for "no answer" and retried until dead-lettered ("no answer: Success").
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <ostream>
#include <sstream>
#include <thread>

#include "rogatory/webhook_dispatcher.h"
#include "webhook_test_env.h"

namespace rogatory::testing {
namespace {

using std::chrono::milliseconds;

// tests/webhook/python_receiver.py as a child process on a free loopback port.
class PythonReceiver {
 public:
  PythonReceiver(int status, const std::string& protocol, const std::string& connection) {
    char log_template[] = "/tmp/rogatory_python_receiver_XXXXXX";
    const int log_fd = mkstemp(log_template);
    if (log_fd < 0) return;
    close(log_fd);
    log_ = log_template;
    int out[2];
    if (pipe(out) != 0) return;
    const std::string status_text = std::to_string(status);
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      close(out[0]);
      close(out[1]);
      execlp("python3", "python3", ROGATORY_PYTHON_RECEIVER, status_text.c_str(), protocol.c_str(),
             connection.c_str(), log_.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    close(out[1]);
    // The first line is the port it listens on.
    std::string line;
    pollfd p{out[0], POLLIN, 0};
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    char c = 0;
    while (std::chrono::steady_clock::now() < until && poll(&p, 1, 100) >= 0) {
      if ((p.revents & (POLLIN | POLLHUP)) == 0) continue;
      if (read(out[0], &c, 1) != 1 || c == '\n') break;
      line += c;
    }
    out_ = out[0];
    port_ = std::atoi(line.c_str());
  }

  ~PythonReceiver() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
    if (out_ >= 0) close(out_);
    if (!log_.empty()) std::remove(log_.c_str());
  }

  bool ok() const { return pid_ > 0 && port_ > 0; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }

  // How often each webhook-id arrived, and with which body sizes.
  std::map<std::string, std::vector<size_t>> Arrived() const {
    std::map<std::string, std::vector<size_t>> out;
    std::ifstream in(log_);
    std::string id;
    size_t size = 0;
    while (in >> id >> size) out[id].push_back(size);
    return out;
  }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  int port_ = 0;
  std::string log_;
};

struct Consumer {
  int status;
  const char* protocol;
  const char* connection;
};

void PrintTo(const Consumer& c, std::ostream* os) {
  *os << c.status << " over " << c.protocol << ", " << c.connection;
}

class PythonReceiverTest : public ::testing::TestWithParam<Consumer> {};

TEST_P(PythonReceiverTest, EachEventArrivesOnceAndIsDelivered) {
  const Consumer& consumer = GetParam();
  PythonReceiver receiver(consumer.status, consumer.protocol, consumer.connection);
  ASSERT_TRUE(receiver.ok()) << "python3 " << ROGATORY_PYTHON_RECEIVER << " did not start";
  WebhookEnv env(StoreKind::kMemory);
  ASSERT_TRUE(env.ok());
  env.Subscribe(receiver.url(), NewSecret());
  WebhookDispatcherOptions o = FastOptions();
  o.workers = 1;  // one sender: consecutive events share its kept-alive connection
  o.retry.max_attempts = 3;
  WebhookDispatcher dispatcher(env.shared(), o);
  dispatcher.Start();
  for (int r = 0; r < 2; ++r) {
    RequestId id = env.Create();
    env.Fire(id);
    env.Fire(id);
  }
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!env.Deliveries(DeliveryStatus::kPending).empty() &&
         std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  dispatcher.Stop();

  const auto deliveries = env.Deliveries();
  ASSERT_EQ(deliveries.size(), 6u);
  const auto arrived = receiver.Arrived();
  EXPECT_EQ(arrived.size(), 6u);
  for (const Delivery& d : deliveries) {
    EXPECT_EQ(d.status, DeliveryStatus::kDelivered) << d.id << ": " << d.last_error;
    EXPECT_EQ(d.attempts, 1) << d.id << ": " << d.last_error;
    auto it = arrived.find("msg_" + d.id);
    ASSERT_NE(it, arrived.end()) << d.id << " never arrived";
    EXPECT_THAT(it->second, ::testing::ElementsAre(d.body.size())) << d.id;
  }
  EXPECT_EQ(dispatcher.stats().delivered, 6u);
  EXPECT_EQ(dispatcher.stats().retried, 0u);
}

std::vector<Consumer> AllConsumers() {
  std::vector<Consumer> out;
  for (int status : {200, 201, 202, 204}) {
    out.push_back({status, "HTTP/1.0", "close"});
    out.push_back({status, "HTTP/1.0", "keep-alive"});
    out.push_back({status, "HTTP/1.1", "keep-alive"});
    out.push_back({status, "HTTP/1.1", "close"});
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Consumers, PythonReceiverTest, ::testing::ValuesIn(AllConsumers()),
                         [](const auto& info) {
                           std::string name = std::to_string(info.param.status) + "_" +
                                              info.param.protocol + "_" + info.param.connection;
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace rogatory::testing
