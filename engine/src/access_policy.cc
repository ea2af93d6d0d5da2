#include "access_policy.h"

#include <utility>

namespace rogatory {

AccessPolicy::AccessPolicy(std::vector<Authority> authorities)
    : authorities_(std::move(authorities)) {}

const Authority* AccessPolicy::Find(std::string_view id) const {
  for (const Authority& a : authorities_) {
    if (a.id == id) return &a;
  }
  return nullptr;
}

bool AccessPolicy::SeesAll(const Actor& actor) const {
  return !enabled() || actor.HasRole(kAuditorRole) ||
         (actor.id == kSystemRole && actor.HasRole(kSystemRole) && actor.authority.empty());
}

bool AccessPolicy::MaySee(const Request& r, const Actor& actor) const {
  if (SeesAll(actor)) return true;
  return !actor.authority.empty() && r.HasParty(actor.authority);
}

Status AccessPolicy::CheckSee(const Request& r, const Actor& actor) const {
  if (MaySee(r, actor)) return OkStatus();
  return NotFoundError("request " + r.id + " not found");
}

Status AccessPolicy::CheckMayWrite(const Actor& actor, std::string_view what) const {
  if (actor.HasRole(kAuditorRole)) {
    return PermissionDeniedError("actor '" + actor.id + "' is an auditor: it may read but not " +
                                 std::string(what));
  }
  if (!enabled() || SeesAll(actor)) return OkStatus();
  if (actor.authority.empty()) {
    return PermissionDeniedError("actor '" + actor.id +
                                 "' acts for no authority; in a deployment with authorities "
                                 "only an authority's actors may " +
                                 std::string(what));
  }
  if (Find(actor.authority) == nullptr) {
    return PermissionDeniedError("actor '" + actor.id + "' acts for authority '" + actor.authority +
                                 "', which is not configured");
  }
  return OkStatus();
}

bool AccessPolicy::MayFire(const Actor& actor, const CompiledWorkflow& cw,
                           const CompiledTransition& t, const Request& r) const {
  for (const auto& allowed : t.roles) {
    if (!actor.HasRole(allowed)) continue;
    if (!enabled()) return true;
    auto side = cw.side_of_role.find(allowed);
    if (side == cw.side_of_role.end()) return true;  // a role of no side: by role alone
    auto party = r.parties.find(side->second);
    if (party != r.parties.end() && !actor.authority.empty() && party->second == actor.authority) {
      return true;
    }
  }
  return false;
}

Result<Parties> AccessPolicy::CreationParties(const CompiledWorkflow& cw, const Actor& actor,
                                              const Parties& given) const {
  if (!enabled()) {
    if (!given.empty()) {
      return InvalidArgumentError("parties need authorities, and this deployment has none");
    }
    return Parties();
  }
  // The creator's side: the first side, in `sides` order, that one of its roles acts for.
  const SideDef* own = nullptr;
  for (const SideDef& side : cw.def.sides) {
    for (const auto& role : side.roles) {
      if (actor.HasRole(role)) own = &side;
    }
    if (own != nullptr) break;
  }
  if (own == nullptr) {
    return PermissionDeniedError(
        "no role of actor '" + actor.id + "' acts for a side of workflow " + cw.def.id +
        (cw.def.sides.empty() ? " (it names no sides)" : "") + "; it may not create requests");
  }
  Parties parties;
  for (const auto& [side, authority] : given) {
    if (cw.def.FindSide(side) == nullptr) {
      return InvalidArgumentError("workflow " + cw.def.id + " has no side '" + side + "'");
    }
    if (Find(authority) == nullptr) {
      return InvalidArgumentError("parties." + side + ": unknown authority '" + authority + "'");
    }
    if (side == own->name && authority != actor.authority) {
      return InvalidArgumentError("parties." + side +
                                  ": the creator's own side is its authority ('" + actor.authority +
                                  "'), not '" + authority + "'");
    }
    parties[side] = authority;
  }
  parties[own->name] = actor.authority;
  return parties;
}

Status AccessPolicy::CheckAssigned(const CompiledTransition& t, const std::string& event,
                                   const Parties& given) const {
  if (!enabled()) {
    if (!given.empty()) {
      return InvalidArgumentError("parties need authorities, and this deployment has none");
    }
    return OkStatus();
  }
  for (const auto& [side, authority] : given) {
    if (t.assign.count(side) == 0) {
      return InvalidArgumentError("event '" + event + "' does not assign side '" + side + "'");
    }
    if (Find(authority) == nullptr) {
      return InvalidArgumentError("parties." + side + ": unknown authority '" + authority + "'");
    }
  }
  for (const auto& side : t.assign) {
    if (given.count(side) == 0) {
      return InvalidArgumentError("event '" + event + "' assigns side '" + side +
                                  "': give its authority in parties." + side);
    }
  }
  return OkStatus();
}

Result<std::optional<RequestQuery>> AccessPolicy::Scope(RequestQuery q, const Actor& actor) const {
  if (!q.party.empty() && enabled() && Find(q.party) == nullptr) {
    return InvalidArgumentError("party: unknown authority '" + q.party + "'");
  }
  if (!q.party.empty() && !enabled()) {
    return InvalidArgumentError("party: this deployment has no authorities");
  }
  if (SeesAll(actor)) return std::optional<RequestQuery>(std::move(q));
  if (actor.authority.empty()) return std::optional<RequestQuery>();
  if (q.party.empty() || q.party == actor.authority) {
    q.party = actor.authority;
  } else {
    q.visible_to = actor.authority;
  }
  return std::optional<RequestQuery>(std::move(q));
}

std::string AccessPolicy::IdempotencyScope(const Actor& actor) const {
  // Authority ids never contain ':' ([a-z][a-z0-9_.-]*), so the prefix cannot be forged.
  return actor.authority.empty() ? actor.id : actor.authority + ":" + actor.id;
}

}  // namespace rogatory
