// OriginHost reads a URL's host exactly as httplib::Client does: the sender pins that host to
// the address it checked, and a host read differently would let httplib resolve it itself.
#include <gtest/gtest.h>

#include "http_sender.h"

namespace rogatory::webhook {
namespace {

TEST(OriginHostTest, ReadsNamesAddressesAndPorts) {
  using Host = std::pair<std::string, int>;
  EXPECT_EQ(OriginHost("http://hook.example"), Host("hook.example", 80));
  EXPECT_EQ(OriginHost("https://hook.example"), Host("hook.example", 443));
  EXPECT_EQ(OriginHost("https://Hook.Example:8443"), Host("Hook.Example", 8443));
  EXPECT_EQ(OriginHost("http://127.0.0.1:9"), Host("127.0.0.1", 9));
  EXPECT_EQ(OriginHost("http://[::1]:8080"), Host("::1", 8080));
  EXPECT_EQ(OriginHost("http://[::1]"), Host("::1", 80));
}

TEST(OriginHostTest, RefusesWhatHttplibWouldNotReadTheSameWay) {
  for (const char* origin :
       {"http://", "http://:80", "http://host:", "http://host:80:81", "http://host:8x",
        "http://host:123456", "http://host:0", "http://[fe80::1]:80", "http://[::1", "hook.example",
        "HTTP://hook.example", "http://[::1]x"}) {
    EXPECT_FALSE(OriginHost(origin).has_value()) << origin;
  }
}

}  // namespace
}  // namespace rogatory::webhook
