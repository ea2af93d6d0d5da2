// Prometheus text for the background services of `rogatory serve`: the overdue-deadlines gauge,
// deadlines fired, webhook deliveries by outcome and their commit-to-acknowledgement latency;
// and what the store's in-memory copies saved.
#ifndef ROGATORY_ADAPTERS_CLI_BACKGROUND_METRICS_H_
#define ROGATORY_ADAPTERS_CLI_BACKGROUND_METRICS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "rogatory/deadline_scheduler.h"
#include "rogatory/store.h"
#include "rogatory/webhook_dispatcher.h"

namespace rogatory::cli {

// Appends the deadline scheduler's metrics; `overdue` is Store::CountOverdueDeadlines (nullopt
// when the store could not answer: the gauge is left out rather than reported wrong).
void AppendDeadlineMetrics(const DeadlineSchedulerStats& stats, std::optional<int64_t> overdue,
                           std::string* out);

// Appends the webhook dispatcher's counters and latency histogram.
void AppendWebhookMetrics(const WebhookDispatcherStats& stats, std::string* out);

// Appends Store::KeptCounters: lookups of the kept copies by kind and result, and the times the
// writer forgot them all.
void AppendStoreKeptMetrics(const StoreKeptCounters& kept, std::string* out);

}  // namespace rogatory::cli

#endif  // ROGATORY_ADAPTERS_CLI_BACKGROUND_METRICS_H_
