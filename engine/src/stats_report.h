// CONTRACT §9: the statistics report assembled from a store's counters, and the rebuild of
// those counters from the histories (Engine::Stats and Engine::RebuildStats).
#ifndef ROGATORY_ENGINE_SRC_STATS_REPORT_H_
#define ROGATORY_ENGINE_SRC_STATS_REPORT_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "rogatory/engine.h"

namespace rogatory {

// The report of `call` over scope `scope` ("" = every request, else an authority id), or an
// empty one when `sees_nothing`. Errors as Engine::Stats.
Result<nlohmann::json> BuildStatsReport(const Engine& engine, const StatsCall& call,
                                        const std::string& scope, bool sees_nothing);

// Engine::RebuildStats.
Result<int64_t> RebuildStatsFromHistories(const Engine& engine);

}  // namespace rogatory

#endif  // ROGATORY_ENGINE_SRC_STATS_REPORT_H_
