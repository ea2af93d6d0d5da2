// Store URLs (the `store:` key): any text gives a backend and a target, or InvalidArgument with
// a message; never a crash, leak or hang. A password in the URL never shows in the message.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_check.h"
#include "store_url.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string url(reinterpret_cast<const char*>(data), size);
  auto parsed = rogatory::store_internal::ParseStoreUrl(url);
  if (!parsed.ok()) {
    FUZZ_CHECK(parsed.status().code() == rogatory::StatusCode::kInvalidArgument);
    FUZZ_CHECK(!parsed.status().message().empty());
    return 0;
  }
  if (parsed->backend == rogatory::store_internal::Backend::kMemory) {
    FUZZ_CHECK(parsed->target.empty());
  }
  return 0;
}
