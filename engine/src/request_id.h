// Request ids: 26 characters of Crockford base32, 48 bits of milliseconds then 80 random bits,
// so ids sort by creation time (keyset pagination follows creation order) and never collide.
#ifndef ROGATORY_ENGINE_SRC_REQUEST_ID_H_
#define ROGATORY_ENGINE_SRC_REQUEST_ID_H_

#include <string>

#include "rogatory/time.h"

namespace rogatory {

// A new id for a request created at `now`. Thread-safe.
std::string NewRequestId(TimePoint now);

}  // namespace rogatory

#endif  // ROGATORY_ENGINE_SRC_REQUEST_ID_H_
