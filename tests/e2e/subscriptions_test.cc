// Webhook subscriptions and deliveries (admin): secrets, URL checks against SSRF, the outbox.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "api.h"

namespace rogatory::e2e {
namespace {

using nlohmann::json;

// A public address that the tests never actually need to reach.
constexpr char kPublicUrl[] = "http://93.184.216.34:9/hook";

size_t DecodedLength(const std::string& base64) {
  std::vector<unsigned char> out(base64.size());
  const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(base64.data()),
                                static_cast<int>(base64.size()));
  if (n < 0) return 0;
  size_t pad = 0;
  for (auto it = base64.rbegin(); it != base64.rend() && *it == '='; ++it) ++pad;
  return static_cast<size_t>(n) - pad;
}

TEST(SubscriptionsTest, CreateReturnsIdUrlAndAFreshSecret) {
  Api api;
  Answer a =
      api.Post("/v1/subscriptions", kAdminToken,
               json{{"url", kPublicUrl}, {"events", {"request.created"}}, {"workflows", {"case"}}});
  ASSERT_EQ(a.status, 201) << a.text;
  EXPECT_FALSE(a.json["id"].get<std::string>().empty());
  EXPECT_EQ(a.json["url"], kPublicUrl);
  const std::string secret = a.json["secret"];
  ASSERT_EQ(secret.rfind("whsec_", 0), 0u);
  EXPECT_GE(DecodedLength(secret.substr(6)), 24u);
  Answer b = api.Post("/v1/subscriptions", kAdminToken, json{{"url", kPublicUrl}});
  ASSERT_EQ(b.status, 201);
  EXPECT_NE(b.json["secret"], a.json["secret"]);
  EXPECT_NE(b.json["id"], a.json["id"]);
}

TEST(SubscriptionsTest, GetListAndDelete) {
  Api api;
  Answer created = api.Post("/v1/subscriptions", kAdminToken,
                            json{{"url", kPublicUrl}, {"events", {"request.closed"}}});
  ASSERT_EQ(created.status, 201);
  const std::string id = created.json["id"];
  Answer one = api.Get("/v1/subscriptions/" + id, kAdminToken);
  ASSERT_EQ(one.status, 200) << one.text;
  EXPECT_EQ(one.json["url"], kPublicUrl);
  EXPECT_EQ(one.json["events"], json::array({"request.closed"}));
  EXPECT_FALSE(one.json.contains("secret")) << "the secret is shown once, at creation";
  Answer list = api.Get("/v1/subscriptions", kAdminToken);
  ASSERT_EQ(list.status, 200);
  bool found = false;
  for (const auto& s : list.json["items"]) found = found || s["id"] == id;
  EXPECT_TRUE(found);
  EXPECT_EQ(api.Delete("/v1/subscriptions/" + id, kAdminToken).status, 204);
  EXPECT_EQ(api.Get("/v1/subscriptions/" + id, kAdminToken).status, 404);
  EXPECT_EQ(api.Delete("/v1/subscriptions/" + id, kAdminToken).status, 404);
}

TEST(SubscriptionsTest, PrivateAndLoopbackTargetsAreRefused) {
  Api api;
  for (const char* url :
       {"http://127.0.0.1:8080/hook", "http://localhost/hook", "http://10.1.2.3/hook",
        "http://192.168.0.10/", "http://172.16.5.5/", "http://169.254.169.254/latest/meta-data",
        "http://[::1]:80/", "http://[fe80::1]/", "http://[::ffff:127.0.0.1]/", "http://0.0.0.0/",
        "http://100.64.0.1/", "https://[fd00::1]/"}) {
    Answer a = api.Post("/v1/subscriptions", kAdminToken, json{{"url", url}});
    EXPECT_EQ(a.status, 422) << url << " " << a.text;
    EXPECT_EQ(a.ErrorCode(), "invalid_argument") << url;
  }
}

TEST(SubscriptionsTest, MalformedSubscriptionsAreRefused) {
  Api api;
  for (const json& body :
       {json{{"url", "ftp://93.184.216.34/"}}, json{{"url", "not a url"}},
        json{{"url", "http://user:pw@93.184.216.34/"}},
        json{{"url", "http://93.184.216.34:99999/"}}, json{{"url", 5}}, json::object(),
        json{{"url", kPublicUrl}, {"events", {"request.exploded"}}},
        json{{"url", kPublicUrl}, {"events", "request.created"}},
        json{{"url", kPublicUrl}, {"secret", "mine"}}}) {
    Answer a = api.Post("/v1/subscriptions", kAdminToken, body);
    EXPECT_EQ(a.status, 422) << body.dump() << " " << a.text;
  }
  EXPECT_EQ(api.Post("/v1/subscriptions", kAdminToken, std::string("{")).status, 400);
}

TEST(DeliveriesTest, EventsOfASubscribedWorkflowQueueDeliveries) {
  Api api;
  Answer sub =
      api.Post("/v1/subscriptions", kAdminToken,
               json{{"url", kPublicUrl}, {"events", {"request.created"}}, {"workflows", {"case"}}});
  ASSERT_EQ(sub.status, 201) << sub.text;
  const std::string sub_id = sub.json["id"];
  const std::string request_id = api.CreateCase();

  Answer page = api.Get("/v1/deliveries?subscription=" + sub_id, kAdminToken);
  ASSERT_EQ(page.status, 200) << page.text;
  ASSERT_EQ(page.json["items"].size(), 1u) << page.text;
  const json& d = page.json["items"][0];
  for (const char* key : {"id", "subscription_id", "request_id", "revision", "type", "status",
                          "attempts", "last_error", "next_attempt_at"}) {
    EXPECT_TRUE(d.contains(key)) << key;
  }
  EXPECT_EQ(d["subscription_id"], sub_id);
  EXPECT_EQ(d["request_id"], request_id);
  EXPECT_EQ(d["revision"], 1);
  EXPECT_EQ(d["type"], "request.created");
  const std::string delivery_id = d["id"];

  Answer one = api.Get("/v1/deliveries/" + delivery_id, kAdminToken);
  ASSERT_EQ(one.status, 200) << one.text;
  EXPECT_EQ(one.json["body"]["type"], "request.created");
  EXPECT_EQ(one.json["body"]["data"]["request_id"], request_id);

  // The consumer (a public address this test cannot reach) has not acknowledged it: it is being
  // sent (409), not tried yet (409), or failed and waiting (re-queued: 200, pending).
  Answer retried = api.Post("/v1/deliveries/" + delivery_id + "/retry", kAdminToken, std::string());
  if (retried.status == 200) {
    EXPECT_EQ(retried.json["status"], "pending");
  } else {
    EXPECT_EQ(retried.status, 409) << retried.text;
    EXPECT_EQ(retried.ErrorCode(), "failed_precondition");
  }

  Answer filtered = api.Get("/v1/deliveries?status=delivered&subscription=" + sub_id, kAdminToken);
  ASSERT_EQ(filtered.status, 200);
  EXPECT_TRUE(filtered.json["items"].empty());
  Answer limited = api.Get("/v1/deliveries?limit=1", kAdminToken);
  ASSERT_EQ(limited.status, 200);
  EXPECT_LE(limited.json["items"].size(), 1u);

  EXPECT_EQ(api.Get("/v1/deliveries/999999999", kAdminToken).status, 404);
  EXPECT_EQ(api.Post("/v1/deliveries/999999999/retry", kAdminToken, std::string()).status, 404);
  EXPECT_EQ(api.Delete("/v1/subscriptions/" + sub_id, kAdminToken).status, 204);
}

}  // namespace
}  // namespace rogatory::e2e
