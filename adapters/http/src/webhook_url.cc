#include "webhook_url.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <cctype>
#include <cstring>
#include <memory>

namespace rogatory::http {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

Result<ParsedUrl> ParseWebhookUrl(std::string_view url) {
  if (url.size() > 2048) return InvalidArgumentError("url is longer than 2048 characters");
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return InvalidArgumentError("url must not contain spaces or control characters");
    }
  }
  ParsedUrl p;
  const size_t colon = url.find("://");
  if (colon == std::string_view::npos) return InvalidArgumentError("url must be absolute");
  p.scheme = Lower(url.substr(0, colon));
  if (p.scheme != "http" && p.scheme != "https") {
    return InvalidArgumentError("url must use http or https");
  }
  std::string_view rest = url.substr(colon + 3);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.find('@') != std::string_view::npos) {
    return InvalidArgumentError("url must not carry credentials");
  }
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return InvalidArgumentError("url has a bad IPv6 host");
    p.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return InvalidArgumentError("url has a bad host");
      port_text = after.substr(1);
    }
  } else {
    const size_t c = authority.rfind(':');
    p.host = Lower(authority.substr(0, c));
    if (c != std::string_view::npos) port_text = authority.substr(c + 1);
  }
  if (p.host.empty()) return InvalidArgumentError("url has no host");
  p.port = p.scheme == "https" ? 443 : 80;
  if (!port_text.empty()) {
    int port = 0;
    for (char c : port_text) {
      if (c < '0' || c > '9' || port > 65535) return InvalidArgumentError("url has a bad port");
      port = port * 10 + (c - '0');
    }
    if (port < 1 || port > 65535) return InvalidArgumentError("url has a bad port");
    p.port = port;
  }
  return p;
}

Status CheckWebhookUrl(std::string_view url, bool allow_private) {
  ROGATORY_ASSIGN_OR_RETURN(ParsedUrl p, ParseWebhookUrl(url));
  if (allow_private) return OkStatus();
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int rc = getaddrinfo(p.host.c_str(), nullptr, &hints, &found);
  if (rc != 0 || found == nullptr) {
    return InvalidArgumentError("url host '" + p.host + "' does not resolve");
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> guard(found, &freeaddrinfo);
  for (const addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    const bool refused = IsNonPublicAddress(ai->ai_addr);
    if (refused) {
      return InvalidArgumentError("url host '" + p.host +
                                  "' is a loopback, private or otherwise non-public address; "
                                  "webhooks.allow_private permits such targets");
    }
  }
  return OkStatus();
}

}  // namespace rogatory::http
