// The HTTP front under hostile input (issue 9, points 3 and 6), over raw sockets and curl
// against the real `rogatory serve`: every request-smuggling framing is refused with 400 and
// the connection closed (the smuggled request never runs), pipelined requests are answered in
// order, slow clients lock nobody out, header values are taken as sent, and bad bytes in paths,
// queries and bodies get 4xx JSON errors, never a 500.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "api.h"

namespace rogatory::e2e {
namespace {

using nlohmann::json;

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

struct Exchange {
  std::string reply;
  bool closed = false;  // the server closed the connection
};

// Sends `bytes` and reads until the server closes the connection or `timeout_ms` passes.
Exchange SendUntilClose(int port, const std::string& bytes, int timeout_ms = 4000) {
  Exchange out;
  const int fd = Connect(port);
  if (fd < 0) return out;
  send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    char buf[4096];
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      out.closed = true;
      break;
    }
    out.reply.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return out;
}

int CountOf(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// True when some request's data.title is `title` (walks every page of the list).
bool RequestWithTitleExists(const std::string& title) {
  Api api;
  std::string after;
  for (;;) {
    Answer page =
        api.Get("/v1/requests?limit=1000" + (after.empty() ? "" : "&after=" + after), kClerkToken);
    EXPECT_EQ(page.status, 200) << page.text;
    if (page.status != 200) return false;
    for (const json& r : page.json["items"]) {
      if (r["data"].value("title", "") == title) return true;
    }
    if (page.json["next"].is_null()) return false;
    after = page.json["next"].get<std::string>();
  }
}

// A complete request creating a `case` titled `title`: what a smuggler hides in a body.
std::string SmuggledCreate(const std::string& title) {
  const std::string body = R"({"workflow":"case","data":{"title":")" + title + R"("}})";
  return "POST /v1/requests HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
         std::string(kClerkToken) +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + body;
}

// Sends a POST whose framing headers are `framing` and whose body is a smuggled create; the
// server must answer 400, close, and create nothing.
void ExpectSmugglingRefused(const std::string& framing, const std::string& title) {
  const std::string inner = SmuggledCreate(title);
  const std::string bytes = "POST /v1/health HTTP/1.1\r\nHost: x\r\n" + framing + "\r\n" + inner;
  const Exchange e = SendUntilClose(SharedPort(), bytes);
  EXPECT_EQ(e.reply.rfind("HTTP/1.1 400 ", 0), 0u) << framing << "\n" << e.reply;
  EXPECT_NE(e.reply.find("Connection: close"), std::string::npos) << e.reply;
  EXPECT_NE(e.reply.find(R"("code":"bad_request")"), std::string::npos) << e.reply;
  EXPECT_EQ(CountOf(e.reply, "HTTP/1.1 "), 1) << framing << "\n" << e.reply;
  EXPECT_TRUE(e.closed) << framing;
  EXPECT_FALSE(RequestWithTitleExists(title)) << framing;
}

TEST(HttpFrontTest, PercentEncodedContentLengthIsRefusedNotDecoded) {
  // cpp-httplib 0.11 decoded "%35" to 5 and read a body.
  ExpectSmugglingRefused("Content-Length: %378\r\n", "smuggled-percent-length");
  ExpectSmugglingRefused("Content-Length: %30\r\n", "smuggled-percent-zero");
}

TEST(HttpFrontTest, PercentEncodedChunkedIsRefusedNotDecoded) {
  ExpectSmugglingRefused("Transfer-Encoding: %63hunked\r\n", "smuggled-percent-chunked");
}

TEST(HttpFrontTest, TwoContentLengthsAreRefused) {
  ExpectSmugglingRefused("Content-Length: 0\r\nContent-Length: 4\r\n", "smuggled-two-lengths");
  ExpectSmugglingRefused("Content-Length: 0\r\nContent-Length: 0\r\n", "smuggled-equal-lengths");
  ExpectSmugglingRefused("Content-Length: 0, 0\r\n", "smuggled-length-list");
}

TEST(HttpFrontTest, ContentLengthWithTransferEncodingIsRefused) {
  ExpectSmugglingRefused("Content-Length: 0\r\nTransfer-Encoding: chunked\r\n",
                         "smuggled-length-and-chunked");
  ExpectSmugglingRefused("Transfer-Encoding: chunked\r\nContent-Length: 0\r\n",
                         "smuggled-chunked-and-length");
}

TEST(HttpFrontTest, TransferEncodingOtherThanChunkedIsRefused) {
  // cpp-httplib 0.11 held a worker forever on "identity, chunked".
  const auto start = std::chrono::steady_clock::now();
  ExpectSmugglingRefused("Transfer-Encoding: identity, chunked\r\n", "smuggled-identity-chunked");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  ExpectSmugglingRefused("Transfer-Encoding: gzip\r\n", "smuggled-gzip");
  ExpectSmugglingRefused("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
                         "smuggled-two-encodings");
}

TEST(HttpFrontTest, BodyAfterA413NeverRunsAsARequest) {
  // The declared body (over max_body 8192) starts with a complete request: cpp-httplib 0.11
  // answered 413 and then ran it.
  for (const std::string& expect : {std::string(), std::string("Expect: 100-continue\r\n")}) {
    const std::string title = "smuggled-after-413" + std::to_string(expect.size());
    const std::string head = "POST /v1/requests HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                             std::string(kClerkToken) + "\r\n" + expect +
                             "Content-Type: application/json\r\nContent-Length: 9000\r\n\r\n";
    const Exchange e = SendUntilClose(SharedPort(), head + SmuggledCreate(title));
    EXPECT_EQ(e.reply.rfind("HTTP/1.1 413 ", 0), 0u) << e.reply;
    EXPECT_NE(e.reply.find("Connection: close"), std::string::npos) << e.reply;
    EXPECT_EQ(CountOf(e.reply, "HTTP/1.1 "), 1) << e.reply;
    EXPECT_TRUE(e.closed);
    EXPECT_FALSE(RequestWithTitleExists(title)) << expect;
  }
}

TEST(HttpFrontTest, PipelinedRequestsAreAnsweredInOrder) {
  // cpp-httplib 0.11 left the second of two pipelined requests unanswered.
  const std::string auth = "Authorization: Bearer " + std::string(kClerkToken) + "\r\n";
  const std::string bytes = "GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Request-Id: first\r\n\r\n" +
                            SmuggledCreate("pipelined-create") +
                            "GET /v1/workflows HTTP/1.1\r\nHost: x\r\n" + auth +
                            "X-Request-Id: third\r\nConnection: close\r\n\r\n";
  const Exchange e = SendUntilClose(SharedPort(), bytes);
  ASSERT_EQ(CountOf(e.reply, "HTTP/1.1 "), 3) << e.reply;
  const size_t first = e.reply.find("X-Request-Id: first");
  const size_t created = e.reply.find("HTTP/1.1 201 ");
  const size_t third = e.reply.find("X-Request-Id: third");
  EXPECT_EQ(e.reply.rfind("HTTP/1.1 200 ", 0), 0u) << e.reply;
  EXPECT_LT(first, created) << e.reply;
  EXPECT_LT(created, third) << e.reply;
  EXPECT_NE(e.reply.find(R"("status":"ok")"), std::string::npos);
  EXPECT_TRUE(e.closed);
  EXPECT_TRUE(RequestWithTitleExists("pipelined-create"));
}

TEST(HttpFrontTest, PipelinedHeadAndGetKeepTheirFraming) {
  const std::string bytes =
      "HEAD /v1/health HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  const Exchange e = SendUntilClose(SharedPort(), bytes);
  ASSERT_EQ(CountOf(e.reply, "HTTP/1.1 200 "), 2) << e.reply;
  // The HEAD answer announces the GET's length but carries no body.
  EXPECT_EQ(CountOf(e.reply, R"({"status":"ok"})"), 1) << e.reply;
  EXPECT_EQ(CountOf(e.reply, "Content-Length: 15\r\n"), 2) << e.reply;
}

TEST(HttpFrontTest, Http10KeepAliveIsAnnounced) {
  const Exchange e = SendUntilClose(SharedPort(),
                                    "GET /v1/health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
                                    "GET /v1/health HTTP/1.0\r\n\r\n");
  ASSERT_EQ(CountOf(e.reply, "HTTP/1.1 200 "), 2) << e.reply;
  EXPECT_LT(e.reply.find("Connection: keep-alive"), e.reply.find("Connection: close")) << e.reply;
  EXPECT_TRUE(e.closed);
}

std::string Curl(const std::vector<std::string>& args) {
  std::string command = "curl -s --max-time 5";
  for (const std::string& a : args) command += " '" + a + "'";
  command += " 2>&1";
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

std::string Url(const std::string& path) {
  return "http://127.0.0.1:" + std::to_string(SharedPort()) + path;
}

TEST(HttpFrontTest, SlowClientsDoNotLockOutOthers) {
  // Fifty clients sending a request head a byte a second: cpp-httplib's 16 threads each held
  // one and curl waited for its timeout.
  constexpr int kSlow = 50;
  std::vector<int> fds;
  for (int i = 0; i < kSlow; ++i) {
    const int fd = Connect(SharedPort());
    ASSERT_GE(fd, 0);
    fds.push_back(fd);
  }
  const std::string head = "GET /v1/health HTTP/1.1\r\nHost: slow\r\n\r\n";
  std::atomic<bool> done{false};
  std::thread dripper([&] {
    for (size_t i = 0; i < head.size() - 1 && !done; ++i) {
      for (int fd : fds) send(fd, &head[i], 1, MSG_NOSIGNAL);
      for (int t = 0; t < 10 && !done; ++t) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  const auto start = std::chrono::steady_clock::now();
  const std::string out = Curl({"-w", "%{http_code}", "-o", "/dev/null", Url("/v1/health")});
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(out, "200");
  EXPECT_LT(took, std::chrono::seconds(2));
  const std::string wf =
      Curl({"-w", "%{http_code}", "-o", "/dev/null", "-H",
            std::string("Authorization: Bearer ") + kClerkToken, Url("/v1/workflows")});
  EXPECT_EQ(wf, "200");
  done = true;
  dripper.join();
  for (int fd : fds) close(fd);
}

TEST(HttpFrontTest, HeaderValuesAreTakenAsSent) {
  // cpp-httplib 0.11 decoded "%00junk" away and let the token authenticate.
  EXPECT_EQ(
      Curl({"-w", "%{http_code}", "-o", "/dev/null", "-H",
            std::string("Authorization: Bearer ") + kClerkToken + "%00junk", Url("/v1/workflows")}),
      "401");
  EXPECT_EQ(Curl({"-w", "%{http_code}", "-o", "/dev/null", "-H",
                  std::string("Authorization: Bearer ") + kClerkToken, Url("/v1/workflows")}),
            "200");
}

TEST(HttpFrontTest, ChunkedBodiesAndContinueStillWork) {
  // curl sends a chunked body after waiting for 100 Continue.
  const std::string out =
      Curl({"-w", "\n%{http_code}", "-H", std::string("Authorization: Bearer ") + kClerkToken, "-H",
            "Transfer-Encoding: chunked", "-H", "Expect: 100-continue", "-H",
            "Content-Type: application/json", "--data-binary",
            R"({"workflow":"case","data":{"title":"chunked-by-curl"}})", Url("/v1/requests")});
  EXPECT_EQ(out.substr(out.size() - 3), "201") << out;
  EXPECT_TRUE(RequestWithTitleExists("chunked-by-curl"));
}

TEST(HttpFrontTest, IdleConnectionsCostNoThreadAndAreClosedAfterTheKeepAliveTimeout) {
  // 500 idle connections (cpp-httplib gave each a thread of 16) while curl is still served.
  std::vector<int> idle;
  for (int i = 0; i < 500; ++i) {
    const int fd = Connect(SharedPort());
    ASSERT_GE(fd, 0);
    idle.push_back(fd);
  }
  EXPECT_EQ(Curl({"-w", "%{http_code}", "-o", "/dev/null", Url("/v1/health")}), "200");
  for (int fd : idle) close(fd);
  // A kept-alive connection is closed by the server once idle for keep_alive_timeout (2 s).
  const int fd = Connect(SharedPort());
  ASSERT_GE(fd, 0);
  const std::string get = "GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n";
  send(fd, get.data(), get.size(), MSG_NOSIGNAL);
  std::string got;
  bool closed = false;
  const auto start = std::chrono::steady_clock::now();
  while (!closed && std::chrono::steady_clock::now() - start < std::chrono::seconds(6)) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    char buf[4096];
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) closed = true;
    if (n > 0) got.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  EXPECT_EQ(got.rfind("HTTP/1.1 200 ", 0), 0u) << got;
  EXPECT_TRUE(closed);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1500));
}

void ExpectJsonError(const Answer& a, const std::string& what) {
  EXPECT_TRUE(a.status == 400 || a.status == 404) << what << ": " << a.status << " " << a.text;
  ASSERT_TRUE(a.json.is_object()) << what << ": " << a.text;
  EXPECT_TRUE(a.json["error"]["message"].is_string()) << what;
}

TEST(HttpFrontTest, InvalidUtf8InPathsAndQueriesIsAClientError) {
  // Each answered 500 (json type_error.316) before.
  Api api;
  for (const std::string& id : {std::string("%ff%fe"), std::string("%ff"), std::string("a%c3")}) {
    ExpectJsonError(api.Get("/v1/requests/" + id, kClerkToken), "GET request " + id);
    ExpectJsonError(api.Get("/v1/requests/" + id + "/events", kClerkToken), "events " + id);
    ExpectJsonError(api.Get("/v1/requests/" + id + "/history", kClerkToken), "history " + id);
    ExpectJsonError(api.Post("/v1/requests/" + id + "/events", kClerkToken, json{{"event", "x"}}),
                    "fire " + id);
    ExpectJsonError(
        api.Post("/v1/requests/" + id + "/migrate", kAdminToken, json{{"target_version", 2}}),
        "migrate " + id);
    ExpectJsonError(api.Get("/v1/workflows/" + id, kClerkToken), "workflow " + id);
    ExpectJsonError(api.Get("/v1/subscriptions/" + id, kAdminToken), "subscription " + id);
    ExpectJsonError(api.Delete("/v1/subscriptions/" + id, kAdminToken), "delete sub " + id);
    ExpectJsonError(api.Get("/v1/deliveries/" + id, kAdminToken), "delivery " + id);
    ExpectJsonError(api.Post("/v1/deliveries/" + id + "/retry", kAdminToken, std::string()),
                    "retry " + id);
  }
  for (const std::string& q : {std::string("?%ff=1"), std::string("?limit=%ff"),
                               std::string("?workflow=%fe%ff"), std::string("?a=%zz")}) {
    Answer a = api.Get("/v1/requests" + q, kClerkToken);
    ExpectJsonError(a, "list " + q);
    EXPECT_EQ(a.ErrorCode(), "invalid_query") << q;
    ExpectJsonError(api.Get("/v1/workflows" + q, kClerkToken), "workflows " + q);
  }
  EXPECT_EQ(api.Get("/v1/requests/%ff", kClerkToken).ErrorCode(), "invalid_path");
}

TEST(HttpFrontTest, EncodedSlashInAnIdIsNotAPathSeparator) {
  // "%2f" was decoded before routing: POST /v1/requests/ID%2fevents fired an event on ID.
  Api api;
  const std::string id = api.CreateCase();
  Answer a = api.Post("/v1/requests/" + id + "%2fevents", kClerkToken, json{{"event", "note"}});
  EXPECT_EQ(a.status, 405) << a.text;
  Answer after = api.Get("/v1/requests/" + id, kClerkToken);
  EXPECT_EQ(after.json["revision"], 1) << after.text;
  Answer b = api.Get("/v1/requests/" + id + "%2fhistory", kClerkToken);
  EXPECT_EQ(b.status, 404) << b.text;
  EXPECT_TRUE(b.json.is_object()) << b.text;
}

TEST(HttpFrontTest, JsonBodyFollowedByNulAndBytesIs400) {
  Api api;
  const std::string body("{\"workflow\":\"case\",\"data\":{\"title\":\"nul-tail\"}}\0junk", 52);
  Answer a = api.Post("/v1/requests", kClerkToken, body);
  EXPECT_EQ(a.status, 400) << a.text;
  EXPECT_EQ(a.ErrorCode(), "malformed_json");
  EXPECT_FALSE(RequestWithTitleExists("nul-tail"));
}

TEST(HttpFrontTest, EmptyIdempotencyKeyIs400) {
  const std::string body = R"({"workflow":"case","data":{"title":"empty-key"}})";
  const Exchange e = SendUntilClose(
      SharedPort(), "POST /v1/requests HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                        std::string(kClerkToken) +
                        "\r\nIdempotency-Key:\r\nConnection: close\r\nContent-Length: " +
                        std::to_string(body.size()) + "\r\n\r\n" + body);
  EXPECT_EQ(e.reply.rfind("HTTP/1.1 400 ", 0), 0u) << e.reply;
  EXPECT_NE(e.reply.find("invalid_header"), std::string::npos) << e.reply;
  EXPECT_FALSE(RequestWithTitleExists("empty-key"));
}

TEST(HttpFrontTest, EchoedClientStringsAreCapped) {
  // A 900 KB workflow name came back whole; the shared server's bodies stop at 8 KB.
  Api api;
  Answer a = api.Post("/v1/requests", kClerkToken,
                      json{{"workflow", std::string(7000, 'w')}, {"data", json::object()}});
  EXPECT_EQ(a.status, 404) << a.text.substr(0, 200);
  ASSERT_TRUE(a.json.is_object());
  EXPECT_LE(a.json["error"]["message"].get<std::string>().size(), 1003u);
  Answer b =
      api.Post("/v1/requests", kClerkToken,
               json{{"workflow", "case"}, {"data", {{"title", "t"}}}, {std::string(5000, 'f'), 1}});
  EXPECT_EQ(b.status, 422) << b.text.substr(0, 200);
  ASSERT_TRUE(b.json.is_object());
  EXPECT_LE(b.json["error"]["message"].get<std::string>().size(), 260u);
  EXPECT_NE(b.json["error"]["message"].get<std::string>().find("\xe2\x80\xa6"), std::string::npos);
}

TEST(HttpFrontTest, TextAccessLogEscapesWhatTheClientSent) {
  // Decoded paths were logged raw: an ESC sequence or " status=200" could forge a line.
  ServerProcess server(MakeTempDir("rogatory-e2e-access-log"));
  ServerConfig config;
  config.store_url = FreshStoreUrl();
  config.workflows_dir = FixtureWorkflowsDir();
  config.log_format = "text";
  ASSERT_EQ(server.Start(config), "");
  SendUntilClose(server.port(),
                 "GET /v1/requests/%1b[31mx%20status=200%0d%0afake\"q\\ HTTP/1.1\r\nHost: x\r\n"
                 "Authorization: Bearer " +
                     std::string(kClerkToken) + "\r\nConnection: close\r\n\r\n");
  SendUntilClose(server.port(),
                 "GET /v1/requests/\xff\xfe\x80x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  ASSERT_EQ(server.Stop(SIGTERM), 0);
  const std::string log = server.Log();
  std::istringstream lines(log);
  std::string line;
  int http_lines = 0;
  while (std::getline(lines, line)) {
    for (char c : line) {
      EXPECT_FALSE(static_cast<unsigned char>(c) < 0x20 && c != '\t') << line;
      EXPECT_NE(c, '\x1b') << line;
    }
    if (line.find("http request_id=") == std::string::npos) continue;
    if (line.find("route=/v1/health") != std::string::npos) continue;
    ++http_lines;
    EXPECT_EQ(CountOf(line, " status="), 1) << line;
    EXPECT_EQ(line.find("fake\"q"), std::string::npos) << line;
  }
  EXPECT_GE(http_lines, 2) << log;
}

}  // namespace
}  // namespace rogatory::e2e
