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
