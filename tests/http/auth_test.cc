#include "auth.h"

#include <gtest/gtest.h>

namespace rogatory::http {
namespace {

TEST(TokenTableTest, FindsTheActorOfAToken) {
  auto table = TokenTable::Make({{"ana", {"issuing_authority"}, HashToken("secret-a")},
                                 {"bob", {"admin"}, HashToken("secret-b")}});
  ASSERT_TRUE(table.ok());
  const Actor* a = table->Find("secret-b");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->id, "bob");
  EXPECT_TRUE(a->HasRole("admin"));
  EXPECT_EQ(table->Find("secret-c"), nullptr);
  EXPECT_EQ(table->Find(""), nullptr);
  EXPECT_EQ(table->Find(HashToken("secret-a")), nullptr);  // the hash is not the token
}

TEST(TokenTableTest, RefusesBadHashesAndDuplicates) {
  EXPECT_EQ(TokenTable::Make({{"ana", {}, "abc"}}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(TokenTable::Make({{"ana", {}, std::string(64, 'g')}}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(TokenTable::Make({{"", {}, HashToken("x")}}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(
      TokenTable::Make({{"a", {}, HashToken("x")}, {"b", {}, HashToken("x")}}).status().code(),
      StatusCode::kInvalidArgument);
}

TEST(BearerTokenTest, ParsesTheBearerScheme) {
  EXPECT_EQ(BearerToken("Bearer abc"), "abc");
  EXPECT_EQ(BearerToken("bearer   abc  "), "abc");
  EXPECT_EQ(BearerToken("Basic abc"), "");
  EXPECT_EQ(BearerToken("Bearer"), "");
  EXPECT_EQ(BearerToken(""), "");
}

TEST(HashTokenTest, IsLowercaseHexSha256) {
  EXPECT_EQ(HashToken("test"), "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
}

}  // namespace
}  // namespace rogatory::http
