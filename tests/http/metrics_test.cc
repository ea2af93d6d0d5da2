#include "metrics.h"

#include <gtest/gtest.h>

namespace rogatory::http {
namespace {

TEST(HttpMetricsTest, RendersCountersHistogramsAndCollectors) {
  HttpMetrics m({[](std::string* out) { *out += "extra_gauge 7\n"; }});
  m.ObserveRequest("GET", "/v1/requests/{id}", 200, 0.0007);
  m.ObserveRequest("GET", "/v1/requests/{id}", 200, 0.2);
  m.ObserveRequest("GET", "/v1/requests/{id}", 404, 0.0001);
  m.CountTransition("eio", "issue");
  m.CountStoreError(StatusCode::kUnavailable);
  const std::string text = m.Render();
  EXPECT_NE(text.find("rogatory_http_requests_total{method=\"GET\",route=\"/v1/requests/{id}\","
                      "status=\"200\"} 2"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("rogatory_http_request_duration_seconds_bucket{method=\"GET\",route=\"/v1/"
                      "requests/{id}\",le=\"0.001\"} 2"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("le=\"+Inf\"} 3"), std::string::npos);
  EXPECT_NE(text.find("rogatory_transitions_total{workflow=\"eio\",event=\"issue\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("rogatory_store_errors_total{code=\"unavailable\"} 1"), std::string::npos);
  EXPECT_NE(text.find("rogatory_store_errors_total{code=\"internal\"} 0"), std::string::npos);
  EXPECT_NE(text.find("extra_gauge 7\n"), std::string::npos);
}

TEST(EscapeLabelTest, EscapesQuotesBackslashesAndNewlines) {
  EXPECT_EQ(EscapeLabel("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

}  // namespace
}  // namespace rogatory::http
