// A workflow definition compiled once per (workflow, version) into integer tables:
// state x event -> transition, so firing an event is a couple of array lookups (a hash lookup
// for a workflow too large for a dense table).
#ifndef ROGATORY_ENGINE_SRC_COMPILED_WORKFLOW_H_
#define ROGATORY_ENGINE_SRC_COMPILED_WORKFLOW_H_

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "rogatory/status.h"
#include "rogatory/workflow.h"

namespace rogatory {

// One `when` condition compiled against its field's type: the values are parsed once, so
// testing a request compares integers, booleans or strings without reading the YAML again.
struct CompiledCondition {
  std::string field;  // the key in the request's data
  GuardOp op = GuardOp::kEq;
  FieldType type = FieldType::kString;
  std::vector<int64_t> numbers;    // kInteger values; kBoolean as 0/1; kDateTime in µs (UTC)
  std::vector<std::string> texts;  // kString, kEnum and kDate values (ISO dates order as text)
  bool set = true;                 // kSet: whether the field must be set

  // Whether the condition holds for `value`, nullptr when the field is unset.
  bool Holds(const nlohmann::json* value) const;
};

struct CompiledTransition {
  int32_t event = -1;
  int32_t to = -1;  // -1: stays in its source state
  std::vector<std::string> roles;
  std::vector<int32_t> require;                             // field ids
  std::vector<int32_t> start, stop, pause, resume, extend;  // deadline ids
  std::vector<CompiledCondition> when;                      // all must hold; empty: always
  std::set<std::string> assign{};  // CONTRACT §8: the sides whose party the event call sets

  // Whether `when` holds on `data` merged with `event_data` (an event's null clears a field).
  bool GuardHolds(const nlohmann::json& event_data, const nlohmann::json& data) const;
};

// The transitions one (state, event) pair may take, in file order: a pointer range into
// CompiledWorkflow::group_members.
struct TransitionGroup {
  const int32_t* begin = nullptr;
  const int32_t* end = nullptr;
  bool empty() const { return begin == end; }
};

struct CompiledDeadline {
  std::string name;
  IsoDuration duration;
  std::optional<IsoDuration> extension;
  int32_t on_expiry = -1;  // event id
  Counting counting = Counting::kExact;
  int32_t from_field = -1;  // field id of `from_field`, or -1: counts from its start
  // StateId -> 1 when the state is in `while`; empty for a clock that transitions start.
  std::vector<uint8_t> while_states;

  bool Runs(int32_t state) const {
    return !while_states.empty() && while_states[static_cast<size_t>(state)] != 0;
  }
};

// Where the transitions of one (state, event) slot are in CompiledWorkflow::group_members:
// [begin, end); begin == end when the state has none for the event.
struct GroupSpan {
  int32_t begin = 0;
  int32_t end = 0;
};

// The largest state x event table kept dense (4 MiB of spans).
inline constexpr size_t kMaxDenseTransitionIndex = size_t{1} << 19;

struct CompiledWorkflow {
  WorkflowDefinition def;
  int32_t initial = -1;
  std::vector<std::string> state_names;  // StateId -> name
  std::vector<Phase> state_phase;        // StateId -> phase
  std::vector<uint8_t> state_terminal;   // StateId -> terminal
  std::vector<std::string> event_names;  // EventId -> name
  std::vector<CompiledTransition> transitions;
  // state * event_count + event -> the slot's span of group_members, which holds transition indexes
  // in the order they are tried. A span rather than a group number: one load finds both ends
  // (dispatch is then two dependent loads to the transition, not four).
  std::vector<GroupSpan> transition_index;
  // The same map for workflows whose dense table would pass kMaxDenseTransitionIndex entries
  // (a 10k-state chain would need 100M): only the (state, event) pairs that exist.
  std::unordered_map<uint64_t, GroupSpan> sparse_transition_index;
  bool dense = true;
  std::vector<int32_t> group_members;
  std::vector<CompiledDeadline> deadlines;
  // The deadline ids with `from_field` and with `while`: both empty for a workflow without
  // such clocks, so its steps pay nothing for them.
  std::vector<int32_t> from_field_deadlines, while_deadlines;
  std::unordered_map<std::string, int32_t> state_ids, event_ids, field_ids, deadline_ids;
  // CONTRACT §8: role -> the side it acts for (roles of no side are absent).
  std::unordered_map<std::string, std::string> side_of_role;

  int32_t event_count() const { return static_cast<int32_t>(event_names.size()); }
  // The transitions for (state, event) in the order they are tried; empty when the state
  // has none for the event. REQUIRES: valid ids.
  TransitionGroup Group(int32_t state, int32_t event) const {
    const uint64_t slot =
        static_cast<uint64_t>(state) * event_names.size() + static_cast<uint64_t>(event);
    GroupSpan span;
    if (dense) {
      span = transition_index[slot];
    } else if (auto it = sparse_transition_index.find(slot); it != sparse_transition_index.end()) {
      span = it->second;
    }
    const int32_t* base = group_members.data();
    return {base + span.begin, base + span.end};
  }
  // The first transition of `group` whose `when` holds on `data` merged with `event_data`, or
  // nullptr when none does.
  const CompiledTransition* Choose(TransitionGroup group, const nlohmann::json& event_data,
                                   const nlohmann::json& data) const {
    for (const int32_t* t = group.begin; t != group.end; ++t) {
      const CompiledTransition& candidate = transitions[static_cast<size_t>(*t)];
      if (candidate.when.empty() || candidate.GuardHolds(event_data, data)) return &candidate;
    }
    return nullptr;
  }
  // The first transition for (state, event), guards aside, or nullptr.
  const CompiledTransition* Lookup(int32_t state, int32_t event) const {
    TransitionGroup g = Group(state, event);
    return g.empty() ? nullptr : &transitions[static_cast<size_t>(*g.begin)];
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
