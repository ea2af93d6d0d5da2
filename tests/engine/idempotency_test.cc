// Idempotency keys: a repeated call returns the first answer and changes nothing.
#include "test_engine.h"

namespace rogatory::testing {
namespace {

TEST(IdempotencyTest, RepeatedCreateReturnsFirstRequest) {
  TestEngine env;
  CreateCall call;
  call.workflow = "test_eio";
  call.data = {{"issuing_state", "DE"}};
  call.idempotency_key = "k1";
  auto a = env.engine().Create(call, Prosecutor());
  auto b = env.engine().Create(call, Prosecutor());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->id, b->id);
  EXPECT_EQ(env.engine().List(RequestQuery{})->items.size(), 1u);
}

TEST(IdempotencyTest, RepeatedFireReturnsFirstResultEvenAfterLaterMoves) {
  TestEngine env;
  RequestId id = env.Create({{"issuing_state", "DE"}, {"executing_state", "FR"}});
  EventCall call;
  call.event = "issue";
  call.idempotency_key = "fire-1";
  auto first = env.engine().Fire(id, call, Prosecutor());
  ASSERT_TRUE(first.ok());
  env.MustFire(id, "transmit", Central());
  auto again = env.engine().Fire(id, call, Prosecutor());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->revision, 2);
  EXPECT_EQ(again->state, "issued");
  EXPECT_EQ(env.engine().Get(id)->revision, 3);
}

TEST(IdempotencyTest, KeysAreScopedToTheActor) {
  TestEngine env;
  CreateCall call;
  call.workflow = "test_eio";
  call.data = {{"issuing_state", "DE"}};
  call.idempotency_key = "same";
  auto a = env.engine().Create(call, Prosecutor());
  auto b = env.engine().Create(call, Actor{"other", {"prosecutor"}, ""});
  EXPECT_NE(a->id, b->id);
}

TEST(IdempotencyTest, SameKeyForDifferentCallIsRefused) {
  TestEngine env;
  CreateCall call;
  call.workflow = "test_eio";
  call.data = {{"issuing_state", "DE"}};
  call.idempotency_key = "k";
  ASSERT_TRUE(env.engine().Create(call, Prosecutor()).ok());
  call.data = {{"issuing_state", "FR"}};
  EXPECT_THAT(env.engine().Create(call, Prosecutor()), StatusIs(StatusCode::kInvalidArgument));
}

TEST(IdempotencyTest, FailedCallIsNotRemembered) {
  TestEngine env;
  RequestId id = env.Create();
  EventCall call;
  call.event = "issue";
  call.idempotency_key = "retry-me";
  EXPECT_THAT(env.engine().Fire(id, call, Prosecutor()), StatusIs(StatusCode::kInvalidArgument));
  call.data = {{"executing_state", "FR"}};
  // A different body under the same key is allowed because nothing was stored the first time.
  EXPECT_TRUE(env.engine().Fire(id, call, Prosecutor()).ok());
}

}  // namespace
}  // namespace rogatory::testing
