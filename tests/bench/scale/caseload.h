// The caseload of the scale benchmark (docs/performance.md, "A million requests"): N requests of
// the seven shipped workflows in the proportions of CaseloadMix(), each walked through 5-15 real
// transitions of its workflow by the real Engine (so every row is what `Engine::Fire` writes:
// hashed history chains, clocks started, paused and stopped by the definitions), written through
// the real Store::Apply of the store under test.
#ifndef ROGATORY_BENCH_SCALE_CASELOAD_H_
#define ROGATORY_BENCH_SCALE_CASELOAD_H_

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "rogatory/request.h"
#include "rogatory/status.h"
#include "rogatory/store.h"
#include "rogatory/time.h"
#include "rogatory/workflow.h"

namespace rogatory::scale {

// One workflow's share of the requests an office handles in a year.
struct WorkflowShare {
  const char* workflow;
  double share;  // of all requests; the shares add up to 1
};

// The mix the benchmark builds; docs/performance.md says why these proportions.
const std::vector<WorkflowShare>& CaseloadMix();

struct CaseloadOptions {
  int64_t requests = 1000000;
  int threads = 32;  // callers of Store::Apply at once (their steps share commits)
  TimePoint now;     // the caseload's "today": clocks are due around it
  double closed_share = 0.30;
  double overdue_share = 0.02;  // of all requests: a running clock past due at `now`
  int min_entries = 5;          // history entries per request, creation included
  int max_entries = 15;
  uint64_t seed = 20261202;
};

// What was built, counted from what the engine returned.
struct CaseloadReport {
  int64_t requests = 0;
  int64_t entries = 0;  // history entries written
  int64_t closed = 0;   // requests that reached a terminal state
  int64_t overdue = 0;  // open requests with a running clock due before `now`
  int64_t refused = 0;  // events the engine refused on the way (a guard chose otherwise)
  std::array<int64_t, 5> open_by_clocks{};  // open requests with 0, 1, 2, 3, 4+ running clocks
  std::map<std::string, int64_t> by_workflow;
  double seconds = 0;
};

// Builds the caseload into `store` (which must already be open; its definitions are recorded).
// `definitions` are the seven shipped workflows. Progress goes to stderr every ~10 s.
Result<CaseloadReport> BuildCaseload(const std::shared_ptr<Store>& store,
                                     const std::vector<WorkflowDefinition>& definitions,
                                     const CaseloadOptions& options);

// An actor holding every role the definitions name (except `system`): the benchmark may fire
// any event a person may fire.
Actor EveryRoleActor(const std::vector<WorkflowDefinition>& definitions);

// A value of the field's type (strings, dates, enum values, ...), drawn from `pick`. The field
// `def` names as its statistics counterpart (`stats: [{counterpart: F}]`, a State) takes one of
// 40 country codes, as real requests do; other strings one of 100,000 texts.
nlohmann::json SampleValue(const WorkflowDefinition& def, const FieldDef& field, uint64_t pick,
                           TimePoint now);

}  // namespace rogatory::scale

#endif  // ROGATORY_BENCH_SCALE_CASELOAD_H_
