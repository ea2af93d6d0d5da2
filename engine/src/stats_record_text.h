// The two readers of a stored statistics record (StatsRecordFromText tries the first, then the
// second), declared apart so that tests can hold each to the other.
#ifndef ROGATORY_ENGINE_SRC_STATS_RECORD_TEXT_H_
#define ROGATORY_ENGINE_SRC_STATS_RECORD_TEXT_H_

#include <string>
#include <string_view>

#include "rogatory/stats.h"

namespace rogatory {

// Reads `text` when it has exactly the shape StatsRecordToText writes (its keys in its order, no
// whitespace, canonical integers, well-formed UTF-8) and the values the record needs; false for
// anything else, which it leaves to ReadStatsRecordJson. `*out` is unspecified after false.
bool ReadStatsRecordFast(std::string_view text, StatsRecord* out);

// Reads any JSON object with the record's members (nlohmann's parse; extra members, whitespace
// and any key order are accepted). InvalidArgument when `text` is not such a record.
Result<StatsRecord> ReadStatsRecordJson(const std::string& text);

}  // namespace rogatory

#endif  // ROGATORY_ENGINE_SRC_STATS_RECORD_TEXT_H_
