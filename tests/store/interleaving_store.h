// A forwarding Store that runs a caller's action on another thread at a chosen moment of one
// thread's call (its next write, or its n-th read of a request), so a race the engine must
// survive happens every time rather than by luck. The store underneath is the real one.
#ifndef ROGATORY_TESTS_STORE_INTERLEAVING_STORE_H_
#define ROGATORY_TESTS_STORE_INTERLEAVING_STORE_H_

#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "rogatory/forwarding_store.h"

namespace rogatory::testing {

class InterleavingStore final : public ForwardingStore {
 public:
  explicit InterleavingStore(std::shared_ptr<Store> inner) : ForwardingStore(std::move(inner)) {}

  // Runs `action` on a new thread (and waits for it) when the calling thread next writes
  // (Apply) or reads a request for the `at_read`th time from now, whichever comes first. Once.
  void InterleaveOnce(std::function<void()> action, int at_read = 2) {
    std::lock_guard<std::mutex> lock(mu_);
    action_ = std::move(action);
    armed_for_ = std::this_thread::get_id();
    reads_ = 0;
    at_read_ = at_read;
  }

  Status Apply(const Mutation& m) override {
    MaybeInterleave(/*write=*/true);
    return inner().Apply(m);
  }
  Result<Request> GetRequest(const RequestId& id) override {
    MaybeInterleave(/*write=*/false);
    return inner().GetRequest(id);
  }
  // No kept copies: every read of a request is a GetRequest, where the races are staged.
  std::optional<Request> LastCommitted(const RequestId&) override { return std::nullopt; }

  // Everything else passes straight through (ForwardingStore).

 private:
  void MaybeInterleave(bool write) {
    std::function<void()> action;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!action_ || std::this_thread::get_id() != armed_for_) return;
      if (!write && ++reads_ < at_read_) return;
      action = std::move(action_);
      action_ = nullptr;
    }
    std::thread other(std::move(action));
    other.join();
  }

  std::mutex mu_;
  std::function<void()> action_;
  std::thread::id armed_for_;
  int reads_ = 0;
  int at_read_ = 2;
};

}  // namespace rogatory::testing

#endif  // ROGATORY_TESTS_STORE_INTERLEAVING_STORE_H_
