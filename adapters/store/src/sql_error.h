// Turns what SOCI and the database drivers throw into a Status, at the adapter edge.
#ifndef ROGATORY_ADAPTERS_STORE_SQL_ERROR_H_
#define ROGATORY_ADAPTERS_STORE_SQL_ERROR_H_

#include <string_view>

#include "rogatory/status.h"

namespace rogatory::store_internal {

// Maps the exception being handled. Call only inside a catch block.
//   Unavailable: the database cannot be reached, the connection broke, or a lock was not
//                granted within the busy timeout (retry later).
//   Aborted:     PostgreSQL serialization failure or deadlock (the step may be retried).
//   Internal:    anything else.
// The message names only `what` (e.g. "apply request r-1"): never SQL text nor bound values.
// The driver's own message goes to the log.
Status StatusFromCurrentException(std::string_view what);

}  // namespace rogatory::store_internal

#endif  // ROGATORY_ADAPTERS_STORE_SQL_ERROR_H_
