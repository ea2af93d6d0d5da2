// The deployment's time zone (CONTRACT §2 `time_zone`): the IANA rules of the system's tzdata
// (/usr/share/zoneinfo), looked up once. Deadlines counted in whole days (CONTRACT §7
// `counting: days`) end at local midnight in it.
#ifndef ROGATORY_TIME_ZONE_H_
#define ROGATORY_TIME_ZONE_H_

#include <memory>
#include <string>
#include <string_view>

#include "rogatory/status.h"

namespace rogatory {

// A resolved IANA time zone; cheap to copy (the rules are shared and immutable).
//
// Example:
//   Result<TimeZone> paris = TimeZone::Find("Europe/Paris");
//   if (!paris.ok()) return paris.status();  // "unknown time zone 'Europe/Pariss' ..."
//   EngineOptions options{store, clock, *paris};
class TimeZone {
 public:
  // UTC, without any tzdata lookup.
  TimeZone();

  // The zone with IANA name `name` ("Europe/Paris", "Asia/Baghdad", "UTC"). InvalidArgument
  // naming it when the system's tzdata has no such zone. Reads the tzdata once per process.
  static Result<TimeZone> Find(std::string_view name);

  // The IANA name it was found under ("UTC" for the default).
  const std::string& name() const;

  // The resolved rules; defined inside the engine, opaque to embedders.
  struct Rules;
  // The engine's view of the rules. Never null.
  const Rules& rules() const { return *rules_; }

 private:
  explicit TimeZone(std::shared_ptr<const Rules> rules);
  std::shared_ptr<const Rules> rules_;
};

}  // namespace rogatory

#endif  // ROGATORY_TIME_ZONE_H_
