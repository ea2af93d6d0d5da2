// Parses the `store:` URL of the deployment config into a backend and its connect string.
#ifndef ROGATORY_ADAPTERS_STORE_STORE_URL_H_
#define ROGATORY_ADAPTERS_STORE_STORE_URL_H_

#include <string>

#include "rogatory/status.h"

namespace rogatory::store_internal {

enum class Backend { kMemory, kSqlite, kPostgres };

struct StoreUrl {
  Backend backend = Backend::kMemory;
  // kSqlite: the file path, or ":memory:". kPostgres: the connect string (PgConnectString).
  // kMemory: empty.
  std::string target;
};

// Parses `url` (the forms listed at OpenStore). InvalidArgument names what is wrong, without
// echoing a password.
Result<StoreUrl> ParseStoreUrl(const std::string& url);

}  // namespace rogatory::store_internal

#endif  // ROGATORY_ADAPTERS_STORE_STORE_URL_H_
