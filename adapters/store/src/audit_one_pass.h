// The audit's first try on a range reader: every chain checked in one sequential pass
// (HistoryRangeReader::ScanAll), see AuditHistories in rogatory/audit.h.
#ifndef ROGATORY_ADAPTERS_STORE_AUDIT_ONE_PASS_H_
#define ROGATORY_ADAPTERS_STORE_AUDIT_ONE_PASS_H_

#include <optional>

#include "rogatory/audit.h"

namespace rogatory::store_internal {

// The report when every request and entry checks out (`one_pass` set), nullopt when anything
// does not or the scan fails (the caller walks the pages for the exact report, or the error). The
// history is read and checked in `workers` parts, each on a thread of its own.
std::optional<AuditReport> AuditInOnePass(HistoryRangeReader& store, int workers);

}  // namespace rogatory::store_internal

#endif  // ROGATORY_ADAPTERS_STORE_AUDIT_ONE_PASS_H_
