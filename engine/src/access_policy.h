// CONTRACT §8 in one place: who sees a request, who may act on it, and which parties a
// creation or a transition sets. Every Engine call that takes an Actor asks this policy; the
// rules are spelled out at Actor (rogatory/request.h).
#ifndef ROGATORY_ENGINE_SRC_ACCESS_POLICY_H_
#define ROGATORY_ENGINE_SRC_ACCESS_POLICY_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiled_workflow.h"
#include "rogatory/engine.h"
#include "rogatory/request.h"
#include "rogatory/status.h"
#include "rogatory/store.h"

namespace rogatory {

using Parties = std::map<std::string, std::string>;

class AccessPolicy {
 public:
  explicit AccessPolicy(std::vector<Authority> authorities);

  // True when the deployment has authorities (the rules apply); false: everything as before.
  bool enabled() const { return !authorities_.empty(); }
  const std::vector<Authority>& authorities() const { return authorities_; }
  // The authority `id`, or nullptr.
  const Authority* Find(std::string_view id) const;

  // Whether `actor` may see `r`.
  bool MaySee(const Request& r, const Actor& actor) const;
  // NotFound, worded as the store words an unknown id, when `actor` may not see `r`.
  Status CheckSee(const Request& r, const Actor& actor) const;
  // PermissionDenied when `actor` may not create, fire or migrate at all (`what`: "create
  // requests", ...): an auditor, or with authorities an actor without a configured authority
  // (the engine's `system` actor excepted).
  Status CheckMayWrite(const Actor& actor, std::string_view what) const;
  // Whether one of `actor`'s roles that `t` lists acts for no side, or for a side of `r` whose
  // party is the actor's authority.
  bool MayFire(const Actor& actor, const CompiledWorkflow& cw, const CompiledTransition& t,
               const Request& r) const;

  // The parties of a new request of `cw` created by `actor` with `given` (CreateCall::parties).
  // PermissionDenied: no role of the actor acts for a side. InvalidArgument: unknown side or
  // authority, or another authority for the creator's side.
  Result<Parties> CreationParties(const CompiledWorkflow& cw, const Actor& actor,
                                  const Parties& given) const;
  // Checks `given` (EventCall::parties) against the sides `t` assigns: exactly those, each a
  // configured authority. InvalidArgument otherwise.
  Status CheckAssigned(const CompiledTransition& t, const std::string& event,
                       const Parties& given) const;

  // `q` narrowed to what `actor` may list, or nullopt when it may list nothing.
  // InvalidArgument: `q.party` is not a configured authority.
  Result<std::optional<RequestQuery>> Scope(RequestQuery q, const Actor& actor) const;

  // The name an actor's idempotency records are kept under: its id, prefixed by its authority
  // when it has one ("fr.pnf:ana"), so equal actor ids of two authorities never share answers.
  std::string IdempotencyScope(const Actor& actor) const;

  // Reads every request: no authorities, an auditor, or the engine's own `system` actor.
  bool SeesAll(const Actor& actor) const;

 private:
  std::vector<Authority> authorities_;
};

}  // namespace rogatory

#endif  // ROGATORY_ENGINE_SRC_ACCESS_POLICY_H_
