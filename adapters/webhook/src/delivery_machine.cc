// The delivery machine in Boost.MSM's functor front-end. MSM is included here and nowhere else
// in the webhook adapter.
#include "delivery_machine.h"

// MSM pulls in boost/bind; keep its global-placeholder deprecation note quiet.
#ifndef BOOST_BIND_GLOBAL_PLACEHOLDERS
#define BOOST_BIND_GLOBAL_PLACEHOLDERS
#endif
#include <boost/msm/back/state_machine.hpp>
#include <boost/msm/front/functor_row.hpp>
#include <boost/msm/front/state_machine_def.hpp>

#include "retry_timing.h"

namespace rogatory::webhook {
namespace {

namespace msmf = boost::msm::front;

// --- Events ------------------------------------------------------------------------------------
// Brings a fresh machine (in Pending) to the state a stored row is in.
struct Restore {
  DeliveryStatus status;
  int attempts;
};
struct Claimed {};
struct Answered {
  const AttemptResult* result;
};
struct Requeued {};

// --- Guards ------------------------------------------------------------------------------------
bool Is2xx(const Answered& e) {
  return e.result->http_status >= 200 && e.result->http_status <= 299;
}
bool Is410(const Answered& e) { return e.result->http_status == 410; }

struct WasTried {
  template <class Fsm, class S, class T>
  bool operator()(const Restore& e, Fsm&, S&, T&) const {
    return e.status == DeliveryStatus::kPending && e.attempts > 0;
  }
};
struct NeverTried {
  template <class Fsm, class S, class T>
  bool operator()(const Restore& e, Fsm&, S&, T&) const {
    return e.status == DeliveryStatus::kPending && e.attempts == 0;
  }
};
struct WasDelivered {
  template <class Fsm, class S, class T>
  bool operator()(const Restore& e, Fsm&, S&, T&) const {
    return e.status == DeliveryStatus::kDelivered;
  }
};
struct WasDead {
  template <class Fsm, class S, class T>
  bool operator()(const Restore& e, Fsm&, S&, T&) const {
    return e.status == DeliveryStatus::kDead;
  }
};
struct Acknowledged {
  template <class Fsm, class S, class T>
  bool operator()(const Answered& e, Fsm&, S&, T&) const {
    return Is2xx(e);
  }
};
struct Gone {
  template <class Fsm, class S, class T>
  bool operator()(const Answered& e, Fsm&, S&, T&) const {
    return Is410(e);
  }
};
// A failure (neither 2xx nor 410) with attempts left, or with none left.
struct MayRetry {
  template <class Fsm, class S, class T>
  bool operator()(const Answered& e, Fsm& fsm, S&, T&) const {
    return !Is2xx(e) && !Is410(e) && fsm.attempts < fsm.policy->max_attempts;
  }
};
struct Exhausted {
  template <class Fsm, class S, class T>
  bool operator()(const Answered& e, Fsm& fsm, S&, T&) const {
    return !Is2xx(e) && !Is410(e) && fsm.attempts >= fsm.policy->max_attempts;
  }
};

// --- Actions -----------------------------------------------------------------------------------
struct Remember {  // a restored row's attempt count
  template <class Fsm, class S, class T>
  void operator()(const Restore& e, Fsm& fsm, S&, T&) const {
    fsm.attempts = e.attempts;
  }
};
struct BeginAttempt {
  template <class Event, class Fsm, class S, class T>
  void operator()(const Event&, Fsm& fsm, S&, T&) const {
    ++fsm.attempts;
    fsm.verdict = AttemptVerdict{};
  }
};
struct MarkDelivered {
  template <class Fsm, class S, class T>
  void operator()(const Answered&, Fsm& fsm, S&, T&) const {
    fsm.verdict.status = DeliveryStatus::kDelivered;
  }
};
struct DisableSubscription {
  template <class Fsm, class S, class T>
  void operator()(const Answered& e, Fsm& fsm, S&, T&) const {
    fsm.verdict.status = DeliveryStatus::kDead;
    fsm.verdict.disable_subscription = true;
    fsm.verdict.error = e.result->error.empty() ? "HTTP 410" : e.result->error;
    fsm.verdict.error += " (subscription disabled)";
  }
};
struct DeadLetter {
  template <class Fsm, class S, class T>
  void operator()(const Answered& e, Fsm& fsm, S&, T&) const {
    fsm.verdict.status = DeliveryStatus::kDead;
    fsm.verdict.error =
        e.result->error + " (gave up after " + std::to_string(fsm.attempts) + " attempts)";
  }
};
struct ScheduleRetry {
  template <class Fsm, class S, class T>
  void operator()(const Answered& e, Fsm& fsm, S&, T&) const {
    const int status = e.result->http_status;
    fsm.verdict.status = DeliveryStatus::kPending;
    fsm.verdict.error = e.result->error;
    if ((status == 429 || status == 503) && e.result->retry_after) {
      fsm.verdict.delay = *e.result->retry_after;  // the consumer knows best when it is ready
    } else {
      fsm.verdict.delay = BackoffDelay(*fsm.policy, fsm.attempts, *fsm.rng);
    }
  }
};

// --- The machine -------------------------------------------------------------------------------
struct DeliveryDef : msmf::state_machine_def<DeliveryDef> {
  struct Pending : msmf::state<> {
    static constexpr const char* kName = "pending";
  };
  struct Delivering : msmf::state<> {
    static constexpr const char* kName = "delivering";
  };
  struct Delivered : msmf::state<> {
    static constexpr const char* kName = "delivered";
  };
  struct Retrying : msmf::state<> {
    static constexpr const char* kName = "retrying";
  };
  struct Dead : msmf::state<> {
    static constexpr const char* kName = "dead";
  };
  using initial_state = Pending;
  using none = msmf::none;

