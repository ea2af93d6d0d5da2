// Engine dispatch costs on one thread: a full Fire on the in-memory store (role check, data
// merge, deadlines, SHA-256 history hash, store write), the compiled table lookup alone, and a
// raw Boost.MSM machine of the same six states as the ceiling for dispatch.
//
// Run: build/ci/tests/bench/engine_bench --benchmark_repetitions=5
//        --benchmark_report_aggregates_only=true
#ifndef BOOST_BIND_GLOBAL_PLACEHOLDERS
#define BOOST_BIND_GLOBAL_PLACEHOLDERS
#endif
#include <benchmark/benchmark.h>

#include <boost/msm/back/state_machine.hpp>
#include <boost/msm/front/functor_row.hpp>
#include <boost/msm/front/state_machine_def.hpp>

#include "compiled_workflow.h"
#include "rogatory/definition_loader.h"
#include "rogatory/engine.h"
#include "rogatory/history.h"
#include "rogatory/memory_store.h"
#include "rogatory/time_zone.h"

namespace rogatory {
namespace {

// Six states in a ring, one event per step, all in one phase: the same shape for every
// contender, so the figures compare dispatch and not workflow size.
constexpr char kRing[] = R"(workflow: ring
version: 1
title: Six-state ring
states:
  s0: {phase: execution, initial: true}
  s1: {phase: execution}
  s2: {phase: execution}
  s3: {phase: execution}
  s4: {phase: execution}
  s5: {phase: execution}
  done: {phase: closure, terminal: true}
transitions:
  - {event: e0, from: s0, to: s1, roles: [clerk]}
  - {event: e1, from: s1, to: s2, roles: [clerk]}
  - {event: e2, from: s2, to: s3, roles: [clerk]}
  - {event: e3, from: s3, to: s4, roles: [clerk]}
  - {event: e4, from: s4, to: s5, roles: [clerk]}
  - {event: e5, from: s5, to: s0, roles: [clerk]}
  - {event: finish, from: s5, to: done, roles: [clerk]}
)";

WorkflowDefinition Ring() {
  LoadReport report = ParseDefinition(kRing, "ring.yaml");
  if (!report.ok()) std::abort();
  return report.definitions.front();
}

void BM_EngineFire(benchmark::State& state) {
  auto store = std::shared_ptr<Store>(NewMemoryStore());
  Engine engine(EngineOptions{store, nullptr});
  if (!engine.LoadDefinition(Ring()).ok()) std::abort();
  const Actor clerk{"clerk.one", {"clerk"}, ""};
  const std::string events[] = {"e0", "e1", "e2", "e3", "e4", "e5"};
  RequestId id;
  int step = 0;
  for (auto _ : state) {
    // A fresh request every 600 steps keeps each history short, as in real use.
    if (step % 600 == 0) {
      CreateCall create;
      create.workflow = "ring";
      id = engine.Create(create, clerk)->id;
    }
    EventCall call;
    call.event = events[step % 6];
    auto r = engine.Fire(id, call, clerk);
    if (!r.ok()) std::abort();
    benchmark::DoNotOptimize(r);
    ++step;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EngineFire);

// The same ring with a field `route`, unguarded (arg 0) or with every step a two-way group
// (arg 1): `when: {route: fast}` first, then an unguarded fallback. The requests carry
// route: slow, so each step tests the guard, finds it false and takes the second alternative
// (the dearer path of a two-way guard).
WorkflowDefinition GuardedRing(bool guarded) {
  std::string yaml = R"(workflow: ring
version: 1
title: Six-state ring
fields:
  route: {type: enum, values: [fast, slow]}
states:
  s0: {phase: execution, initial: true}
  s1: {phase: execution}
  s2: {phase: execution}
  s3: {phase: execution}
  s4: {phase: execution}
  s5: {phase: execution}
  done: {phase: closure, terminal: true}
transitions:
)";
  for (int i = 0; i < 6; ++i) {
    const std::string step = "{event: e" + std::to_string(i) + ", from: s" + std::to_string(i) +
                             ", to: s" + std::to_string((i + 1) % 6) + ", roles: [clerk]";
    if (guarded) yaml += "  - " + step + ", when: {route: fast}}\n";
    yaml += "  - " + step + "}\n";
  }
  yaml += "  - {event: finish, from: s5, to: done, roles: [clerk]}\n";
  LoadReport report = ParseDefinition(yaml, "ring.yaml");
  if (!report.ok()) std::abort();
  return report.definitions.front();
}

void BM_FireGuarded(benchmark::State& state) {
  auto store = std::shared_ptr<Store>(NewMemoryStore());
  Engine engine(EngineOptions{store, nullptr});
  if (!engine.LoadDefinition(GuardedRing(state.range(0) != 0)).ok()) std::abort();
  const Actor clerk{"clerk.one", {"clerk"}, ""};
  const std::string events[] = {"e0", "e1", "e2", "e3", "e4", "e5"};
  RequestId id;
  int step = 0;
  for (auto _ : state) {
    if (step % 600 == 0) {
      CreateCall create;
      create.workflow = "ring";
      create.data = {{"route", "slow"}};
      id = engine.Create(create, clerk)->id;
    }
    EventCall call;
    call.event = events[step % 6];
    auto r = engine.Fire(id, call, clerk);
    if (!r.ok()) std::abort();
    benchmark::DoNotOptimize(r);
    ++step;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(state.range(0) != 0 ? "two-way guard" : "unguarded");
}
BENCHMARK(BM_FireGuarded)->Arg(0)->Arg(1);

// The ring where every step (re)starts a 10-day clock, counted `exact` (arg 0: a sum to the
// microsecond) or as whole days in Europe/Paris (arg 1: local calendar, CONTRACT §7): what
// a clock costs a step, and what whole-day counting adds to it.
WorkflowDefinition ClockRing(bool days) {
  std::string yaml = R"(workflow: ring
version: 1
title: Six-state ring
states:
  s0: {phase: execution, initial: true}
  s1: {phase: execution}
  s2: {phase: execution}
  s3: {phase: execution}
  s4: {phase: execution}
  s5: {phase: execution}
  done: {phase: closure, terminal: true}
deadlines:
  ten_days: {duration: P10D, on_expiry: lapse)";
  yaml += days ? ", counting: days}\n" : "}\n";
  yaml += "transitions:\n";
  for (int i = 0; i < 6; ++i) {
    yaml += "  - {event: e" + std::to_string(i) + ", from: s" + std::to_string(i) + ", to: s" +
            std::to_string((i + 1) % 6) + ", roles: [clerk], start: [ten_days]}\n";
  }
  yaml += "  - {event: lapse, from: '*', roles: [system]}\n";
  yaml += "  - {event: finish, from: s5, to: done, roles: [clerk]}\n";
  LoadReport report = ParseDefinition(yaml, "ring.yaml");
  if (!report.ok()) std::abort();
  return report.definitions.front();
}

void BM_FireClock(benchmark::State& state) {
  const bool days = state.range(0) != 0;
  auto store = std::shared_ptr<Store>(NewMemoryStore());
  Result<TimeZone> paris = TimeZone::Find("Europe/Paris");
  if (!paris.ok()) std::abort();
  Engine engine(EngineOptions{store, nullptr, days ? *paris : TimeZone()});
  if (!engine.LoadDefinition(ClockRing(days)).ok()) std::abort();
  const Actor clerk{"clerk.one", {"clerk"}, ""};
  const std::string events[] = {"e0", "e1", "e2", "e3", "e4", "e5"};
  RequestId id;
  int step = 0;
  for (auto _ : state) {
    if (step % 600 == 0) {
      CreateCall create;
      create.workflow = "ring";
      id = engine.Create(create, clerk)->id;
    }
    EventCall call;
    call.event = events[step % 6];
    auto r = engine.Fire(id, call, clerk);
    if (!r.ok()) std::abort();
    benchmark::DoNotOptimize(r);
    ++step;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(days ? "counting: days, Europe/Paris" : "counting: exact");
}
BENCHMARK(BM_FireClock)->Arg(0)->Arg(1);

// Parsing and validating a chain of N states (s0 -> s1 -> ... -> terminal, one event each), as
// `rogatory validate` and start-up do: the time per state should stay flat as N doubles
// (validation looks names up by hash; yaml-cpp's parse dominates).
void BM_ValidateChain(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  std::string yaml = "workflow: chain\nversion: 1\ntitle: Chain\nlegal_basis: test\nstates:\n";
  yaml += "  s0: {phase: drafting, initial: true}\n";
  for (int i = 1; i < n - 1; ++i) yaml += "  s" + std::to_string(i) + ": {phase: drafting}\n";
  yaml += "  s" + std::to_string(n - 1) + ": {phase: closure, terminal: true}\ntransitions:\n";
  for (int i = 0; i < n - 1; ++i) {
    yaml += "  - {event: e" + std::to_string(i) + ", from: s" + std::to_string(i) + ", to: s" +
            std::to_string(i + 1) + ", roles: [clerk]}\n";
  }
  for (auto _ : state) {
    LoadReport report = ParseDefinition(yaml, "chain.yaml");
    if (!report.ok()) std::abort();
    benchmark::DoNotOptimize(report);
  }
  state.SetItemsProcessed(state.iterations() * n);  // states per second
  state.counters["bytes"] = static_cast<double>(yaml.size());
}
BENCHMARK(BM_ValidateChain)->Arg(5000)->Arg(10000)->Arg(20000)->Unit(benchmark::kMillisecond);

void BM_HistoryHash(benchmark::State& state) {
  HistoryEntry e{"01JD3X1Y2Z3A4B5C6D7E8F9G0H",
                 42,
                 "recognise",
                 "transmitted",
                 "recognised",
                 "eve.executing",
                 FromUnixMicros(1'700'000'000'000'000),
                 nlohmann::json::object(),
                 "",
                 kGenesisHash,
                 ""};
  for (auto _ : state) benchmark::DoNotOptimize(ComputeHistoryHash(e));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HistoryHash);

void BM_TableDispatch(benchmark::State& state) {
  auto compiled = CompileWorkflow(Ring());
  const CompiledWorkflow& cw = **compiled;
  int32_t s = cw.initial;
  int32_t e = 0;
  for (auto _ : state) {
    const CompiledTransition* t = cw.Lookup(s, e);
    s = t->to;
    e = (e + 1) % 6;
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TableDispatch);

// The same ring as a Boost.MSM machine: the ceiling for dispatch of a fixed machine.
namespace msmf = boost::msm::front;
struct E0 {};
struct E1 {};
struct E2 {};
struct E3 {};
struct E4 {};
struct E5 {};
struct RingDef : msmf::state_machine_def<RingDef> {
  struct S0 : msmf::state<> {};
  struct S1 : msmf::state<> {};
  struct S2 : msmf::state<> {};
  struct S3 : msmf::state<> {};
  struct S4 : msmf::state<> {};
  struct S5 : msmf::state<> {};
  using initial_state = S0;
  // clang-format off
  struct transition_table : boost::mpl::vector<
      //        Start Event Next Action      Guard
      msmf::Row<S0,   E0,   S1,  msmf::none, msmf::none>,
      msmf::Row<S1,   E1,   S2,  msmf::none, msmf::none>,
      msmf::Row<S2,   E2,   S3,  msmf::none, msmf::none>,
      msmf::Row<S3,   E3,   S4,  msmf::none, msmf::none>,
      msmf::Row<S4,   E4,   S5,  msmf::none, msmf::none>,
      msmf::Row<S5,   E5,   S0,  msmf::none, msmf::none>
  > {};
  // clang-format on
  template <class Fsm, class Event>
  void no_transition(const Event&, Fsm&, int) {
    std::abort();
  }
  template <class Fsm, class Event>
  void exception_caught(const Event&, Fsm&, std::exception&) {
    std::abort();
  }
};

void BM_RawMsmDispatch(benchmark::State& state) {
  boost::msm::back::state_machine<RingDef> m;
  m.start();
  for (auto _ : state) {
    m.process_event(E0{});
    m.process_event(E1{});
    m.process_event(E2{});
    m.process_event(E3{});
    m.process_event(E4{});
    m.process_event(E5{});
    benchmark::DoNotOptimize(m.current_state());
  }
  state.SetItemsProcessed(state.iterations() * 6);
}
BENCHMARK(BM_RawMsmDispatch);

}  // namespace
}  // namespace rogatory

BENCHMARK_MAIN();
