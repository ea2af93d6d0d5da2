// The in-process half of the scale benchmark: each call the API makes of the store or the
// engine (lists, get, history, events, fire, the scheduler's claim), timed over many calls on
// random keys, printed as one table row each.
#ifndef ROGATORY_BENCH_SCALE_STORE_PROBES_H_
#define ROGATORY_BENCH_SCALE_STORE_PROBES_H_

#include <random>
#include <string>
#include <vector>

#include "rogatory/engine.h"
#include "rogatory/request.h"
#include "rogatory/status.h"
#include "rogatory/store.h"
#include "rogatory/workflow.h"

namespace rogatory::scale {

// Random existing request ids: a random instant between the first request's creation and now,
// as a cursor (ids sort by creation time), and the first id after it.
class KeySampler {
 public:
  // NotFound when the store holds no request.
  static Result<KeySampler> Open(Store& store, TimePoint now);
  // A random existing id.
  Result<RequestId> Next(std::mt19937_64& rng);

 private:
  KeySampler(Store& store, int64_t first_ms, int64_t now_ms)
      : store_(&store), first_ms_(first_ms), now_ms_(now_ms) {}
  Store* store_;
  int64_t first_ms_;
  int64_t now_ms_;
};

struct ProbeSetup {
  Store* store = nullptr;
  Engine* engine = nullptr;  // over `store`, the shipped definitions loaded, the system clock
  Actor actor;               // every role (EveryRoleActor)
  const std::vector<WorkflowDefinition>* definitions = nullptr;
  int calls = 1000;  // per measurement
  uint64_t seed = 1;
};

// Runs every store/engine measurement and prints its row. Returns the first error (a call that
// failed), after which the figures are worthless.
Status RunStoreProbes(const ProbeSetup& setup);

// Ids of `n` random requests (for the HTTP half).
Result<std::vector<RequestId>> SampleIds(Store& store, int n, uint64_t seed);

}  // namespace rogatory::scale

#endif  // ROGATORY_BENCH_SCALE_STORE_PROBES_H_
