// The server's Prometheus metrics: HTTP requests by route template and status, a latency
// histogram, transitions by workflow and event, store errors; plus whatever the registered
// collectors (webhook dispatcher, deadline scheduler) append.
#ifndef ROGATORY_ADAPTERS_HTTP_METRICS_H_
#define ROGATORY_ADAPTERS_HTTP_METRICS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "rogatory/http_server.h"
#include "rogatory/spin_then_block_mutex.h"
#include "rogatory/status.h"

namespace rogatory::http {

class HttpMetrics {
 public:
  explicit HttpMetrics(std::vector<MetricsCollector> collectors);

  // One answered HTTP call: `route` is the matched template ("/v1/requests/{id}"), or
  // "unmatched", so label cardinality stays bounded. Thread-safe.
  void ObserveRequest(std::string_view method, std::string_view route, int status, double seconds);
  // One committed engine step fired through the API (event "create" for a creation).
  void CountTransition(const std::string& workflow, const std::string& event);
  // One engine or store call that failed with Unavailable or Internal.
  void CountStoreError(StatusCode code);
  // Calls being served right now.
  void AddInFlight(int delta) { in_flight_.fetch_add(delta, std::memory_order_relaxed); }

  // Everything in Prometheus text format 0.0.4. Thread-safe.
  std::string Render() const;

 private:
  static constexpr std::array<double, 14> kBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> counts{};  // not cumulative; summed on render
    uint64_t count = 0;
    double sum = 0;
  };

  std::vector<MetricsCollector> collectors_;
  std::atomic<int64_t> in_flight_{0};
  mutable SpinThenBlockMutex mu_;
  // std::less<>: a call looks its series up by string_views and builds the key's strings only
  // for a series it is the first to see.
  std::map<std::tuple<std::string, std::string, int>, uint64_t, std::less<>>
      requests_;  // GUARDED_BY(mu_)
  std::map<std::tuple<std::string, std::string>, Histogram, std::less<>>
      latency_;  // GUARDED_BY(mu_)
  std::map<std::tuple<std::string, std::string>, uint64_t, std::less<>>
      transitions_;                               // GUARDED_BY(mu_)
  std::map<std::string, uint64_t> store_errors_;  // GUARDED_BY(mu_)
};

// `value` escaped for a Prometheus label (backslash, double quote, newline).
std::string EscapeLabel(std::string_view value);

}  // namespace rogatory::http

#endif  // ROGATORY_ADAPTERS_HTTP_METRICS_H_
