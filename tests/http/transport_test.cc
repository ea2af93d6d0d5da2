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
#include <cstdio>
#include <string>
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

// 16 MiB (more than the 4 MiB a loopback socket buffers at most) whose every 8-byte word says its
// own offset: a byte lost, doubled or moved shows.
const std::string& BigBody() {
  static const std::string body = [] {
    std::string b;
    char word[16];
    for (size_t at = 0; at < (size_t{16} << 20); at += 8) {
      std::snprintf(word, sizeof word, "%07zx\n", at / 8 % 0x10000000);
      b.append(word, 8);
    }
    return b;
  }();
  return body;
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
          if (req.target == "/big") return res->SetBody(BigBody(), "text/plain");
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

// An answer larger than the socket can take at once: the transport writes what fits where the
// answer is made and the rest as the client reads (Session::Write). A raw client that waits
// before reading gets every byte in order, then a second answer on the same connection.
TEST_F(TransportTest, AnAnswerLargerThanTheSocketBufferArrivesWholeAndTheConnectionGoesOn) {
  StartTransport(1);
  const int fd = Connect(transport_->port());
  ASSERT_GE(fd, 0);
  const std::string first = "GET /big HTTP/1.1\r\n\r\n";
  send(fd, first.data(), first.size(), MSG_NOSIGNAL);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the server's buffer fills up
  const std::string head_end = "\r\n\r\n";
  bool closed = false;
  std::string got = ReadUntil(
      fd,
      [&](const std::string& g) {
        const size_t at = g.find(head_end);
        return at != std::string::npos && g.size() >= at + head_end.size() + BigBody().size();
      },
      std::chrono::seconds(20), &closed);
  ASSERT_FALSE(closed);
  const size_t body_at = got.find(head_end) + head_end.size();
  ASSERT_NE(body_at, std::string::npos + head_end.size()) << got.substr(0, 200);
  EXPECT_NE(got.find("Content-Length: " + std::to_string(BigBody().size())), std::string::npos);
  ASSERT_EQ(got.size() - body_at, BigBody().size());
  EXPECT_TRUE(got.compare(body_at, std::string::npos, BigBody()) == 0) << "the body differs";

  const std::string second = "GET /after HTTP/1.1\r\n\r\n";
  send(fd, second.data(), second.size(), MSG_NOSIGNAL);
  got = ReadUntil(
      fd, [](const std::string& g) { return g.find("</after>") != std::string::npos; },
      std::chrono::seconds(5), &closed);
  close(fd);
  EXPECT_NE(got.find("</after>"), std::string::npos) << got;
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
