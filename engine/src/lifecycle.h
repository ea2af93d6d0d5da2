// The four-phase lifecycle every request shares, held in a Boost.MSM state machine:
// drafting -> transmission -> execution -> closure; transmission may return to drafting;
// closure is final. The validator checks each declared transition against it and the engine
// checks each fired one (through a table precomputed from the machine at start-up).
#ifndef ROGATORY_ENGINE_SRC_LIFECYCLE_H_
#define ROGATORY_ENGINE_SRC_LIFECYCLE_H_

#include "rogatory/workflow.h"

namespace rogatory {

// True when a request may move from a state in phase `from` to a state in phase `to`:
// staying in the phase, moving forward, or returning from transmission to drafting. Nothing
// leaves closure (a closure -> closure move is refused too: closure states are final).
bool LifecycleAllows(Phase from, Phase to);

}  // namespace rogatory

#endif  // ROGATORY_ENGINE_SRC_LIFECYCLE_H_
