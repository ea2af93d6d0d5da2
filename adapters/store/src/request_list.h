// GET /v1/requests on SQL: a page of requests in id order, every filter an index walk
// (docs/performance.md, "A million requests").
#ifndef ROGATORY_ADAPTERS_STORE_REQUEST_LIST_H_
#define ROGATORY_ADAPTERS_STORE_REQUEST_LIST_H_

#include "connection.h"
#include "rogatory/store.h"

namespace rogatory::store_internal {

// The page of requests `q` asks for, read on `c` (Store::ListRequests). With `overdue_only` and
// a party filter, `overdue_walk` is how many candidates it checks in id order before it turns to
// the due-time index, and how many due rows it counts before calling them many (SqlStoreOptions).
// Throws on a database error; Internal when a row does not decode.
Result<RequestPage> ListRequestPage(Connection& c, const RequestQuery& q, int overdue_walk);

}  // namespace rogatory::store_internal

#endif  // ROGATORY_ADAPTERS_STORE_REQUEST_LIST_H_
