// Percent-decoding, query parsing, UTF-8 checks and the capping of echoed client strings.
#include "uri.h"

#include <gtest/gtest.h>

#include "client_text.h"

namespace rogatory::http {
namespace {

TEST(UriTest, DecodesEscapesAndRefusesBadOnes) {
  EXPECT_EQ(PercentDecode("a%2fb%20c", false), "a/b c");
  EXPECT_EQ(PercentDecode("a+b", true), "a b");
  EXPECT_EQ(PercentDecode("a+b", false), "a+b");
  EXPECT_EQ(PercentDecode("%c3%a9", false), "\xc3\xa9");
  EXPECT_EQ(PercentDecode("%ff%fe", false), std::nullopt);
  EXPECT_EQ(PercentDecode("%c3", false), std::nullopt);
  EXPECT_EQ(PercentDecode("%zz", false), std::nullopt);
  EXPECT_EQ(PercentDecode("%4", false), std::nullopt);
  EXPECT_EQ(PercentDecode("%", false), std::nullopt);
}

TEST(UriTest, ParsesQueries) {
  auto q = ParseQuery("a=1&&b=x%20y&c&d=");
  ASSERT_TRUE(q);
  ASSERT_EQ(q->size(), 4u);
  EXPECT_EQ((*q)[1], (std::pair<std::string, std::string>{"b", "x y"}));
  EXPECT_EQ((*q)[2].second, "");
  EXPECT_EQ(ParseQuery("%ff=1"), std::nullopt);
  EXPECT_EQ(ParseQuery("a=%ff"), std::nullopt);
  EXPECT_TRUE(ParseQuery("")->empty());
}

TEST(UriTest, ValidatesUtf8) {
  EXPECT_TRUE(IsValidUtf8("plain \xc3\xa9 \xe2\x80\xa6 \xf0\x9f\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xe2\x80"));          // cut short
}

TEST(ClientTextTest, ReplacesInvalidBytesAndCaps) {
  EXPECT_EQ(SafeText("a\xff"
                     "b",
                     100),
            "a\xef\xbf\xbd"
            "b");
  EXPECT_EQ(SafeText(std::string(10, 'x'), 4), "xxxx\xe2\x80\xa6");
  // Never cuts a character in half.
  EXPECT_EQ(SafeText("ab\xc3\xa9", 3), "ab\xe2\x80\xa6");
  const std::string q = Quote(std::string(900000, 'n'));
  EXPECT_EQ(q.size(), kMaxQuoted + 3);
  EXPECT_TRUE(IsValidUtf8(q));
}

}  // namespace
}  // namespace rogatory::http
