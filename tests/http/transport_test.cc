// HttpTransport over real loopback sockets with a handler of its own: graceful Stop() (a call
// in flight is answered, idle connections are closed), and many clients pipelining at once on
// a small pool, each answered in order.
#include "transport.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace rogatory::http {
namespace {

using Clock = std::chrono::steady_clock;

int Connect(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Reads until `done(got)` or the peer closes or `timeout` passes; returns what arrived and
// sets `*closed`.
template <typename Done>
std::string ReadUntil(int fd, Done done, std::chrono::milliseconds timeout, bool* closed) {
  std::string got;
  *closed = false;
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline && !done(got)) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 20) <= 0) continue;
    char buf[8192];
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      *closed = true;
      break;
    }
    got.append(buf, static_cast<size_t>(n));
  }
  return got;
}

int Count(const std::string& s, const std::string& needle) {
  int n = 0;
  for (size_t at = s.find(needle); at != std::string::npos; at = s.find(needle, at + 1)) ++n;
  return n;
}

class TransportTest : public ::testing::Test {
 protected:
  void StartTransport(int threads,
                      std::chrono::milliseconds head_timeout = std::chrono::seconds(10),
                      std::chrono::milliseconds body_timeout = std::chrono::seconds(30)) {
    TransportOptions o;
    o.port = 0;
    o.threads = threads;
    o.head_timeout = head_timeout;
    o.body_timeout = body_timeout;
    transport_ = std::make_unique<HttpTransport>(
        o,
        [this](HttpRequest& req, HttpResponse* res) {
          if (req.target == "/slow") {
            slow_started_ = true;
            std::this_thread::sleep_for(std::chrono::milliseconds(400));
          }
          res->SetBody("<" + req.target + ">", "text/plain");
        },
        [](const FrameError& e, HttpResponse* res) {
          res->status = e.status;
          res->SetBody(e.message, "text/plain");
        });
    ASSERT_TRUE(transport_->Start().ok());
  }

  std::unique_ptr<HttpTransport> transport_;
  std::atomic<bool> slow_started_{false};
};

TEST_F(TransportTest, StopAnswersTheCallInFlightAndClosesIdleConnections) {
  StartTransport(2);
  const int idle = Connect(transport_->port());
  const int busy = Connect(transport_->port());
  ASSERT_GE(idle, 0);
  ASSERT_GE(busy, 0);
  const std::string slow = "GET /slow HTTP/1.1\r\n\r\n";
  send(busy, slow.data(), slow.size(), MSG_NOSIGNAL);
  while (!slow_started_) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const auto start = Clock::now();
  std::thread stopper([this] { transport_->Stop(); });
  bool closed = false;
  const std::string answer = ReadUntil(
      busy, [](const std::string& g) { return g.find("</slow>") != std::string::npos; },
      std::chrono::seconds(5), &closed);
  EXPECT_EQ(answer.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << answer;
  EXPECT_NE(answer.find("</slow>"), std::string::npos) << answer;
  ReadUntil(
      idle, [](const std::string&) { return false; }, std::chrono::seconds(3), &closed);
  EXPECT_TRUE(closed) << "the idle connection was not closed";
  stopper.join();
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(3));
  EXPECT_LT(Connect(transport_->port()), 0) << "still accepting after Stop()";
  close(idle);
  close(busy);
}

TEST_F(TransportTest, ManyPipeliningClientsAreEachAnsweredInOrder) {
  StartTransport(3);
  constexpr int kClients = 16;
  constexpr int kRequests = 50;
  std::atomic<int> good{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      const int fd = Connect(transport_->port());
      if (fd < 0) return;
      std::string bytes;
      for (int i = 0; i < kRequests; ++i) {
        bytes += "POST /c" + std::to_string(c) + "/r" + std::to_string(i) +
                 " HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc";
      }
      bytes += "GET /last HTTP/1.1\r\nConnection: close\r\n\r\n";
      send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      bool closed = false;
      const std::string got = ReadUntil(
          fd, [](const std::string&) { return false; }, std::chrono::seconds(10), &closed);
      close(fd);
      size_t at = 0;
      bool in_order = closed && Count(got, "HTTP/1.1 200 OK") == kRequests + 1;
      for (int i = 0; i < kRequests && in_order; ++i) {
        const size_t next =
            got.find("</c" + std::to_string(c) + "/r" + std::to_string(i) + ">", at);
        in_order = next != std::string::npos;
        at = next;
      }
      if (in_order && got.find("</last>", at) != std::string::npos) ++good;
    });
  }
  for (std::thread& t : clients) t.join();
  EXPECT_EQ(good, kClients);
  transport_->Stop();
}

TEST_F(TransportTest, ARefusedRequestIsAnsweredAndTheRestIsNeverParsed) {
  StartTransport(1);
  const int fd = Connect(transport_->port());
  const std::string bytes =
      "POST /a HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx"
      "GET /smuggled HTTP/1.1\r\n\r\n";
  send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  bool closed = false;
  const std::string got = ReadUntil(
      fd, [](const std::string&) { return false; }, std::chrono::seconds(5), &closed);
  close(fd);
  EXPECT_EQ(got.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << got;
  EXPECT_NE(got.find("Connection: close"), std::string::npos) << got;
  EXPECT_EQ(got.find("smuggled"), std::string::npos) << got;
  EXPECT_TRUE(closed);
  transport_->Stop();
}

TEST_F(TransportTest, ATricklingHeadOrBodyIsCutOffAtItsDeadline) {
  StartTransport(1, std::chrono::milliseconds(300), std::chrono::milliseconds(300));
  for (const std::string& start :
       {std::string("GET /slow"), std::string("POST /x HTTP/1.1\r\nContent-Length: 100\r\n\r\n")}) {
    const int fd = Connect(transport_->port());
    ASSERT_GE(fd, 0);
    send(fd, start.data(), start.size(), MSG_NOSIGNAL);
    const auto begin = Clock::now();
    bool closed = false;
    // A byte every 50 ms keeps the connection busy but never completes the request.
    while (!closed && Clock::now() - begin < std::chrono::seconds(3)) {
      send(fd, "a", 1, MSG_NOSIGNAL);
      ReadUntil(
          fd, [](const std::string&) { return false; }, std::chrono::milliseconds(50), &closed);
    }
    close(fd);
    EXPECT_TRUE(closed) << start;
    EXPECT_LT(Clock::now() - begin, std::chrono::seconds(2)) << start;
  }
  EXPECT_FALSE(slow_started_);
  transport_->Stop();
}

}  // namespace
}  // namespace rogatory::http
