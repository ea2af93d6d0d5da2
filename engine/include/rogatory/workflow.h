// A workflow definition as an admin writes it (CONTRACT §1), after parsing and before
// compilation: the request type's fields, states, deadlines and transitions.
#ifndef ROGATORY_WORKFLOW_H_
#define ROGATORY_WORKFLOW_H_

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rogatory/time.h"

namespace rogatory {

// The four lifecycle phases every request shares, in order. Transmission may return to
// drafting (returned for correction); nothing leaves closure.
enum class Phase : uint8_t { kDrafting = 0, kTransmission = 1, kExecution = 2, kClosure = 3 };
inline constexpr int kPhaseCount = 4;

// "drafting", "transmission", "execution", "closure".
const char* PhaseName(Phase phase);
// The phase named `name`, or nullopt.
std::optional<Phase> ParsePhase(std::string_view name);

// The value types a request field may have.
// kDateTime (CONTRACT §7) is an RFC 3339 instant with an offset, kept normalised to UTC.
enum class FieldType : uint8_t { kString, kInteger, kBoolean, kDate, kEnum, kList, kDateTime };
// "string", "integer", "boolean", "date", "enum", "list", "datetime".
const char* FieldTypeName(FieldType type);
std::optional<FieldType> ParseFieldType(std::string_view name);

// The event name every request's creation is recorded under in its history.
inline constexpr std::string_view kCreateEvent = "create";
// The role of the engine's own timers.
inline constexpr std::string_view kSystemRole = "system";

// CONTRACT §9: translations of one name or title, by BCP 47 language tag ("fr", "ar",
// "pt-BR") to the text shown to users of that language.
using Labels = std::map<std::string, std::string>;

// One field of a request's data.
struct FieldDef {
  std::string name;
  FieldType type = FieldType::kString;
  bool required = false;                        // must be given at creation
  std::optional<nlohmann::json> default_value;  // fills the field when not given at creation
  std::vector<std::string> values;  // kEnum: the allowed values; kList of enum: item values
  std::optional<FieldType> items;   // kList: the type of each item (any scalar if unset)
  std::string description;
  int line = 0;  // where it is defined in the source, for error messages
  Labels labels{};
  std::map<std::string, Labels> value_labels{};  // kEnum (or list of enum): per allowed value
  int value_labels_line = 0;
};

// One state of the workflow; each belongs to one lifecycle phase.
struct StateDef {
  std::string name;
  Phase phase = Phase::kDrafting;
  bool initial = false;
  bool terminal = false;
  std::string description;
  int line = 0;
  Labels labels{};
};

// How a deadline counts its period (CONTRACT §7 `counting`): kExact sums to the microsecond
// from the moment it starts; kDays counts whole days in the deployment's time zone as
// Regulation (EEC, Euratom) No 1182/71 Art. 3 does (the starting day is not counted, the
// period ends at 24:00 of its last day).
enum class Counting : uint8_t { kExact, kDays };
// "exact", "days".
const char* CountingName(Counting c);

// A statutory or agreed time limit, armed and cancelled by transitions.
struct DeadlineDef {
  std::string name;
  IsoDuration duration;
  std::string on_expiry;                 // the event fired as actor `system` when it lapses
  std::optional<IsoDuration> extension;  // what `extend` adds, once
  Counting counting = Counting::kExact;  // how `duration` and `extension` are counted
  // CONTRACT §7: a `date` or `datetime` field the period counts from instead of from the
  // moment the clock starts (empty: from the start). Only such a clock may have a zero duration.
  std::string from_field;
  // CONTRACT §7 `while`: states in which the clock runs by itself; it starts on entering one of
  // them from a state not listed and stops on leaving them all. Empty: started by transitions.
  std::vector<std::string> while_states;
  std::string description;
  int line = 0;
};

// How a `when` condition tests its field (CONTRACT §7): `field: value` is kEq, `field: [a, b]`
// is kIn, `{set: true}` is kSet; kLt..kGe compare integer and date fields.
enum class GuardOp : uint8_t { kEq, kNe, kIn, kSet, kLt, kLe, kGt, kGe };
// "eq", "ne", "in", "set", "lt", "le", "gt", "ge".
const char* GuardOpName(GuardOp op);

// One condition of a transition's `when`: `field` compared with `value` (a list for kIn, a
// boolean for kSet), as written in the YAML.
struct GuardCondition {
  std::string field;
  GuardOp op = GuardOp::kEq;
  nlohmann::json value;
  int line = 0;
};

// The conditions as people read them, e.g. "legal_basis = ece_1957, count >= 3"; used for
// graph labels and to spot two alternatives with the same `when`.
std::string GuardText(const std::vector<GuardCondition>& when);

// One allowed move. `from` lists source states; `from_any` means every non-terminal state.
// An empty `to` means the request stays in its current state (an escalation or a note).
struct TransitionDef {
  std::string event;
  std::vector<std::string> from;
  bool from_any = false;
  std::string to;
  std::vector<std::string> roles;
  std::vector<std::string> require;
  std::vector<std::string> start;
  std::vector<std::string> stop;
  std::vector<std::string> pause;
  std::vector<std::string> resume;
  std::vector<std::string> extend;
  // Must all hold, on the request's data merged with the event's, for this transition to be
  // the one its group (same source state and event, in file order) takes. Empty: always.
  std::vector<GuardCondition> when;
  // CONTRACT §8: the sides whose party this transition sets; the event call must then name
  // an authority for each (EventCall::parties). Ignored in a deployment without authorities.
  std::vector<std::string> assign{};
  std::string description;
  int line = 0;
};

// CONTRACT §8: one side of a request (e.g. issuing, executing) and the roles that act for it.
// A role acts for at most one side; roles that act for no side (system, a registry clerk...)
// are checked by role alone.
struct SideDef {
  std::string name;
  std::vector<std::string> roles;
  int line = 0;
};

// CONTRACT §9: what the top-level `events:` map says about one event name (the transitions
// that fire it are in `transitions`).
struct EventDef {
  std::string name;
  Labels labels{};
  std::string description{};
  int line = 0;
};

// CONTRACT §9 `stats:`: the fields whose values statistics break down (refusal grounds and the
// like), and the field naming the counterpart state when no other-side authority does.
struct StatsDef {
  std::vector<std::string> fields{};
  std::vector<int> field_lines{};  // the line of each entry of `fields`
  std::string counterpart{};       // empty: none
  int counterpart_line = 0;
};

// A whole definition: one version of one workflow.
struct WorkflowDefinition {
  std::string id;  // [a-z][a-z0-9_]*
  int version = 0;
  std::string title;
  std::string legal_basis;
  std::string description;
  std::vector<FieldDef> fields;
  std::vector<StateDef> states;
  std::vector<DeadlineDef> deadlines;
  std::vector<TransitionDef> transitions;
  std::vector<SideDef> sides{};  // in file order: the creator's side is the first its role acts for
  std::string source;            // the YAML text it was parsed from (kept for the store and audit)
  std::string source_name;       // the file it came from, for messages
  int line = 1;                  // line of the document start
  Labels labels{};               // translations of `title`
  std::vector<EventDef> events{};
  StatsDef stats{};

  // The state named `name`, or nullptr.
  const StateDef* FindState(std::string_view name) const;
  const FieldDef* FindField(std::string_view name) const;
  const DeadlineDef* FindDeadline(std::string_view name) const;
  const SideDef* FindSide(std::string_view name) const;
  // The `events:` entry for `name`, or nullptr when the file says nothing about it.
  const EventDef* FindEvent(std::string_view name) const;
  // The first side (in `sides` order) that `role` acts for, or nullptr.
  const SideDef* SideOfRole(std::string_view role) const;
  // The initial state, or nullptr if there is none (an invalid definition).
  const StateDef* InitialState() const;
};

// The definition as the JSON the REST API serves at GET /v1/workflows/{id}.
nlohmann::json DefinitionToJson(const WorkflowDefinition& def);

}  // namespace rogatory

#endif  // ROGATORY_WORKFLOW_H_
