// Checks the URL of a webhook subscription before it is stored: http(s), a host, no
// credentials, and (unless private targets are allowed) no address the server should never
// call on a subscriber's behalf: loopback, private, link-local, ... (SSRF).
#ifndef ROGATORY_ADAPTERS_HTTP_WEBHOOK_URL_H_
#define ROGATORY_ADAPTERS_HTTP_WEBHOOK_URL_H_

#include <string>
#include <string_view>

#include "rogatory/address_policy.h"  // IsNonPublicAddress, shared with the dispatcher
#include "rogatory/status.h"

namespace rogatory::http {

// The parts of an absolute http(s) URL that matter here.
struct ParsedUrl {
  std::string scheme;  // "http" or "https"
  std::string host;    // without the brackets of an IPv6 literal
  int port = 0;        // explicit or the scheme's default
};

// InvalidArgument: not an absolute http(s) URL with a host, has user:password@, a bad port,
// is longer than 2048 characters, or holds whitespace or control characters.
Result<ParsedUrl> ParseWebhookUrl(std::string_view url);

// Parses `url`, and when `allow_private` is false resolves its host and refuses it if any
// address it resolves to is non-public (or if it does not resolve). InvalidArgument names the
// problem. Resolution blocks (the system resolver's timeout).
Status CheckWebhookUrl(std::string_view url, bool allow_private);

}  // namespace rogatory::http

#endif  // ROGATORY_ADAPTERS_HTTP_WEBHOOK_URL_H_
