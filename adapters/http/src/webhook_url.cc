#include "webhook_url.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <cctype>
#include <cstring>
#include <memory>

namespace rogatory::http {
namespace {

bool InV4(uint32_t addr, uint32_t net, int bits) {
  const uint32_t mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
  return (addr & mask) == (net & mask);
}

uint32_t V4(int a, int b, int c, int d) {
  return (uint32_t(a) << 24) | (uint32_t(b) << 16) | (uint32_t(c) << 8) | uint32_t(d);
}

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

bool IsNonPublicAddress(const in_addr& a) {
  const uint32_t v = ntohl(a.s_addr);
  return InV4(v, V4(0, 0, 0, 0), 8) ||        // "this network"
         InV4(v, V4(10, 0, 0, 0), 8) ||       // private
         InV4(v, V4(100, 64, 0, 0), 10) ||    // carrier-grade NAT
         InV4(v, V4(127, 0, 0, 0), 8) ||      // loopback
         InV4(v, V4(169, 254, 0, 0), 16) ||   // link-local (cloud metadata)
         InV4(v, V4(172, 16, 0, 0), 12) ||    // private
         InV4(v, V4(192, 0, 0, 0), 24) ||     // IETF protocol assignments
         InV4(v, V4(192, 0, 2, 0), 24) ||     // documentation
         InV4(v, V4(192, 88, 99, 0), 24) ||   // 6to4 relay
         InV4(v, V4(192, 168, 0, 0), 16) ||   // private
         InV4(v, V4(198, 18, 0, 0), 15) ||    // benchmarking
         InV4(v, V4(198, 51, 100, 0), 24) ||  // documentation
         InV4(v, V4(203, 0, 113, 0), 24) ||   // documentation
         InV4(v, V4(224, 0, 0, 0), 4) ||      // multicast
         InV4(v, V4(240, 0, 0, 0), 4);        // reserved, broadcast
}

bool IsNonPublicAddress(const in6_addr& a) {
  const uint8_t* b = a.s6_addr;
  static const uint8_t kZero[16] = {};
  if (std::memcmp(b, kZero, 15) == 0 && (b[15] == 0 || b[15] == 1)) return true;  // :: and ::1
  auto embedded_v4 = [&](int offset) {
    in_addr v4;
    std::memcpy(&v4.s_addr, b + offset, 4);
    return IsNonPublicAddress(v4);
  };
  static const uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(b, kMapped, 12) == 0) return embedded_v4(12);  // ::ffff:a.b.c.d
  if (std::memcmp(b, kZero, 12) == 0) return true;               // deprecated ::a.b.c.d
  static const uint8_t kNat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  if (std::memcmp(b, kNat64, 12) == 0) return embedded_v4(12);  // 64:ff9b::/96
  if ((b[0] & 0xfe) == 0xfc) return true;                       // fc00::/7 unique local
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return true;       // fe80::/10 link-local
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return true;       // fec0::/10 site-local
  if (b[0] == 0xff) return true;                                // multicast
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return true;  // doc
  if (b[0] == 0x20 && b[1] == 0x02) return embedded_v4(2);  // 6to4 2002:a.b.c.d::/48
  if (b[0] == 0x01 && b[1] == 0x00 && std::memcmp(b + 2, kZero, 6) == 0) return true;  // discard
  return false;
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
    bool refused = false;
    if (ai->ai_family == AF_INET) {
      refused = IsNonPublicAddress(reinterpret_cast<const sockaddr_in*>(ai->ai_addr)->sin_addr);
    } else if (ai->ai_family == AF_INET6) {
      refused = IsNonPublicAddress(reinterpret_cast<const sockaddr_in6*>(ai->ai_addr)->sin6_addr);
    } else {
      refused = true;
    }
    if (refused) {
      return InvalidArgumentError("url host '" + p.host +
                                  "' is a loopback, private or otherwise non-public address; "
                                  "webhooks.allow_private permits such targets");
    }
  }
  return OkStatus();
}

}  // namespace rogatory::http
