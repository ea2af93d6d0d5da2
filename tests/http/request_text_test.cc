#include "request_text.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "rogatory/time.h"

namespace rogatory::http {
namespace {

// What the API sent before request_text.h: the tree of RequestToJson, dumped by Call::Json.
std::string TreeDump(const Request& r) {
  return RequestToJson(r).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

TimePoint At(const char* text) { return *ParseRfc3339(text); }

Request Sample() {
  Request r;
  r.id = "01M844SEBAV97HECX6M1EJ4G2C";
  r.workflow = "case";
  r.version = 3;
  r.state = "draft";
  r.phase = Phase::kExecution;
  r.revision = 42;
  r.created_at = At("2026-11-23T12:06:15.658087Z");
  r.updated_at = At("2026-11-24T00:00:00Z");
  r.head_hash = std::string(64, 'b');
  r.data = nlohmann::json{{"remark", "bench"}, {"urgent", false}, {"n", 1.5}, {"list", {1, 2}}};
  r.references = nlohmann::json{{"issuing", "FR/2026/1"}};
  return r;
}

TEST(RequestJsonTextTest, WritesTheBytesTheJsonTreeDumpsTo) {
  Request plain = Sample();
  EXPECT_EQ(RequestJsonText(plain), TreeDump(plain));

  Request empty;  // defaults: no data, no deadlines, no parties, revision 0
  EXPECT_EQ(RequestJsonText(empty), TreeDump(empty));

  Request clocks = Sample();
  DeadlineState running{"acknowledge", At("2026-11-23T12:06:15Z"), At("2026-12-01T00:00:00Z")};
  DeadlineState paused = running;
  paused.name = "execute";
  paused.paused = true;
  paused.remaining = std::chrono::hours(50) + std::chrono::microseconds(1999);
  paused.extended = true;
  DeadlineState lapsed = running;
  lapsed.name = "recognise";
  lapsed.lapsed = true;
  lapsed.lapsed_at = At("2026-12-01T00:00:00.000001Z");
  clocks.deadlines = {running, paused, lapsed};
  clocks.parties = {{"issuing", "fr.pnf"}, {"executing", "de.gsta-berlin"}};
  EXPECT_EQ(RequestJsonText(clocks), TreeDump(clocks));
}

TEST(RequestJsonTextTest, EscapesAndReplacesTextAsTheJsonDumpDoes) {
  Request r = Sample();
  r.state = "quote\" back\\slash \x01 tab\t del\x7f";
  r.workflow = "caf\xc3\xa9 \xe2\x82\xac";  // UTF-8 stays as it is
  r.id = "bad \xff\xfe utf8";               // invalid UTF-8 becomes U+FFFD
  r.parties = {{"si\"de", "auth\xc3"}};
  r.data = nlohmann::json{{"k\n", "v\xff"}};
  EXPECT_EQ(RequestJsonText(r), TreeDump(r));
  std::string s;
  AppendJsonString(&s, "\xff");
  EXPECT_EQ(s, "\"\xef\xbf\xbd\"");
}

}  // namespace
}  // namespace rogatory::http
