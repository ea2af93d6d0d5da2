// The Boost.MSM lifecycle skeleton, move by move.
#include "lifecycle.h"

#include <gtest/gtest.h>

namespace rogatory {
namespace {

TEST(LifecycleTest, AllowsExactlyTheContractMoves) {
  using P = Phase;
  struct Move {
    P from, to;
    bool allowed;
  };
  const Move moves[] = {
      {P::kDrafting, P::kDrafting, true},      {P::kDrafting, P::kTransmission, true},
      {P::kDrafting, P::kExecution, true},     {P::kDrafting, P::kClosure, true},
      {P::kTransmission, P::kDrafting, true},  {P::kTransmission, P::kTransmission, true},
      {P::kTransmission, P::kExecution, true}, {P::kTransmission, P::kClosure, true},
      {P::kExecution, P::kDrafting, false},    {P::kExecution, P::kTransmission, false},
      {P::kExecution, P::kExecution, true},    {P::kExecution, P::kClosure, true},
      {P::kClosure, P::kDrafting, false},      {P::kClosure, P::kTransmission, false},
      {P::kClosure, P::kExecution, false},     {P::kClosure, P::kClosure, false},
  };
  for (const Move& m : moves) {
    EXPECT_EQ(LifecycleAllows(m.from, m.to), m.allowed)
        << PhaseName(m.from) << " -> " << PhaseName(m.to);
  }
}

}  // namespace
}  // namespace rogatory
