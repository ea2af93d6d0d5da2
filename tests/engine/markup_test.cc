#include "rogatory/markup.h"

#include <gtest/gtest.h>

namespace rogatory {
namespace {

TEST(EscapeMarkupTest, WritesTheFourMarkupCharactersAsEntities) {
  EXPECT_EQ(EscapeMarkup(R"(a & b <c> "d" 'e')"), "a &amp; b &lt;c&gt; &quot;d&quot; 'e'");
  EXPECT_EQ(EscapeMarkup("caf\xc3\xa9"), "caf\xc3\xa9");
}

// The JUnit report keeps a message's lines; a Graphviz label is one line.
TEST(EscapeMarkupTest, KeepsNewlinesUnlessTheyAreToBecomeSpaces) {
  EXPECT_EQ(EscapeMarkup("a\nb\r\n<"), "a\nb\r\n&lt;");
  EXPECT_EQ(EscapeMarkup("a\nb\r\n<", true), "a b  &lt;");
}

}  // namespace
}  // namespace rogatory
