// An in-memory Store: the embedded default for tests and for embedders who persist elsewhere.
// Everything is lost when the process ends.
#ifndef ROGATORY_MEMORY_STORE_H_
#define ROGATORY_MEMORY_STORE_H_

#include <memory>

#include "rogatory/store.h"

namespace rogatory {

// Creates an empty in-memory store. Thread-safe.
std::unique_ptr<Store> NewMemoryStore();

}  // namespace rogatory

#endif  // ROGATORY_MEMORY_STORE_H_
