#include "background_metrics.h"

#include <cstdio>

namespace rogatory::cli {
namespace {

void Header(std::string* out, const char* name, const char* type, const char* help) {
  *out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

void Sample(std::string* out, const std::string& name, double value) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.17g", value);
  *out += name + " " + buf + "\n";
}

void Sample(std::string* out, const std::string& name, uint64_t value) {
  *out += name + " " + std::to_string(value) + "\n";
}

}  // namespace

void AppendDeadlineMetrics(const DeadlineSchedulerStats& stats, std::optional<int64_t> overdue,
                           std::string* out) {
  if (overdue) {
    Header(out, "rogatory_deadlines_overdue", "gauge",
           "Running deadlines past their due time (not yet lapsed by the scheduler).");
    Sample(out, "rogatory_deadlines_overdue", static_cast<uint64_t>(*overdue < 0 ? 0 : *overdue));
  }
  Header(out, "rogatory_deadlines_fired_total", "counter",
         "Deadline lapses this node committed (on_expiry fired as actor system).");
  Sample(out, "rogatory_deadlines_fired_total", stats.fired);
  Header(out, "rogatory_deadline_scheduler_errors_total", "counter",
         "Failed deadline claims or lapses on this node (retried when their lease ends).");
  Sample(out, "rogatory_deadline_scheduler_errors_total", stats.errors);
}

void AppendWebhookMetrics(const WebhookDispatcherStats& stats, std::string* out) {
  Header(out, "rogatory_webhook_deliveries_total", "counter",
         "Webhook delivery attempts by outcome: delivered (2xx), retry, dead (max_attempts), "
         "gone (410, subscription disabled).");
  const std::string name = "rogatory_webhook_deliveries_total";
  Sample(out, name + "{outcome=\"delivered\"}", stats.delivered);
  Sample(out, name + "{outcome=\"retry\"}", stats.retried);
  Sample(out, name + "{outcome=\"dead\"}", stats.dead);
  Sample(out, name + "{outcome=\"gone\"}", stats.gone);
  Header(out, "rogatory_webhook_dispatcher_errors_total", "counter",
         "Store errors and lost leases in the webhook dispatcher (not consumers' failures).");
  Sample(out, "rogatory_webhook_dispatcher_errors_total", stats.errors);

  const std::string h = "rogatory_webhook_delivery_latency_seconds";
  Header(out, h.c_str(), "histogram",
         "From the commit of an event to its acknowledgement (2xx) by the consumer.");
  for (size_t i = 0; i < stats.kLatencyBucketsSeconds.size(); ++i) {
    char le[32];
    std::snprintf(le, sizeof(le), "%g", stats.kLatencyBucketsSeconds[i]);
    Sample(out, h + "_bucket{le=\"" + le + "\"}", stats.latency_buckets[i]);
  }
  Sample(out, h + "_bucket{le=\"+Inf\"}", stats.latency_count);
  Sample(out, h + "_sum", stats.latency_sum_seconds);
  Sample(out, h + "_count", stats.latency_count);
}

void AppendStoreKeptMetrics(const StoreKeptCounters& kept, std::string* out) {
  Header(out, "rogatory_store_kept_lookups_total", "counter",
         "Lookups of what the store keeps of its own commits, by kind and result (a hit "
         "found a copy; a request copy another process made stale is refused by the revision "
         "check and read again).");
  const struct {
    const char* kind;
    uint64_t hits;
    uint64_t misses;
  } kinds[] = {{"request", kept.request_hits, kept.request_misses},
               {"history_head", kept.head_hits, kept.head_misses},
               {"stats_record", kept.record_hits, kept.record_misses}};
  for (const auto& k : kinds) {
    const std::string series = std::string("rogatory_store_kept_lookups_total{kind=\"") + k.kind;
    Sample(out, series + "\",result=\"hit\"}", k.hits);
    Sample(out, series + "\",result=\"miss\"}", k.misses);
  }
  Header(out, "rogatory_store_kept_forgotten_total", "counter",
         "Times the store's writer forgot everything it kept because another connection or "
         "process committed to the database.");
  Sample(out, "rogatory_store_kept_forgotten_total", kept.forgets);
}

}  // namespace rogatory::cli
