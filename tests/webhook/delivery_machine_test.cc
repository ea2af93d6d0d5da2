// The delivery machine, one transition per test: pending -> delivering -> delivered | retrying
// -> ... -> dead, and the retry route back to pending.
#include "delivery_machine.h"

#include <gtest/gtest.h>

namespace rogatory::webhook {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class DeliveryMachineTest : public ::testing::Test {
 protected:
  DeliveryMachineTest() {
    policy_.initial = seconds(5);
    policy_.max = seconds(60);
    policy_.max_attempts = 3;
  }

  static Delivery Stored(DeliveryStatus status, int attempts) {
    Delivery d;
    d.id = "00000000000000000001";
    d.status = status;
    d.attempts = attempts;
    return d;
  }

  // A machine restored from a pending row with `attempts` failed attempts, then claimed.
  std::unique_ptr<DeliveryMachine> Claimed(int attempts = 0) {
    auto m = std::make_unique<DeliveryMachine>(Stored(DeliveryStatus::kPending, attempts), policy_,
                                               rng_);
    EXPECT_TRUE(m->Claim().ok());
    return m;
  }

  static AttemptResult Http(int status, std::optional<Duration> retry_after = std::nullopt) {
    AttemptResult r;
    r.http_status = status;
    if (status < 200 || status > 299) r.error = "HTTP " + std::to_string(status);
    r.retry_after = retry_after;
    return r;
  }

  WebhookRetryPolicy policy_;
  std::mt19937_64 rng_{42};
};

TEST_F(DeliveryMachineTest, NeverTriedRowIsPending) {
  DeliveryMachine m(Stored(DeliveryStatus::kPending, 0), policy_, rng_);
  EXPECT_STREQ(m.state_name(), "pending");
}

TEST_F(DeliveryMachineTest, RowWithFailedAttemptsIsRetrying) {
  DeliveryMachine m(Stored(DeliveryStatus::kPending, 2), policy_, rng_);
  EXPECT_STREQ(m.state_name(), "retrying");
  EXPECT_EQ(m.attempts(), 2);
}

TEST_F(DeliveryMachineTest, StoredDeliveredAndDeadAreRestored) {
  EXPECT_STREQ(DeliveryMachine(Stored(DeliveryStatus::kDelivered, 1), policy_, rng_).state_name(),
               "delivered");
  EXPECT_STREQ(DeliveryMachine(Stored(DeliveryStatus::kDead, 3), policy_, rng_).state_name(),
               "dead");
}

TEST_F(DeliveryMachineTest, ClaimStartsAnAttempt) {
  auto m = Claimed(1);
  EXPECT_STREQ(m->state_name(), "delivering");
  EXPECT_EQ(m->attempts(), 2);
}

TEST_F(DeliveryMachineTest, TwoHundredsDeliver) {
  for (int status : {200, 201, 202, 204, 299}) {
    auto m = Claimed();
    auto v = m->Answer(Http(status));
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v->status, DeliveryStatus::kDelivered) << status;
    EXPECT_EQ(v->error, "");
    EXPECT_STREQ(m->state_name(), "delivered");
  }
}

TEST_F(DeliveryMachineTest, FailureRetriesWithBackoff) {
  for (int status : {0, 301, 302, 400, 401, 404, 429, 500, 502, 503}) {
    auto m = Claimed();
    auto v = m->Answer(Http(status));
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v->status, DeliveryStatus::kPending) << status;
    EXPECT_STREQ(m->state_name(), "retrying");
    EXPECT_GE(v->delay, policy_.initial);
    EXPECT_LE(v->delay, 2 * policy_.initial);  // the first retry's ceiling
    EXPECT_FALSE(v->disable_subscription);
  }
}

TEST_F(DeliveryMachineTest, RetryAfterIsHonouredOn429And503Only) {
  for (int status : {429, 503}) {
    auto v = Claimed()->Answer(Http(status, Duration(seconds(120))));
    EXPECT_EQ(v->delay, Duration(seconds(120))) << status;
  }
  auto v = Claimed()->Answer(Http(500, Duration(seconds(120))));
  EXPECT_LE(v->delay, 2 * policy_.initial);
}

