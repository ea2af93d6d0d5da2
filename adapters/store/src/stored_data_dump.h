// The canonical dump of a stored history entry's data text, which its hash covers: the text
// itself when it already is one (almost always: the store writes nlohmann's dump), else the
// text parsed and dumped again, so that an equivalent text formatted otherwise verifies as the
// decoded check (VerifyHistoryChain) would let it.
#ifndef ROGATORY_ADAPTERS_STORE_STORED_DATA_DUMP_H_
#define ROGATORY_ADAPTERS_STORE_STORED_DATA_DUMP_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "rogatory/history.h"

namespace rogatory::store_internal {

class StoredDataDump {
 public:
  // The dump of `text`, valid until the next call, or null when the text does not parse.
  const std::string_view* Of(std::string_view text);
  // Whether `e` verifies on its own: its data parses and its hash recomputes (the link to the
  // previous entry is the caller's to check).
  bool HashMatches(const StoredHistoryEntry& e);
  // How many texts were not canonical and were parsed and dumped again.
  int64_t redumped() const { return redumped_count_; }

 private:
  std::string redumped_;
  std::string_view view_;
  int64_t redumped_count_ = 0;
};

}  // namespace rogatory::store_internal

#endif  // ROGATORY_ADAPTERS_STORE_STORED_DATA_DUMP_H_
