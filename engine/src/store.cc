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

}  // namespace rogatory
