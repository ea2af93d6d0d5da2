#include "metrics.h"

#include <cstdio>
#include <tuple>
#include <utility>

namespace rogatory::http {
namespace {

std::string FormatDouble(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

void Header(std::string* out, const char* name, const char* type, const char* help) {
  *out += "# HELP ";
  *out += name;
  *out += ' ';
  *out += help;
  *out += "\n# TYPE ";
  *out += name;
  *out += ' ';
  *out += type;
  *out += '\n';
}

// The value of `map`'s series `key` (a tuple of string_views and ints), added as zero
// the first time: the key's strings are built only then.
template <typename Map, typename Key>
typename Map::mapped_type& Series(Map& map, const Key& key) {
  auto it = map.lower_bound(key);
  if (it == map.end() || map.key_comp()(key, it->first)) {
    it = map.emplace_hint(it, std::make_from_tuple<typename Map::key_type>(key),
                          typename Map::mapped_type{});
  }
  return it->second;
}

}  // namespace

std::string EscapeLabel(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

HttpMetrics::HttpMetrics(std::vector<MetricsCollector> collectors)
    : collectors_(std::move(collectors)) {
  // Present from the start, so alerts on them see a zero rather than no series.
  store_errors_[StatusCodeName(StatusCode::kUnavailable)] = 0;
  store_errors_[StatusCodeName(StatusCode::kInternal)] = 0;
}

void HttpMetrics::ObserveRequest(std::string_view method, std::string_view route, int status,
                                 double seconds) {
  std::lock_guard lock(mu_);
  ++Series(requests_, std::make_tuple(method, route, status));
  Histogram& h = Series(latency_, std::make_tuple(method, route));
  size_t i = 0;
  while (i < kBuckets.size() && seconds > kBuckets[i]) ++i;
  if (i < kBuckets.size()) ++h.counts[i];
  ++h.count;
  h.sum += seconds;
}

void HttpMetrics::CountTransition(const std::string& workflow, const std::string& event) {
  std::lock_guard lock(mu_);
  ++Series(transitions_, std::make_tuple(std::string_view(workflow), std::string_view(event)));
}

void HttpMetrics::CountStoreError(StatusCode code) {
  std::lock_guard lock(mu_);
  ++store_errors_[StatusCodeName(code)];
}

std::string HttpMetrics::Render() const {
  std::string out;
  out.reserve(4096);
  {
    std::lock_guard lock(mu_);
    Header(&out, "rogatory_http_requests_total", "counter",
           "HTTP calls answered, by method, route template and status.");
    for (const auto& [key, n] : requests_) {
      const auto& [method, route, status] = key;
      out += "rogatory_http_requests_total{method=\"" + EscapeLabel(method) + "\",route=\"" +
             EscapeLabel(route) + "\",status=\"" + std::to_string(status) + "\"} " +
             std::to_string(n) + "\n";
    }
    Header(&out, "rogatory_http_request_duration_seconds", "histogram",
           "Time from routing a call to its answer, by method and route template.");
    for (const auto& [key, h] : latency_) {
      const std::string labels = "method=\"" + EscapeLabel(std::get<0>(key)) + "\",route=\"" +
                                 EscapeLabel(std::get<1>(key)) + "\"";
      uint64_t cumulative = 0;
      for (size_t i = 0; i < kBuckets.size(); ++i) {
        cumulative += h.counts[i];
        out += "rogatory_http_request_duration_seconds_bucket{" + labels + ",le=\"" +
               FormatDouble(kBuckets[i]) + "\"} " + std::to_string(cumulative) + "\n";
      }
      out += "rogatory_http_request_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} " +
             std::to_string(h.count) + "\n";
      out += "rogatory_http_request_duration_seconds_sum{" + labels + "} " + FormatDouble(h.sum) +
             "\n";
      out += "rogatory_http_request_duration_seconds_count{" + labels + "} " +
             std::to_string(h.count) + "\n";
    }
    Header(&out, "rogatory_transitions_total", "counter",
           "Engine steps committed through the API, by workflow and event (create included).");
    for (const auto& [key, n] : transitions_) {
      out += "rogatory_transitions_total{workflow=\"" + EscapeLabel(std::get<0>(key)) +
             "\",event=\"" + EscapeLabel(std::get<1>(key)) + "\"} " + std::to_string(n) + "\n";
    }
    Header(&out, "rogatory_store_errors_total", "counter",
           "Engine or store calls that failed with unavailable or internal, by code.");
    for (const auto& [code, n] : store_errors_) {
      out += "rogatory_store_errors_total{code=\"" + EscapeLabel(code) + "\"} " +
             std::to_string(n) + "\n";
    }
  }
  Header(&out, "rogatory_http_in_flight", "gauge", "HTTP calls being served now.");
  out += "rogatory_http_in_flight " + std::to_string(in_flight_.load()) + "\n";
  for (const MetricsCollector& collect : collectors_) collect(&out);
  return out;
}

}  // namespace rogatory::http
