// Standard Webhooks signing, checked against the specification's reference vector and against an
// independently written verifier.
#include <gtest/gtest.h>

#include "rogatory/webhook_signature.h"
#include "standard_webhooks_verifier.h"

namespace rogatory::testing {
namespace {

// The reference vector of the Standard Webhooks libraries' test suites.
constexpr char kSecret[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr char kMsgId[] = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr int64_t kTimestamp = 1614265330;
constexpr char kPayload[] = R"({"test": 2432232314})";
constexpr char kSignature[] = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

TEST(SignWebhookTest, MatchesTheReferenceVector) {
  auto h = SignWebhook(kSecret, kMsgId, kTimestamp, kPayload);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->id, kMsgId);
  EXPECT_EQ(h->timestamp, "1614265330");
  EXPECT_EQ(h->signature, kSignature);
}

TEST(SignWebhookTest, IndependentVerifierAcceptsIt) {
  const std::string secret = NewWebhookSecret().value();
  const std::string body = R"({"type":"request.created","data":{"revision":1}})";
  auto h = SignWebhook(secret, "msg_42", 1700000000, body);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(VerifyStandardWebhook(secret, h->id, h->timestamp, h->signature, body, 1700000010), "");
}

TEST(SignWebhookTest, IndependentVerifierRefusesTamperingAndStaleTimestamps) {
  const std::string secret = NewWebhookSecret().value();
  auto h = SignWebhook(secret, "msg_42", 1700000000, "{}");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(VerifyStandardWebhook(secret, h->id, h->timestamp, h->signature, "{ }", 1700000000),
            "no matching signature");
  EXPECT_EQ(VerifyStandardWebhook(secret, "msg_43", h->timestamp, h->signature, "{}", 1700000000),
            "no matching signature");
  EXPECT_EQ(VerifyStandardWebhook(secret, h->id, h->timestamp, h->signature, "{}", 1700000301),
            "timestamp too old");
  EXPECT_EQ(VerifyStandardWebhook(NewWebhookSecret().value(), h->id, h->timestamp, h->signature,
                                  "{}", 1700000000),
            "no matching signature");
}

TEST(SignWebhookTest, RefusesSecretWithoutPrefix) {
  auto h = SignWebhook("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_1", 1, "{}");
  EXPECT_EQ(h.status().code(), StatusCode::kInvalidArgument);
}

TEST(SignWebhookTest, RefusesSecretThatIsNotBase64) {
  auto h = SignWebhook("whsec_not*base64!", "msg_1", 1, "{}");
  EXPECT_EQ(h.status().code(), StatusCode::kInvalidArgument);
}

TEST(SignWebhookTest, AcceptsSecretWithoutPadding) {
  // 32 random bytes encode to 43 characters and one '='; some generators drop the '='.
  const std::string secret = NewWebhookSecret().value();
  ASSERT_EQ(secret.back(), '=');
  auto padded = SignWebhook(secret, "msg_1", 1, "{}");
  auto unpadded = SignWebhook(secret.substr(0, secret.size() - 1), "msg_1", 1, "{}");
  ASSERT_TRUE(padded.ok());
  ASSERT_TRUE(unpadded.ok());
  EXPECT_EQ(padded->signature, unpadded->signature);
}

TEST(WebhookIdTest, PrefixesTheDeliveryId) {
  EXPECT_EQ(WebhookId("00000000000000000042"), "msg_00000000000000000042");
}

TEST(NewWebhookSecretTest, Is32RandomBytesBehindThePrefix) {
  const std::string a = NewWebhookSecret().value();
  const std::string b = NewWebhookSecret().value();
  EXPECT_NE(a, b);
  ASSERT_EQ(a.rfind("whsec_", 0), 0u);
  auto key = DecodeBase64(a.substr(6));
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(key->size(), 32u);
}

}  // namespace
}  // namespace rogatory::testing
