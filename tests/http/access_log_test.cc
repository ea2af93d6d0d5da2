// The access line (adapters/http/src/access_log.cc) as text and as JSON, through a spdlog
// logger writing to a string: the fields, their order and the duration's three decimals.
#include "access_log.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace rogatory::http {
namespace {

class AccessLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    previous_ = spdlog::default_logger();
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
    auto logger = std::make_shared<spdlog::logger>("access-log-test", sink);
    logger->set_pattern("%v");
    logger->set_level(spdlog::level::info);
    spdlog::set_default_logger(logger);
  }
  void TearDown() override { spdlog::set_default_logger(previous_); }

  std::string Logged(const AccessRecord& r, bool json) {
    out_.str("");
    LogAccess(r, json);
    std::string line = out_.str();
    if (!line.empty() && line.back() == '\n') line.pop_back();
    return line;
  }

  static AccessRecord Record(double seconds) {
    AccessRecord r;
    r.request_id = "4ed89fecb87ea266";
    r.actor = "ana.issuing";
    r.method = "POST";
    r.route = "/v1/requests/{id}/events";
    r.path = "/v1/requests/r1/events";
    r.status = 200;
    r.seconds = seconds;
    r.response_bytes = 452;
    return r;
  }

  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

TEST_F(AccessLogTest, TextLineHasEveryFieldAndTheDurationToTheMicrosecond) {
  EXPECT_EQ(Logged(Record(0.0031215), false),
            "http request_id=4ed89fecb87ea266 actor=ana.issuing method=POST "
            "route=/v1/requests/{id}/events path=/v1/requests/r1/events status=200 "
            "duration_ms=3.122 bytes=452");
  EXPECT_NE(Logged(Record(0), false).find(" duration_ms=0.000 "), std::string::npos);
  EXPECT_NE(Logged(Record(12.5), false).find(" duration_ms=12500.000 "), std::string::npos);
  EXPECT_NE(Logged(Record(0.0000004), false).find(" duration_ms=0.000 "), std::string::npos);
  EXPECT_NE(Logged(Record(0.0015), false).find(" duration_ms=1.500 "), std::string::npos);
}

TEST_F(AccessLogTest, JsonLineHasTheFieldsInTheDocumentedOrder) {
  const std::string line = Logged(Record(0.0031215), true);
  EXPECT_EQ(line,
            R"({"msg":"http","request_id":"4ed89fecb87ea266","actor":"ana.issuing",)"
            R"("method":"POST","route":"/v1/requests/{id}/events","path":"/v1/requests/r1/events",)"
            R"("status":200,"duration_ms":3.122,"bytes":452})");
}

TEST_F(AccessLogTest, AServerErrorIsLoggedWithItsHiddenCause) {
  AccessRecord r = Record(0.001);
  r.status = 500;
  r.internal_error = "store: disk I/O error";
  const std::string line = Logged(r, false);
  EXPECT_NE(line.find(" status=500 "), std::string::npos) << line;
  EXPECT_NE(line.find(R"( error="store: disk I/O error")"), std::string::npos) << line;
}

}  // namespace
}  // namespace rogatory::http
