// A request (one EIO, EAW, MLA request ...) as the engine stores and returns it, its history
// entries, and the calls that create and move it.
#ifndef ROGATORY_REQUEST_H_
#define ROGATORY_REQUEST_H_

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rogatory/status.h"
#include "rogatory/time.h"
#include "rogatory/workflow.h"

namespace rogatory {

// Opaque, sortable by creation time (lexicographic order is creation order).
using RequestId = std::string;

// CONTRACT §8: the built-in read-only role. An actor holding it reads every request (in a
// deployment with authorities too) and may create, fire and migrate nothing.
inline constexpr std::string_view kAuditorRole = "auditor";

// Who acts: an id for the audit trail and the roles that decide what they may fire.
//
// Access rules (CONTRACT §8), enforced by the Engine for every call that takes an Actor:
// - A deployment without authorities (EngineOptions::authorities empty): every actor sees every
//   request and fires what its roles allow, as before; `parties` stay empty.
// - With authorities, an actor with an `authority` sees (get, history, events, list) only the
//   requests whose `parties` name that authority; any other answers NotFound, exactly as an
//   unknown id. It fires a transition only with a role the transition lists that acts for no
//   side, or acts for a side whose party is its own authority (PermissionDenied otherwise).
// - With authorities, an actor without one sees requests only with the `auditor` role, and
//   creates and fires nothing; the engine's own `system` actor sees and fires everything.
struct Actor {
  std::string id;
  std::vector<std::string> roles;
  // The authority it acts for (CONTRACT §8: an id from the config's `authorities`); empty for
  // a deployment without authorities and for global tokens (admin, auditor, metrics).
  std::string authority{};
  bool HasRole(std::string_view role) const;
};

// The engine's own timers: id "system", role "system".
Actor SystemActor();

// A running (or paused) clock on a request.
struct DeadlineState {
  std::string name;
  TimePoint started_at;
  TimePoint due_at;  // when running: when it lapses; when paused: when it would have
  bool paused = false;
  Duration remaining{0};  // when paused: the time it had left
  bool extended = false;  // its extension has been used
  bool lapsed = false;    // CONTRACT §7: it lapsed and stays visible until stopped
  TimePoint lapsed_at{};  // when lapsed: when it lapsed
  friend bool operator==(const DeadlineState& a, const DeadlineState& b) {
    return a.name == b.name && a.started_at == b.started_at && a.due_at == b.due_at &&
           a.paused == b.paused && a.remaining == b.remaining && a.extended == b.extended &&
           a.lapsed == b.lapsed && a.lapsed_at == b.lapsed_at;
  }
};

// A request's current state. `revision` starts at 1 (creation) and grows by one per
// transition; revision N is history entry seq N.
struct Request {
  RequestId id;
  std::string workflow;
  int version = 0;
  nlohmann::json references = nlohmann::json::object();  // {issuing: ..., executing: ...}
  std::string state;
  Phase phase = Phase::kDrafting;
  nlohmann::json data = nlohmann::json::object();
  int64_t revision = 0;
  TimePoint created_at;
  TimePoint updated_at;
  std::vector<DeadlineState> deadlines;  // running and paused clocks, by name
  std::string head_hash;                 // hash of the latest history entry
  // CONTRACT §8: side -> authority id of each party to the request (empty without authorities).
  // Set at creation (the creator's side, and CreateCall::parties) and by transitions that
  // `assign` sides (EventCall::parties); a side once set is only ever reassigned, never cleared.
  std::map<std::string, std::string> parties{};

  // True when `authority` is the party of some side of this request.
  bool HasParty(std::string_view authority) const;

  // The deadline named `name`, or nullptr.
  const DeadlineState* FindDeadline(std::string_view name) const;
  // True when a running (not paused) deadline is due at or before `now`.
  bool IsOverdue(TimePoint now) const;
};

// One entry of a request's tamper-evident history. `hash` covers `prev_hash` and every other
// field, so changing any entry breaks the chain from there on (see history.h).
struct HistoryEntry {
  RequestId request_id;
  int64_t seq = 0;         // 1 = creation
  std::string event;       // "create" for the first entry
  std::string from_state;  // empty for the first entry
  std::string to_state;
  std::string actor;
  TimePoint at;
  nlohmann::json data = nlohmann::json::object();  // the data the event carried
  std::string comment;
  std::string prev_hash;    // 64 zeros for the first entry
  std::string hash;         // lowercase hex SHA-256
  std::string authority{};  // the actor's authority (CONTRACT §8); empty when it has none
};

// Creates a request.
struct CreateCall {
  std::string workflow;
  std::optional<int> version;  // default: the newest loaded
  nlohmann::json data = nlohmann::json::object();
  nlohmann::json references = nlohmann::json::object();  // string values only
  std::string comment;
  std::string idempotency_key;  // non-empty: a repeat with the same key returns the first result
  // CONTRACT §8: side -> authority id for sides other than the creator's (the creator's own
  // authority becomes the party of the first side its role acts for; naming another authority
  // for that side is InvalidArgument). Unknown sides or authorities: InvalidArgument. Must be
  // empty in a deployment without authorities.
  std::map<std::string, std::string> parties{};
};

// Fires an event on a request.
struct EventCall {
  std::string event;
  nlohmann::json data = nlohmann::json::object();  // checked against the fields, then merged
  std::optional<int64_t> expected_revision;        // Aborted if the request has moved on
  std::string comment;
  std::string idempotency_key;
  // CONTRACT §8: side -> authority id, exactly for the sides the transition `assign`s (each of
  // them required; any other side, or an unknown authority, is InvalidArgument). Must be empty
  // in a deployment without authorities, where `assign` is ignored.
  std::map<std::string, std::string> parties{};
};

// An event an actor may fire now, and whether its `require`d fields are already set.
struct AvailableEvent {
  std::string event;
  std::string to;                    // the target state
  std::vector<std::string> require;  // all required fields
  std::vector<std::string> missing;  // required fields not yet in the request's data
  // CONTRACT §8: the sides the transition assigns (EventCall::parties must name each); empty
  // in a deployment without authorities.
  std::vector<std::string> assign{};
};

// The request as JSON (CONTRACT §4 GET /v1/requests/{id}), with RFC 3339 timestamps and
// `parties` ({SIDE: AUTHORITY}, {} when it has none).
nlohmann::json RequestToJson(const Request& r);
// Parses the output of RequestToJson back (used to replay idempotent answers).
// InvalidArgument if `j` is not of that shape.
Result<Request> RequestFromJson(const nlohmann::json& j);
// A history entry as JSON (CONTRACT §4 GET /v1/requests/{id}/history), with `authority`
// (null when the actor had none).
nlohmann::json HistoryEntryToJson(const HistoryEntry& e);

}  // namespace rogatory

#endif  // ROGATORY_REQUEST_H_
