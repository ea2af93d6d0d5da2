// IsCanonicalJsonText (rogatory/canonical_json.h): it may say "not sure" about a canonical text,
// but must never call a text canonical that nlohmann's parse and dump would change, since the
// audit then hashes the text as it is.
#include "rogatory/canonical_json.h"

#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

namespace rogatory {
namespace {

using nlohmann::json;

// What the audit relies on: canonical by the recogniser means parse + dump gives the text back.
void ExpectSoundOn(const std::string& text) {
  if (!IsCanonicalJsonText(text)) return;
  json parsed;
  ASSERT_NO_THROW(parsed = json::parse(text)) << text;
  EXPECT_EQ(parsed.dump(), text) << "called canonical but re-dumps otherwise: " << text;
}

TEST(CanonicalJsonTest, AcceptsWhatTheSerializerWrites) {
  const std::vector<std::string> texts = {
      "{}",
      "[]",
      "null",
      "true",
      "0",
      "-7",
      "123456789012345678",
      R"("")",
      R"({"a":1,"b":[true,false,null],"c":{"d":"e"}})",
      R"({"":0,"A":1,"a":2,"b":3})",
      R"(["x",[],{},[[1]]])",
      "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"",  // 2-, 3- and 4-byte UTF-8
      R"("line\nbreak\ttab \"quoted\" back\\slash\b\f\r")",
      R"("\u0000\u001f\u000b")",
      "\"\x7f/\"",
  };
  for (const std::string& text : texts) {
    EXPECT_TRUE(IsCanonicalJsonText(text)) << text;
    EXPECT_EQ(json::parse(text).dump(), text) << "test text not canonical: " << text;
  }
}

TEST(CanonicalJsonTest, RejectsWhatParseAndDumpWouldChange) {
  const std::vector<std::string> texts = {
      "{ }",                                              // whitespace
      " {}",                                              //
      "{}\n",                                             //
      R"({"b":1,"a":2})",                                 // key order
      R"({"a":1,"a":2})",                                 // a duplicate key (the last wins)
      "01",                                               // leading zero
      "-0",                                               // dumps as 0
      "1.0",                                              // floats are not proven
      "1e2",                                              //
      "12345678901234567890",                             // beyond 18 digits: not proven
      R"("\/")",                                          // dumps as "/"
      R"("\u0041")",                                      // dumps as "A"
      R"("\u001F")",                                      // upper-case hex
      R"("\u000a")",                                      // has a short form
      R"("\x")",                                          // not an escape
      "\"a\tb\"",                                         // a raw control character does not parse
      "\"\xc0\x80\"",                                     // overlong UTF-8
      "\"\xed\xa0\x80\"",                                 // a surrogate
      "\"\xf4\x90\x80\x80\"",                             // beyond U+10FFFF
      "\"\xe2\x82\"",                                     // truncated
      R"({"a\n":1})",                                     // a key with an escape: not proven
      "{}x",                                              // trailing bytes
      "[1,]",                                             //
      "{\"a\"}",                                          //
      "tru",                                              //
      "",                                                 //
      "\"open",                                           //
      "[" + std::string(70, '[') + std::string(71, ']'),  // deeper than 64
  };
  for (const std::string& text : texts) {
    EXPECT_FALSE(IsCanonicalJsonText(text)) << text;
    ExpectSoundOn(text);
  }
}

// Random values dumped are recognised (integers, plain keys), and random edits of those dumps
// are never wrongly called canonical.
TEST(CanonicalJsonTest, RandomDumpsAndTheirMutationsAreJudgedSoundly) {
  std::mt19937 rng(20261202);
  auto pick = [&rng](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  const std::vector<std::string> atoms = {"a",    "b",  "ab",   "\xc3\xa9",    "\n",
                                          "\"",   "\\", "\x01", "Z",           "0",
                                          "\x7f", " ",  "/",    "\xe2\x82\xac"};
  auto random_string = [&](bool plain) {
    std::string s;
    for (int n = pick(4); n > 0; --n) s += atoms[static_cast<size_t>(pick(plain ? 3 : 14))];
    return s;
  };
  std::function<json(int)> random_value = [&](int depth) -> json {
    switch (depth > 3 ? pick(4) : pick(6)) {
      case 0:
        return nullptr;
      case 1:
        return pick(2) == 0;
      case 2:
        return static_cast<int64_t>(rng()) - (1LL << 31);
      case 3:
        return random_string(false);
      case 4: {
        json a = json::array();
        for (int n = pick(4); n > 0; --n) a.push_back(random_value(depth + 1));
        return a;
      }
      default: {
        json o = json::object();
        for (int n = pick(4); n > 0; --n) o[random_string(true)] = random_value(depth + 1);
        return o;
      }
    }
  };
  const std::string edits = " ,:{}[]\"\\0-.e1u";
  for (int i = 0; i < 3000; ++i) {
    const std::string text = random_value(0).dump();
    EXPECT_TRUE(IsCanonicalJsonText(text)) << text;
    for (int k = 0; k < 4; ++k) {
      std::string edited = text;
      const size_t at = static_cast<size_t>(pick(static_cast<int>(edited.size()) + 1));
      switch (pick(3)) {
        case 0:
          edited.insert(at, 1, edits[static_cast<size_t>(pick(static_cast<int>(edits.size())))]);
          break;
        case 1:
          if (at < edited.size()) edited.erase(at, 1);
          break;
        default:
          if (at < edited.size()) {
            edited[at] = edits[static_cast<size_t>(pick(static_cast<int>(edits.size())))];
          }
      }
      ExpectSoundOn(edited);
    }
  }
}

// AppendCanonicalJsonString writes what dump() writes for a string, byte for byte, every
// byte value (alone and after a plain prefix) and the multi-byte sequences included.
TEST(CanonicalJsonTest, AppendsStringsAsDumpWritesThem) {
  std::vector<std::string> texts = {
      "", "plain", "caf\xc3\xa9", "\xe2\x82\xac\xf0\x9f\x98\x80", "a\"b\\c", "\x7f/"};
  for (int b = 0; b < 0x80; ++b) {
    texts.push_back(std::string(1, static_cast<char>(b)));
    texts.push_back("id-" + std::string(1, static_cast<char>(b)) + "-\xc3\xa9");
  }
  for (const std::string& text : texts) {
    std::string out = "x";
    AppendCanonicalJsonString(&out, text);
    EXPECT_EQ(out, "x" + json(text).dump()) << text;
  }
}

TEST(CanonicalJsonTest, AppendingInvalidUtf8ThrowsAsDumpDoes) {
  for (const std::string text : {"\x80", "caf\xc3", "\xed\xa0\x80", "\xc0\xaf", "a\"\xff"}) {
    std::string out;
    EXPECT_THROW(json(text).dump(), json::type_error) << text;
    EXPECT_THROW(AppendCanonicalJsonString(&out, text), json::type_error) << text;
  }
}

}  // namespace
}  // namespace rogatory