  // clang-format off
  struct transition_table : boost::mpl::vector<
      //        Start       Event     Next        Action               Guard
      msmf::Row<Pending,    Restore,  none,       none,                NeverTried>,
      msmf::Row<Pending,    Restore,  Retrying,   Remember,            WasTried>,
      msmf::Row<Pending,    Restore,  Delivered,  Remember,            WasDelivered>,
      msmf::Row<Pending,    Restore,  Dead,       Remember,            WasDead>,
      msmf::Row<Pending,    Claimed,  Delivering, BeginAttempt,        none>,
      msmf::Row<Retrying,   Claimed,  Delivering, BeginAttempt,        none>,
      msmf::Row<Delivering, Answered, Delivered,  MarkDelivered,       Acknowledged>,
      msmf::Row<Delivering, Answered, Dead,       DisableSubscription, Gone>,
      msmf::Row<Delivering, Answered, Retrying,   ScheduleRetry,       MayRetry>,
      msmf::Row<Delivering, Answered, Dead,       DeadLetter,          Exhausted>,
      msmf::Row<Retrying,   Requeued, Retrying,   none,                none>,
      msmf::Row<Dead,       Requeued, Retrying,   none,                none>
  > {};
  // clang-format on

  // The defaults assert; an event the current state does not take is a refused call here.
  template <class Fsm, class Event>
  void no_transition(const Event&, Fsm&, int) {
    refused = true;
  }
  template <class Fsm, class Event>
  void exception_caught(const Event&, Fsm&, std::exception&) {
    refused = true;
  }

  const WebhookRetryPolicy* policy = nullptr;
  std::mt19937_64* rng = nullptr;
  int attempts = 0;
  AttemptVerdict verdict;
  bool refused = false;
};

using Machine = boost::msm::back::state_machine<DeliveryDef>;

// A default-constructible stand-in for a state type, for mpl::for_each.
// (No nested `type`: MPL would unwrap it.)
template <class T>
struct Tag {
  using state = T;
};

// The current state's name, looked up among the machine's states by MSM id; the id itself is
// never stored.
const char* NameOf(const Machine& m) {
  const char* name = "unknown";
  const int id = m.current_state()[0];
  boost::mpl::for_each<boost::msm::back::generate_state_set<Machine::stt>::type,
                       Tag<boost::mpl::placeholders::_1>>([&](auto tag) {
    using State = typename decltype(tag)::state;
    if (boost::msm::back::get_state_id<Machine::stt, State>::value == id) name = State::kName;
  });
  return name;
}

}  // namespace

struct DeliveryMachine::Impl {
  Machine machine;

  // Runs `event`; FailedPrecondition if the current state does not take it.
  template <class Event>
  Status Process(const Event& event, const char* what) {
    const std::string from = NameOf(machine);
    machine.refused = false;
    machine.process_event(event);
    if (machine.refused) {
      return FailedPreconditionError(std::string("delivery cannot ") + what + " when " + from);
    }
    return OkStatus();
  }
};

DeliveryMachine::DeliveryMachine(const Delivery& stored, const WebhookRetryPolicy& policy,
                                 std::mt19937_64& rng)
    : impl_(std::make_unique<Impl>()) {
  Machine& m = impl_->machine;
  m.policy = &policy;
  m.rng = &rng;
  m.start();
  m.process_event(Restore{stored.status, stored.attempts});
  m.attempts = stored.attempts;
  m.refused = false;
}

DeliveryMachine::~DeliveryMachine() = default;

Status DeliveryMachine::Claim() { return impl_->Process(Claimed{}, "be claimed"); }

Result<AttemptVerdict> DeliveryMachine::Answer(const AttemptResult& result) {
  ROGATORY_RETURN_IF_ERROR(impl_->Process(Answered{&result}, "take an answer"));
  return impl_->machine.verdict;
}

Status DeliveryMachine::Requeue() { return impl_->Process(Requeued{}, "be re-queued"); }

const char* DeliveryMachine::state_name() const { return NameOf(impl_->machine); }

int DeliveryMachine::attempts() const { return impl_->machine.attempts; }

}  // namespace rogatory::webhook
