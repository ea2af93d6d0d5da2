#include "webhook_url.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

namespace rogatory::http {
namespace {

bool NonPublic(const char* text) {
  in_addr v4;
  if (inet_pton(AF_INET, text, &v4) == 1) return IsNonPublicAddress(v4);
  in6_addr v6;
  EXPECT_EQ(inet_pton(AF_INET6, text, &v6), 1) << text;
  return IsNonPublicAddress(v6);
}

TEST(WebhookUrlTest, ClassifiesAddresses) {
  for (const char* a : {"127.0.0.1",
                        "127.8.9.10",
                        "10.0.0.1",
                        "172.16.0.1",
                        "172.31.255.255",
                        "192.168.1.1",
                        "169.254.169.254",
                        "100.64.0.1",
                        "0.0.0.0",
                        "224.0.0.1",
                        "255.255.255.255",
                        "192.0.2.1",
                        "::1",
                        "::",
                        "fe80::1",
                        "fd12::1",
                        "ff02::1",
                        "::ffff:127.0.0.1",
                        "::ffff:10.0.0.1",
                        "64:ff9b::a00:1",
                        "2001:db8::1",
                        "2002:7f00:1::"}) {
    EXPECT_TRUE(NonPublic(a)) << a;
  }
  for (const char* a : {"93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1",
                        "2606:2800:220:1:248:1893:25c8:1946", "::ffff:93.184.216.34"}) {
    EXPECT_FALSE(NonPublic(a)) << a;
  }
}

TEST(WebhookUrlTest, ParsesUrls) {
  auto p = ParseWebhookUrl("https://Example.org:8443/hooks?x=1");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->scheme, "https");
  EXPECT_EQ(p->host, "example.org");
  EXPECT_EQ(p->port, 8443);
  p = ParseWebhookUrl("http://[2606:2800::1]/h");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->host, "2606:2800::1");
  EXPECT_EQ(p->port, 80);
  for (const char* bad : {"ftp://a/", "a/b", "http://", "http://u:p@h/", "http://h:0/",
                          "http://h:70000/", "http://h:x/", "http://h /", "http://[::1/"}) {
    EXPECT_FALSE(ParseWebhookUrl(bad).ok()) << bad;
  }
}

TEST(WebhookUrlTest, RefusesNonPublicTargetsUnlessAllowed) {
  EXPECT_FALSE(CheckWebhookUrl("http://127.0.0.1/", false).ok());
  EXPECT_FALSE(CheckWebhookUrl("http://localhost/", false).ok());
  EXPECT_TRUE(CheckWebhookUrl("http://127.0.0.1/", true).ok());
  EXPECT_TRUE(CheckWebhookUrl("http://93.184.216.34/", false).ok());
}

}  // namespace
}  // namespace rogatory::http
