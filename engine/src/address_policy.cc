// The SSRF policy: which addresses count as non-public (see rogatory/address_policy.h).
#include "rogatory/address_policy.h"

#include <arpa/inet.h>

#include <cstdint>
#include <cstring>

namespace rogatory {
namespace {

bool InV4(uint32_t addr, uint32_t net, int bits) {
  const uint32_t mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
  return (addr & mask) == (net & mask);
}

uint32_t V4(int a, int b, int c, int d) {
  return (uint32_t(a) << 24) | (uint32_t(b) << 16) | (uint32_t(c) << 8) | uint32_t(d);
}

}  // namespace

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

bool IsNonPublicAddress(const sockaddr* a) {
  if (a == nullptr) return true;
  if (a->sa_family == AF_INET) {
    return IsNonPublicAddress(reinterpret_cast<const sockaddr_in*>(a)->sin_addr);
  }
  if (a->sa_family == AF_INET6) {
    return IsNonPublicAddress(reinterpret_cast<const sockaddr_in6*>(a)->sin6_addr);
  }
  return true;
}

std::string AddressText(const sockaddr* a) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (a == nullptr) return "";
  if (a->sa_family == AF_INET) {
    if (inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(a)->sin_addr, buf, sizeof buf)) {
      return buf;
    }
  } else if (a->sa_family == AF_INET6) {
    if (inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(a)->sin6_addr, buf,
                  sizeof buf)) {
      return buf;
    }
  }
  return "";
}

}  // namespace rogatory
