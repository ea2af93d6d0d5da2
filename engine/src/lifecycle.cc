// The lifecycle skeleton as a Boost.MSM machine. MSM is included here and nowhere else in the
// engine; the allowed-move table is computed once by driving the machine, so checks at run time
// are one array lookup.
#include "lifecycle.h"

// MSM pulls in boost/bind; keep its global-placeholder deprecation note quiet.
#ifndef BOOST_BIND_GLOBAL_PLACEHOLDERS
#define BOOST_BIND_GLOBAL_PLACEHOLDERS
#endif
#include <array>
#include <boost/msm/back/state_machine.hpp>
#include <boost/msm/front/functor_row.hpp>
#include <boost/msm/front/state_machine_def.hpp>

namespace rogatory {
namespace {

namespace msmf = boost::msm::front;

// One event per target phase: "move the request into a state of phase X".
struct ToDrafting {};
struct ToTransmission {};
struct ToExecution {};
struct ToClosure {};

struct LifecycleDef : msmf::state_machine_def<LifecycleDef> {
  struct Drafting : msmf::state<> {};
  struct Transmission : msmf::state<> {};
  struct Execution : msmf::state<> {};
  struct Closure : msmf::state<> {};
  using initial_state = Drafting;

  // clang-format off
  struct transition_table : boost::mpl::vector<
      //        Start         Event           Next          Action       Guard
      msmf::Row<Drafting,     ToDrafting,     Drafting,     msmf::none,  msmf::none>,
      msmf::Row<Drafting,     ToTransmission, Transmission, msmf::none,  msmf::none>,
      msmf::Row<Drafting,     ToExecution,    Execution,    msmf::none,  msmf::none>,
      msmf::Row<Drafting,     ToClosure,      Closure,      msmf::none,  msmf::none>,
      msmf::Row<Transmission, ToDrafting,     Drafting,     msmf::none,  msmf::none>,  // returned for correction
      msmf::Row<Transmission, ToTransmission, Transmission, msmf::none,  msmf::none>,
      msmf::Row<Transmission, ToExecution,    Execution,    msmf::none,  msmf::none>,
      msmf::Row<Transmission, ToClosure,      Closure,      msmf::none,  msmf::none>,
      msmf::Row<Execution,    ToExecution,    Execution,    msmf::none,  msmf::none>,
      msmf::Row<Execution,    ToClosure,      Closure,      msmf::none,  msmf::none>
      // Closure has no rows: nothing leaves it.
  > {};
  // clang-format on

  // The defaults assert; a refused move is an answer here, not a bug.
  template <class Fsm, class Event>
  void no_transition(const Event&, Fsm&, int) {
    refused = true;
  }
  template <class Fsm, class Event>
  void exception_caught(const Event&, Fsm&, std::exception&) {
    refused = true;
  }

  bool refused = false;
};

using Lifecycle = boost::msm::back::state_machine<LifecycleDef>;

// Fires the event that moves the machine into `phase`.
void Send(Lifecycle& m, Phase phase) {
  switch (phase) {
    case Phase::kDrafting:
      m.process_event(ToDrafting{});
      break;
    case Phase::kTransmission:
      m.process_event(ToTransmission{});
      break;
    case Phase::kExecution:
      m.process_event(ToExecution{});
      break;
    case Phase::kClosure:
      m.process_event(ToClosure{});
      break;
  }
}

// allowed[from][to], read off the machine: bring a fresh machine into `from` along the
// forward path, then ask it for `to`.
std::array<std::array<bool, kPhaseCount>, kPhaseCount> ComputeAllowed() {
  std::array<std::array<bool, kPhaseCount>, kPhaseCount> allowed{};
  for (int from = 0; from < kPhaseCount; ++from) {
    for (int to = 0; to < kPhaseCount; ++to) {
      Lifecycle m;
      m.start();
      for (int p = 1; p <= from; ++p) Send(m, static_cast<Phase>(p));
      m.refused = false;
      Send(m, static_cast<Phase>(to));
      allowed[from][to] = !m.refused;
    }
  }
  return allowed;
}

}  // namespace

bool LifecycleAllows(Phase from, Phase to) {
  static const auto kAllowed = ComputeAllowed();
  return kAllowed[static_cast<int>(from)][static_cast<int>(to)];
}

}  // namespace rogatory