TEST_F(DeliveryMachineTest, GoneDeadLettersAndDisablesTheSubscription) {
  auto m = Claimed();
  auto v = m->Answer(Http(410));
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->status, DeliveryStatus::kDead);
  EXPECT_TRUE(v->disable_subscription);
  EXPECT_STREQ(m->state_name(), "dead");
}

TEST_F(DeliveryMachineTest, LastAllowedAttemptFailingDeadLetters) {
  auto m = Claimed(2);  // attempt 3 of 3
  auto v = m->Answer(Http(500));
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->status, DeliveryStatus::kDead);
  EXPECT_FALSE(v->disable_subscription);
  EXPECT_NE(v->error.find("gave up after 3 attempts"), std::string::npos) << v->error;
  EXPECT_STREQ(m->state_name(), "dead");
}

TEST_F(DeliveryMachineTest, LastAllowedAttemptSucceedingDelivers) {
  auto v = Claimed(2)->Answer(Http(200));
  EXPECT_EQ(v->status, DeliveryStatus::kDelivered);
}

TEST_F(DeliveryMachineTest, RetryingIsClaimedAgain) {
  auto m = Claimed();
  ASSERT_TRUE(m->Answer(Http(500)).ok());
  ASSERT_TRUE(m->Claim().ok());
  EXPECT_STREQ(m->state_name(), "delivering");
  EXPECT_EQ(m->attempts(), 2);
}

TEST_F(DeliveryMachineTest, FinishedDeliveriesAreNotClaimed) {
  for (DeliveryStatus s : {DeliveryStatus::kDelivered, DeliveryStatus::kDead}) {
    DeliveryMachine m(Stored(s, 1), policy_, rng_);
    EXPECT_EQ(m.Claim().code(), StatusCode::kFailedPrecondition);
    EXPECT_STREQ(m.state_name(), DeliveryStatusName(s));
  }
}

TEST_F(DeliveryMachineTest, AnswerWithoutClaimIsRefused) {
  DeliveryMachine m(Stored(DeliveryStatus::kPending, 0), policy_, rng_);
  EXPECT_EQ(m.Answer(Http(200)).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_STREQ(m.state_name(), "pending");
}

TEST_F(DeliveryMachineTest, RequeueBringsDeadAndFailedBackToRetrying) {
  for (DeliveryStatus s : {DeliveryStatus::kPending, DeliveryStatus::kDead}) {
    DeliveryMachine m(Stored(s, 3), policy_, rng_);
    ASSERT_TRUE(m.Requeue().ok());
    EXPECT_STREQ(m.state_name(), "retrying");
    EXPECT_TRUE(m.Claim().ok());
  }
}

TEST_F(DeliveryMachineTest, NeverTriedCannotBeRequeued) {
  DeliveryMachine m(Stored(DeliveryStatus::kPending, 0), policy_, rng_);
  EXPECT_EQ(m.Requeue().code(), StatusCode::kFailedPrecondition);
}

TEST_F(DeliveryMachineTest, DeliveredCannotBeRequeued) {
  DeliveryMachine m(Stored(DeliveryStatus::kDelivered, 1), policy_, rng_);
  EXPECT_EQ(m.Requeue().code(), StatusCode::kFailedPrecondition);
}

// Regression (issue 9 point 7): the retry route re-queued a claimed delivery mid-send.
TEST_F(DeliveryMachineTest, DeliveringCannotBeRequeued) {
  DeliveryMachine m(Stored(DeliveryStatus::kDead, 2), policy_, rng_);
  ASSERT_TRUE(m.Requeue().ok());
  ASSERT_TRUE(m.Claim().ok());
  EXPECT_EQ(m.Requeue().code(), StatusCode::kFailedPrecondition);
  EXPECT_STREQ(m.state_name(), "delivering");
}

}  // namespace
}  // namespace rogatory::webhook
