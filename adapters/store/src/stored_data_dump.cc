#include "stored_data_dump.h"

#include <nlohmann/json.hpp>

#include "rogatory/canonical_json.h"

namespace rogatory::store_internal {

const std::string_view* StoredDataDump::Of(std::string_view text) {
  if (IsCanonicalJsonText(text)) {
    view_ = text;
    return &view_;
  }
  try {
    const nlohmann::json data = nlohmann::json::parse(text);
    redumped_ = data.is_object() && data.empty() ? std::string("{}") : data.dump();
  } catch (const nlohmann::json::exception&) {
    return nullptr;
  }
  ++redumped_count_;
  view_ = redumped_;
  return &view_;
}

bool StoredDataDump::HashMatches(const StoredHistoryEntry& e) {
  const std::string_view* dump = Of(e.data);
  return dump != nullptr && StoredHistoryHashMatches(e, *dump);
}

}  // namespace rogatory::store_internal
