// A workflow definition compiled once per (workflow, version) into integer tables:
// state x event -> transition, so firing an event is a couple of array lookups (a hash lookup
// for a workflow too large for a dense table).
#ifndef ROGATORY_ENGINE_SRC_COMPILED_WORKFLOW_H_
#define ROGATORY_ENGINE_SRC_COMPILED_WORKFLOW_H_

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "rogatory/status.h"
#include "rogatory/workflow.h"

namespace rogatory {

struct CompiledTransition {
  int32_t event = -1;
  int32_t to = -1;  // -1: stays in its source state
  std::vector<std::string> roles;
  std::vector<int32_t> require;                             // field ids
  std::vector<int32_t> start, stop, pause, resume, extend;  // deadline ids
};

struct CompiledDeadline {
  std::string name;
  IsoDuration duration;
  std::optional<IsoDuration> extension;
  int32_t on_expiry = -1;  // event id
};

// The largest state x event table kept dense (4 MiB of int32).
inline constexpr size_t kMaxDenseTransitionIndex = size_t{1} << 20;

struct CompiledWorkflow {
  WorkflowDefinition def;
  int32_t initial = -1;
  std::vector<std::string> state_names;  // StateId -> name
  std::vector<Phase> state_phase;        // StateId -> phase
  std::vector<uint8_t> state_terminal;   // StateId -> terminal
  std::vector<std::string> event_names;  // EventId -> name
  std::vector<CompiledTransition> transitions;
  std::vector<int32_t> transition_index;  // state * event_count + event -> transition or -1
  // The same map for workflows whose dense table would pass kMaxDenseTransitionIndex entries
  // (a 10k-state chain would need 100M): only the (state, event) pairs that exist.
  std::unordered_map<uint64_t, int32_t> sparse_transition_index;
  bool dense = true;
  std::vector<CompiledDeadline> deadlines;
  std::unordered_map<std::string, int32_t> state_ids, event_ids, field_ids, deadline_ids;

  int32_t event_count() const { return static_cast<int32_t>(event_names.size()); }
  // The transition for (state, event), or nullptr. REQUIRES: valid ids.
  const CompiledTransition* Lookup(int32_t state, int32_t event) const {
    const uint64_t slot =
        static_cast<uint64_t>(state) * event_names.size() + static_cast<uint64_t>(event);
    int32_t t = -1;
    if (dense) {
      t = transition_index[slot];
    } else if (auto it = sparse_transition_index.find(slot); it != sparse_transition_index.end()) {
      t = it->second;
    }
    return t < 0 ? nullptr : &transitions[static_cast<size_t>(t)];
  }
  // Name -> id, or -1.
  static int32_t Find(const std::unordered_map<std::string, int32_t>& ids,
                      const std::string& name) {
    auto it = ids.find(name);
    return it == ids.end() ? -1 : it->second;
  }
};

// Compiles a definition that passed validation. InvalidArgument if it refers to unknown
// names (the validator reports those with their lines; this is a second guard).
Result<std::unique_ptr<const CompiledWorkflow>> CompileWorkflow(const WorkflowDefinition& def);

}  // namespace rogatory

#endif  // ROGATORY_ENGINE_SRC_COMPILED_WORKFLOW_H_
