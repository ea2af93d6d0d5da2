#include "json_body.h"

#include <gtest/gtest.h>

namespace rogatory::http {
namespace {

using nlohmann::json;

TEST(ParseJsonObjectTest, AcceptsObjectsOnly) {
  ApiError e;
  EXPECT_TRUE(ParseJsonObject(R"({"a": 1})", &e).has_value());
  for (const char* bad : {"", "[]", "1", "\"s\"", "{", "{\"a\":}", "nul"}) {
    EXPECT_FALSE(ParseJsonObject(bad, &e).has_value()) << bad;
    EXPECT_EQ(e.http_status, 400) << bad;
    EXPECT_EQ(e.code, "malformed_json") << bad;
  }
}

// Found by json_body_fuzz: nlohmann's parser takes a NUL byte for the end of the input, so a
// body with anything after a NUL was accepted as its first part.
TEST(ParseJsonObjectTest, RefusesABodyThatGoesOnAfterANulByte) {
  ApiError e;
  using namespace std::string_literals;
  for (const std::string& bad : {"{\"workflow\":\"m\"}\0{\"x\":1}"s, "{\"a\":1}\0"s,
                                 "{\"a\":1}\0garbage"s, "{\"a\":\"x\0y\"}"s}) {
    EXPECT_FALSE(ParseJsonObject(bad, &e).has_value()) << bad.size();
    EXPECT_EQ(e.http_status, 400);
    EXPECT_EQ(e.code, "malformed_json");
  }
}

TEST(ParseJsonObjectTest, RefusesDeepNestingButNotBracketsInStrings) {
  ApiError e;
  std::string deep = "{\"a\":" + std::string(100, '[') + std::string(100, ']') + "}";
  EXPECT_FALSE(ParseJsonObject(deep, &e).has_value());
  std::string quoted = "{\"a\":\"" + std::string(100, '[') + "\\\"\"}";
  EXPECT_TRUE(ParseJsonObject(quoted, &e).has_value());
}

TEST(FieldReadersTest, CheckTypesAndRequiredness) {
  const json obj{{"s", "x"},          {"i", 5},          {"neg", -1},         {"f", 1.5},
                 {"o", {{"k", "v"}}}, {"l", {"a", "b"}}, {"bad_l", {"a", 1}}, {"n", nullptr}};
  std::string s;
  EXPECT_TRUE(ReadString(obj, "s", true, &s).ok());
  EXPECT_EQ(s, "x");
  EXPECT_FALSE(ReadString(obj, "i", false, &s).ok());
  EXPECT_FALSE(ReadString(obj, "missing", true, &s).ok());
  EXPECT_TRUE(ReadString(obj, "n", false, &s).ok());  // null is absent
  std::optional<int64_t> i;
  EXPECT_TRUE(ReadInt(obj, "i", true, 1, 10, &i).ok());
  EXPECT_EQ(i, 5);
  EXPECT_FALSE(ReadInt(obj, "neg", false, 1, 10, &i).ok());
  EXPECT_FALSE(ReadInt(obj, "f", false, 1, 10, &i).ok());
  EXPECT_FALSE(ReadInt(obj, "i", false, 6, 10, &i).ok());
  json o;
  EXPECT_TRUE(ReadObject(obj, "o", &o).ok());
  EXPECT_FALSE(ReadObject(obj, "l", &o).ok());
  std::vector<std::string> l;
  EXPECT_TRUE(ReadStringList(obj, "l", &l).ok());
  EXPECT_EQ(l.size(), 2u);
  EXPECT_FALSE(ReadStringList(obj, "bad_l", &l).ok());
  std::map<std::string, std::string> m;
  EXPECT_TRUE(ReadStringMap(obj, "o", &m).ok());
  EXPECT_EQ(m["k"], "v");
}

// TakeObject judges a field as ReadObject does and moves it out instead of copying it.
TEST(FieldReadersTest, TakeObjectAgreesWithReadObjectAndMovesTheField) {
  json body = json::parse(R"({"o":{"k":"v"},"l":[1],"n":null})");
  for (const char* name : {"o", "l", "n", "absent"}) {
    json read = "untouched";
    json taken = "untouched";
    const Status by_read = ReadObject(body, name, &read);
    json copy = body;
    const Status by_take = TakeObject(&copy, name, &taken);
    EXPECT_EQ(by_take.ok(), by_read.ok()) << name;
    EXPECT_EQ(by_take.message(), by_read.message()) << name;
    EXPECT_EQ(taken, read) << name;
  }
  json out;
  ASSERT_TRUE(TakeObject(&body, "o", &out).ok());
  EXPECT_EQ(out, json::parse(R"({"k":"v"})"));
  EXPECT_TRUE(body["o"].is_null());  // moved out, the key left behind holding null
}

TEST(RejectUnknownFieldsTest, NamesTheUnknownField) {
  Status s = RejectUnknownFields(json{{"event", "x"}, {"evnt", 1}}, {"event", "data"});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("evnt"), std::string::npos);
  EXPECT_TRUE(RejectUnknownFields(json{{"event", "x"}}, {"event", "data"}).ok());
}

}  // namespace
}  // namespace rogatory::http
