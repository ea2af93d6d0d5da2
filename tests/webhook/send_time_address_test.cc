// The SSRF guard at send time (DNS rebinding): with allow_private false, every attempt resolves
// the consumer's host and refuses to send if it resolves to a non-public address, whatever it
// resolved to when the subscription was made. With allow_private true, the sender connects to
// an address it resolved, and sends the URL's host as Host.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "loopback_receiver.h"
#include "rogatory/webhook_dispatcher.h"
#include "webhook_test_env.h"

namespace rogatory::testing {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

class SendTimeAddressTest : public ::testing::Test {
 protected:
  SendTimeAddressTest() : env_(StoreKind::kMemory) {}

  // Runs a dispatcher with `allow_private` until nothing is pending.
  WebhookDispatcherStats Dispatch(bool allow_private) {
    WebhookDispatcherOptions o = FastOptions();
    o.allow_private = allow_private;
    o.retry.max_attempts = 2;
    WebhookDispatcher dispatcher(env_.shared(), o);
    dispatcher.Start();
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!env_.Deliveries(DeliveryStatus::kPending).empty() &&
           std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(milliseconds(10));
    }
    dispatcher.Stop();
    return dispatcher.stats();
  }

  WebhookEnv env_;
  const std::string secret_ = NewSecret();
};

// A subscription whose name resolved to a public address when it was made (here: made with
// allow_private) and resolves to loopback when the event is sent.
TEST_F(SendTimeAddressTest, NameResolvingToLoopbackAtSendTimeIsRefused) {
  LoopbackReceiver receiver(secret_);
  const std::string url = receiver.url();  // http://127.0.0.1:PORT/hook
  const std::string port = url.substr(17, url.find('/', 17) - 17);
  env_.Subscribe("http://localhost:" + port + "/hook", secret_);
  env_.Create();
  WebhookDispatcherStats stats = Dispatch(/*allow_private=*/false);

  EXPECT_TRUE(receiver.received().empty());
  const Delivery d = env_.Deliveries().at(0);
  EXPECT_EQ(d.status, DeliveryStatus::kDead);
  EXPECT_EQ(d.attempts, 2);
  EXPECT_THAT(d.last_error,
              MatchesRegex("address (127\\.0\\.0\\.1|::1) of localhost is private.*"));
  EXPECT_EQ(stats.delivered, 0u);
}

TEST_F(SendTimeAddressTest, LoopbackLiteralIsRefusedAtSendTime) {
  LoopbackReceiver receiver(secret_);
  env_.Subscribe(receiver.url(), secret_);
  env_.Create();
  Dispatch(/*allow_private=*/false);
  EXPECT_TRUE(receiver.received().empty());
  EXPECT_THAT(env_.Deliveries().at(0).last_error,
              HasSubstr("address 127.0.0.1 of 127.0.0.1 is private"));
}

TEST_F(SendTimeAddressTest, Ipv6LoopbackIsRefused) {
  env_.Subscribe("http://[::1]:9/hook", secret_);
  env_.Create();
  Dispatch(/*allow_private=*/false);
  EXPECT_THAT(env_.Deliveries().at(0).last_error, HasSubstr("address ::1 of ::1 is private"));
}

// Allowed: the name is resolved by the sender, each address tried in turn (localhost may give
// ::1 first, where nothing listens), and the consumer sees the URL's host.
TEST_F(SendTimeAddressTest, AllowedNameIsSentWithItsHostHeader) {
  LoopbackReceiver receiver(secret_);
  const std::string url = receiver.url();
  const std::string port = url.substr(17, url.find('/', 17) - 17);
  env_.Subscribe("http://localhost:" + port + "/hook", secret_);
  env_.Create();
  Dispatch(/*allow_private=*/true);
  ASSERT_EQ(receiver.received().size(), 1u);
  EXPECT_EQ(receiver.received()[0].host, "localhost:" + port);
  EXPECT_EQ(env_.Deliveries().at(0).status, DeliveryStatus::kDelivered);
}

// Over TLS the pinned connection still presents and verifies the URL's name (SNI and the
// certificate's DNS name "localhost"), not the address it connected to.
TEST_F(SendTimeAddressTest, AllowedNameOverTlsIsVerifiedByName) {
  const std::string fixtures = ROGATORY_WEBHOOK_FIXTURES;
  LoopbackReceiver receiver(secret_, nullptr, fixtures + "/localhost.crt",
                            fixtures + "/localhost.key");
  const std::string url = receiver.url();  // https://127.0.0.1:PORT/hook
  const std::string port = url.substr(18, url.find('/', 18) - 18);
  env_.Subscribe("https://localhost:" + port + "/hook", secret_);
  env_.Create();
  WebhookDispatcherOptions o = FastOptions();
  o.ca_cert_file = fixtures + "/localhost.crt";
  WebhookDispatcher dispatcher(env_.shared(), o);
  dispatcher.Start();
  ASSERT_TRUE(receiver.WaitForAcknowledged(1, milliseconds(3000)))
      << env_.Deliveries().at(0).last_error;
  dispatcher.Stop();
  EXPECT_EQ(receiver.received().at(0).host, "localhost:" + port);
}

TEST_F(SendTimeAddressTest, UnresolvableNameIsAFailedAttempt) {
  env_.Subscribe("http://no-such-host.invalid/hook", secret_);
  env_.Create();
  Dispatch(/*allow_private=*/false);
  EXPECT_THAT(env_.Deliveries().at(0).last_error, HasSubstr("cannot resolve no-such-host.invalid"));
}

}  // namespace
}  // namespace rogatory::testing
