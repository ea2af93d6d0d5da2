// What a rogatory::TimeZone holds: a pointer into Howard Hinnant's tz database (which lives
// for the whole process), or nothing for UTC so that UTC needs no tzdata at all.
#ifndef ROGATORY_ENGINE_SRC_TIME_ZONE_RULES_H_
#define ROGATORY_ENGINE_SRC_TIME_ZONE_RULES_H_

#include <string>

#include "rogatory/time_zone.h"

namespace date {
class time_zone;
}  // namespace date

namespace rogatory {

struct TimeZone::Rules {
  std::string name;
  const date::time_zone* zone = nullptr;  // nullptr: UTC
};

}  // namespace rogatory

#endif  // ROGATORY_ENGINE_SRC_TIME_ZONE_RULES_H_
