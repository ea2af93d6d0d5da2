// Which network addresses webhooks may reach when `webhooks.allow_private` is false: the SSRF
// guard shared by the subscription routes (when a subscription is made) and the webhook
// dispatcher (on every attempt, against what the consumer's name resolves to then).
#ifndef ROGATORY_ADDRESS_POLICY_H_
#define ROGATORY_ADDRESS_POLICY_H_

#include <netinet/in.h>
#include <sys/socket.h>

#include <string>

namespace rogatory {

// True for addresses that are not globally routable: unspecified, loopback, RFC 1918 private,
// carrier-grade NAT, link-local, multicast, reserved, documentation and benchmark ranges, IPv6
// unique-local and site-local, and IPv4-mapped, NAT64 and 6to4 forms of any of these.
bool IsNonPublicAddress(const in_addr& a);
bool IsNonPublicAddress(const in6_addr& a);
// The same for a socket address (AF_INET or AF_INET6); true for any other family.
bool IsNonPublicAddress(const sockaddr* a);

// The numeric text of a socket address ("127.0.0.1", "::1"); empty for other families.
std::string AddressText(const sockaddr* a);

}  // namespace rogatory

#endif  // ROGATORY_ADDRESS_POLICY_H_
