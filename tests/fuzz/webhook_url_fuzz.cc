// Webhook subscription URLs (adapters/http/src/webhook_url.*): any text is parsed or refused
// with InvalidArgument; never a crash, leak or hang. What parses is http(s) with a host and a
// port in range. The host is then classified as the SSRF guard does, without DNS: IP literals
// go through IsNonPublicAddress, and CheckWebhookUrl with private targets allowed (no lookup).
#include <arpa/inet.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "webhook_url.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view url(reinterpret_cast<const char*>(data), size);
  auto parsed = rogatory::http::ParseWebhookUrl(url);
  if (!parsed.ok()) {
    FUZZ_CHECK(parsed.status().code() == rogatory::StatusCode::kInvalidArgument);
    FUZZ_CHECK(!rogatory::http::CheckWebhookUrl(url, /*allow_private=*/true).ok());
    return 0;
  }
  FUZZ_CHECK(parsed->scheme == "http" || parsed->scheme == "https");
  FUZZ_CHECK(!parsed->host.empty());
  FUZZ_CHECK(parsed->port >= 1 && parsed->port <= 65535);
  FUZZ_CHECK(rogatory::http::CheckWebhookUrl(url, /*allow_private=*/true).ok());
  in_addr v4{};
  in6_addr v6{};
  if (inet_pton(AF_INET, parsed->host.c_str(), &v4) == 1) {
    (void)rogatory::IsNonPublicAddress(v4);
  } else if (inet_pton(AF_INET6, parsed->host.c_str(), &v6) == 1) {
    (void)rogatory::IsNonPublicAddress(v6);
  }
  return 0;
}
