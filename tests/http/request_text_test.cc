#include "request_text.h"

#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

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

// The request's data and references are written value by value (request_text.cc AppendValue),
// falling back to nlohmann's dump only for floats: nested objects and arrays, every integer
// kind, null, booleans, empty containers and escaped keys must come out as the dump writes them.
TEST(RequestJsonTextTest, WritesEveryKindOfDataValueAsTheDumpDoes) {
  Request r = Sample();
  r.data = nlohmann::json::parse(R"({
    "nested": {"a": [1, -2, 3.25, [], {}, null, true, false, "x"], "b": {"c": {"d": "deep"}}},
    "big": 18446744073709551615, "min": -9223372036854775808, "zero": 0, "neg_float": -0.0,
    "exp": 1e300, "tiny": 5e-324, "third": 0.3333333333333333, "empty_string": "",
    "key \"quoted\" \\ \n": "value\u0000with nul", "\u00e9t\u00e9": ["\u20ac"]})");
  r.references = nlohmann::json::array({nlohmann::json::object(), 7u, -7, 2.5});
  EXPECT_EQ(RequestJsonText(r), TreeDump(r));
  r.data = nlohmann::json::object();
  r.references = nullptr;
  EXPECT_EQ(RequestJsonText(r), TreeDump(r));
  r.data = "a string, not an object";
  r.references = nlohmann::json::array();
  EXPECT_EQ(RequestJsonText(r), TreeDump(r));
}

TEST(RequestJsonTextTest, RandomDataTreesComeOutAsTheDumpWritesThem) {
  std::mt19937_64 rng(20261203);
  std::function<nlohmann::json(int)> tree = [&](int depth) -> nlohmann::json {
    switch (rng() % (depth > 3 ? 6 : 8)) {
      case 0:
        return nullptr;
      case 1:
        return rng() % 2 == 0;
      case 2:
        return static_cast<int64_t>(rng());
      case 3:
        return rng();  // unsigned, often past INT64_MAX
      case 4:
        return static_cast<double>(static_cast<int64_t>(rng() % 2000000) - 1000000) / 64.0;
      case 5: {
        std::string s;
        for (size_t n = rng() % 6; n > 0; --n) s += static_cast<char>(rng() % 256);
        return s;
      }
      case 6: {
        nlohmann::json a = nlohmann::json::array();
        for (size_t n = rng() % 4; n > 0; --n) a.push_back(tree(depth + 1));
        return a;
      }
      default: {
        nlohmann::json o = nlohmann::json::object();
        for (size_t n = rng() % 4; n > 0; --n)
          o["k" + std::to_string(rng() % 50)] = tree(depth + 1);
        return o;
      }
    }
  };
  for (int i = 0; i < 2000; ++i) {
    Request r = Sample();
    r.data = tree(0);
    r.references = tree(1);
    ASSERT_EQ(RequestJsonText(r), TreeDump(r)) << "tree " << i;
  }
}

}  // namespace
}  // namespace rogatory::http
