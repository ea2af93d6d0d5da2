// RequestParser without sockets: framing rules, pipelining, limits, and that nothing after an
// error is ever parsed.
#include "request_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rogatory::http {
namespace {

struct Outcome {
  std::vector<HttpRequest> requests;
  int error = 0;  // status, 0 when none
  bool saw_head = false;
};

// Feeds `bytes` in pieces of `step` bytes, as a connection would deliver them.
Outcome Parse(const std::string& bytes, size_t step = 1 << 20, FrameLimits limits = {}) {
  RequestParser p(limits);
  Outcome out;
  std::string pending;
  for (size_t at = 0; at < bytes.size();) {
    pending += bytes.substr(at, step);
    at += step;
    for (;;) {
      size_t used = 0;
      const RequestParser::Step s = p.Feed(pending, &used);
      pending.erase(0, used);
      if (s == RequestParser::Step::kError) {
        out.error = p.error().status;
        return out;
      }
      if (s == RequestParser::Step::kNeedMore) break;
      if (s == RequestParser::Step::kHead) out.saw_head = true;
      if (s == RequestParser::Step::kRequest) out.requests.push_back(p.Take());
    }
  }
  return out;
}

TEST(RequestParserTest, ReadsARequestWithHeadersAsSent) {
  for (size_t step : {size_t{1}, size_t{7}, size_t{1 << 20}}) {
    Outcome o = Parse(
        "POST /v1/requests/a%2fb?x=%ff HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer T%00junk\r\n"
        "Idempotency-Key:\r\nContent-Length: 4\r\n\r\nbody",
        step);
    ASSERT_EQ(o.error, 0);
    ASSERT_EQ(o.requests.size(), 1u);
    const HttpRequest& r = o.requests[0];
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.target, "/v1/requests/a%2fb?x=%ff");
    EXPECT_EQ(r.RawPath(), "/v1/requests/a%2fb");
    EXPECT_EQ(r.RawQuery(), "x=%ff");
    ASSERT_NE(r.Header("authorization"), nullptr);
    EXPECT_EQ(*r.Header("authorization"), "Bearer T%00junk");
    ASSERT_NE(r.Header("Idempotency-Key"), nullptr);
    EXPECT_EQ(*r.Header("Idempotency-Key"), "");
    EXPECT_EQ(r.Header("X-Missing"), nullptr);
    EXPECT_EQ(r.body, "body");
    EXPECT_TRUE(r.keep_alive);
  }
}

TEST(RequestParserTest, PipelinedRequestsComeOutInOrder) {
  Outcome o = Parse(
      "GET /a HTTP/1.1\r\n\r\nPOST /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n0\r\n\r\nGET /c HTTP/1.0\r\n\r\n",
      5);
  ASSERT_EQ(o.error, 0);
  ASSERT_EQ(o.requests.size(), 3u);
  EXPECT_EQ(o.requests[0].target, "/a");
  EXPECT_EQ(o.requests[1].body, "abc");
  EXPECT_EQ(o.requests[2].target, "/c");
  EXPECT_FALSE(o.requests[2].keep_alive);
  EXPECT_TRUE(o.saw_head);
}

TEST(RequestParserTest, AmbiguousLengthsAre400) {
  const std::string tail = "\r\n0\r\n\r\n";
  for (const std::string& framing : {
           std::string("Content-Length: %378\r\n"),
           std::string("Content-Length: +4\r\n"),
           std::string("Content-Length: 4, 4\r\n"),
           std::string("Content-Length: 4\r\nContent-Length: 4\r\n"),
           std::string("Content-Length: 4\r\nContent-Length: 5\r\n"),
           std::string("Content-Length: 4\r\nTransfer-Encoding: chunked\r\n"),
           std::string("Transfer-Encoding: chunked\r\nContent-Length: 4\r\n"),
           std::string("Transfer-Encoding: %63hunked\r\n"),
           std::string("Transfer-Encoding: identity, chunked\r\n"),
           std::string("Transfer-Encoding: chunked, identity\r\n"),
           std::string("Transfer-Encoding: gzip\r\n"),
           std::string("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"),
       }) {
    Outcome o = Parse("POST /x HTTP/1.1\r\n" + framing + "\r\nabcd" + tail);
    EXPECT_EQ(o.error, 400) << framing;
    EXPECT_TRUE(o.requests.empty()) << framing;
  }
}

TEST(RequestParserTest, NothingAfterAnErrorIsParsed) {
  RequestParser p(FrameLimits{});
  size_t used = 0;
  ASSERT_EQ(p.Feed("POST /x HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", &used),
            RequestParser::Step::kError);
  EXPECT_EQ(p.Feed("GET /y HTTP/1.1\r\n\r\n", &used), RequestParser::Step::kError);
  EXPECT_EQ(used, 0u);
}

TEST(RequestParserTest, DeclaredBodyOverTheLimitIs413BeforeItIsRead) {
  RequestParser p(FrameLimits{16384, 100});
  size_t used = 0;
  ASSERT_EQ(p.Feed("POST /x HTTP/1.1\r\nContent-Length: 101\r\n\r\n", &used),
            RequestParser::Step::kError);
  EXPECT_EQ(p.error().status, 413);
  Outcome chunked = Parse("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n65\r\n" +
                              std::string(101, 'x') + "\r\n0\r\n\r\n",
                          1 << 20, FrameLimits{16384, 100});
  EXPECT_EQ(chunked.error, 413);
}

TEST(RequestParserTest, OversizedHeadIs431) {
  Outcome o = Parse("GET /" + std::string(20000, 'a') + " HTTP/1.1\r\n\r\n", 1000);
  EXPECT_EQ(o.error, 431);
}

TEST(RequestParserTest, ExpectContinueIsReported) {
  RequestParser p(FrameLimits{});
  size_t used = 0;
  ASSERT_EQ(p.Feed("POST /x HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n", &used),
            RequestParser::Step::kHead);
  EXPECT_TRUE(p.ExpectsContinue());
  EXPECT_TRUE(p.InBody());
  ASSERT_EQ(p.Feed("ok", &used), RequestParser::Step::kRequest);
  EXPECT_EQ(p.Take().body, "ok");
}

}  // namespace
}  // namespace rogatory::http
