// TimeZone::Find: one lookup in the system's tzdata (date::locate_zone with USE_OS_TZDB), at
// start-up; the engine then keeps the pointer and never looks a name up again.
#include "rogatory/time_zone.h"

#include <date/tz.h>

#include <chrono>
#include <exception>

#include "time_zone_rules.h"

namespace rogatory {

TimeZone::TimeZone() {
  static const auto utc = std::make_shared<const Rules>(Rules{"UTC", nullptr});
  rules_ = utc;
}

TimeZone::TimeZone(std::shared_ptr<const Rules> rules) : rules_(std::move(rules)) {}

const std::string& TimeZone::name() const { return rules_->name; }

Result<TimeZone> TimeZone::Find(std::string_view name) {
  if (name == "UTC") return TimeZone();
  const std::string wanted(name);
  auto unknown = [&](const std::string& why) {
    return InvalidArgumentError("unknown time zone '" + wanted +
                                "': give an IANA name such as Europe/Paris or UTC (" + why + ")");
  };
  if (wanted.empty()) return unknown("the name is empty");
  try {
    const date::time_zone* zone = date::locate_zone(wanted);
    // Loads the zone's transitions now, so the first deadline does not pay for it.
    zone->get_info(date::sys_seconds(std::chrono::seconds(0)));
    return TimeZone(std::make_shared<const Rules>(Rules{wanted, zone}));
  } catch (const std::exception& e) {
    return unknown(std::string("the system's tzdata in /usr/share/zoneinfo: ") + e.what());
  }
}

}  // namespace rogatory
