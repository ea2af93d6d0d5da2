// OpenStore: the URL decides the adapter.
#include "rogatory/memory_store.h"
#include "rogatory/sql_store.h"
#include "sql_store_impl.h"
#include "store_url.h"

namespace rogatory {

Result<std::unique_ptr<Store>> OpenStore(const std::string& url, const SqlStoreOptions& options) {
  ROGATORY_ASSIGN_OR_RETURN(store_internal::StoreUrl parsed, store_internal::ParseStoreUrl(url));
  if (parsed.backend == store_internal::Backend::kMemory) return NewMemoryStore();
  return store_internal::SqlStore::Open(parsed, options);
}

}  // namespace rogatory
