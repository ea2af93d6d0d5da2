#include "rogatory/store.h"

namespace rogatory {
namespace {

bool Contains(const std::vector<std::string>& list, std::string_view value) {
  for (const auto& v : list) {
    if (v == value) return true;
  }
  return false;
}

}  // namespace

bool Subscription::Matches(std::string_view type, std::string_view workflow) const {
  return active && (events.empty() || Contains(events, type)) &&
         (workflows.empty() || Contains(workflows, workflow));
}

bool Subscription::Receives(const Notification& n, const Request& r) const {
  if (!Matches(n.type, n.workflow)) return false;
  if (authority.empty()) return true;
  for (const auto& [side, party] : r.parties) {
    if (party == authority) return true;
  }
  return false;
}

const std::string& Notification::Body() const {
  if (!body.empty()) return body;
  nlohmann::json data{{"request_id", request_id},
                      {"workflow", workflow},
                      {"version", version},
                      {"event", event},
                      {"from", from.empty() ? nlohmann::json(nullptr) : nlohmann::json(from)},
                      {"to", to},
                      {"phase", PhaseName(phase)},
                      {"revision", revision},
                      {"actor", actor},
                      {"at", FormatRfc3339(at)}};
  if (!deadline.empty()) data["deadline"] = deadline;
  body = nlohmann::json{{"type", type}, {"timestamp", FormatRfc3339(at)}, {"data", std::move(data)}}
             .dump();
  return body;
}

Notification NotificationOf(const Mutation& m) {
  const Request& r = m.request;
  const HistoryEntry& h = m.history;
  Notification n;
  n.type = m.expected_revision == 0           ? kEventRequestCreated
           : !m.stats.lapsed_deadline.empty() ? kEventDeadlineExpired
           : m.stats.terminal                 ? kEventRequestClosed
                                              : kEventRequestTransitioned;
  n.workflow = r.workflow;
  n.request_id = r.id;
  n.version = r.version;
  n.event = h.event;
  n.from = h.from_state;
  n.to = h.to_state;
  n.phase = r.phase;
  n.revision = r.revision;
  n.actor = h.actor;
  n.at = h.at;
  n.deadline = m.stats.lapsed_deadline;
  return n;
}

const char* DeliveryStatusName(DeliveryStatus s) {
  switch (s) {
    case DeliveryStatus::kPending:
      return "pending";
    case DeliveryStatus::kDelivered:
      return "delivered";
    case DeliveryStatus::kDead:
      return "dead";
  }
  return "unknown";
}

std::optional<DeliveryStatus> ParseDeliveryStatus(std::string_view name) {
  for (DeliveryStatus s :
       {DeliveryStatus::kPending, DeliveryStatus::kDelivered, DeliveryStatus::kDead}) {
    if (name == DeliveryStatusName(s)) return s;
  }
  return std::nullopt;
}

Status RetryRefusal(const Delivery& d, bool claimed, std::optional<bool> subscription_active) {
  const std::string which = "delivery " + d.id;
  if (d.status == DeliveryStatus::kDelivered) {
    return FailedPreconditionError(which +
                                   " was delivered (acknowledged); only dead or failed "
                                   "deliveries are retried");
  }
  if (claimed) {
    return FailedPreconditionError(which +
                                   " is being sent now (claimed by a dispatcher); retry it once "
                                   "that attempt is recorded, if it fails");
  }
  if (d.status == DeliveryStatus::kPending && d.attempts == 0) {
    return FailedPreconditionError(which + " has not been tried yet; it is sent when due");
  }
  if (!subscription_active) {
    return FailedPreconditionError(which + ": its subscription " + d.subscription_id +
                                   " was deleted, so it cannot be sent");
  }
  if (!*subscription_active) {
    return FailedPreconditionError(
        which + ": its subscription " + d.subscription_id +
        " is disabled (its consumer answered 410 Gone, or an admin disabled it); re-enable it "
        "with PATCH /v1/subscriptions/" +
        d.subscription_id + " {\"active\": true}, then retry");
  }
  return OkStatus();
}

Result<std::vector<StatsCell>> Store::QueryStats(const StatsQuery&) {
  return FailedPreconditionError("this store keeps no statistics");
}

Status Store::ReplaceStats(const std::vector<StatsRecord>&) {
  return FailedPreconditionError("this store keeps no statistics");
}

}  // namespace rogatory
