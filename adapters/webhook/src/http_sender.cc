// cpp-httplib behind HttpSender: keep-alive connections with TCP_NODELAY (without it httplib
// waits ~40 ms for Nagle on every request), bounded timeouts, no redirects, a capped read of
// the answer's body, and the SSRF guard: the host is resolved here on every call, each address
// checked, and httplib pinned to a checked one (its host-to-address map), so it never resolves
// the name itself and a name that later resolves to 127.0.0.1 (DNS rebinding) is not followed.
#include "http_sender.h"

#include <httplib.h>
#include <netdb.h>

#include <algorithm>
#include <exception>

#include "rogatory/address_policy.h"

namespace rogatory::webhook {
namespace {

constexpr size_t kMaxConnections = 64;     // origins kept open per worker
constexpr size_t kMaxBodyRead = 1 << 20;   // stop reading an answer's body after 1 MiB
constexpr size_t kErrorBodySnippet = 200;  // bytes of a failed answer kept in last_error
// A kept-alive connection idle for longer is not reused: servers close idle ones (httplib and
// Node after 5 s), and a send racing that close fails.
constexpr auto kMaxIdle = std::chrono::seconds(2);

std::string Printable(const std::string& s) {
  std::string out;
  for (char c : s) out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? ' ' : c;
  return out;
}

// The addresses `host` resolves to now, or why none may be used: it does not resolve, or
// (unless `allow_private`) one of its addresses is non-public. All must pass: a name that
// resolves to a public and a private address is refused rather than half-trusted.
struct Resolution {
  std::vector<std::string> addresses;  // numeric, in the resolver's order, no repeats
  std::string error;
};

Resolution Resolve(const std::string& host, bool allow_private) {
  Resolution r;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int rc = getaddrinfo(host.c_str(), nullptr, &hints, &found);
  if (rc != 0 || found == nullptr) {
    r.error = "cannot resolve " + host + ": " + (rc != 0 ? gai_strerror(rc) : "no address");
    return r;
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> guard(found, &freeaddrinfo);
  for (const addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    const std::string text = AddressText(ai->ai_addr);
    if (!allow_private && IsNonPublicAddress(ai->ai_addr)) {
      r.addresses.clear();
      r.error = "address " + (text.empty() ? std::string("?") : text) + " of " + host +
                " is private; not sent (webhooks.allow_private permits non-public targets)";
      return r;
    }
    if (text.empty()) continue;
    if (std::find(r.addresses.begin(), r.addresses.end(), text) == r.addresses.end()) {
      r.addresses.push_back(text);
    }
  }
  if (r.addresses.empty()) r.error = "cannot resolve " + host + ": no IPv4 or IPv6 address";
  return r;
}

}  // namespace

struct HttpSender::Connection {
  explicit Connection(const std::string& origin) : client(origin) {}
  httplib::Client client;
  std::string address;                             // the checked address it connects to
  bool used = false;                               // has carried a request before
  std::chrono::steady_clock::time_point last_use;  // when its last request ended
};

std::optional<std::pair<std::string, std::string>> SplitUrl(const std::string& url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return std::nullopt;
  const std::string scheme = url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") return std::nullopt;
  const size_t path_start = url.find_first_of("/?#", scheme_end + 3);
  std::string origin = url.substr(0, path_start);
  if (origin.size() == scheme_end + 3) return std::nullopt;  // no host
  std::string path = path_start == std::string::npos ? "/" : url.substr(path_start);
  if (const size_t hash = path.find('#'); hash != std::string::npos) path.resize(hash);
  if (path.empty() || path[0] != '/') path.insert(0, "/");
  return std::make_pair(std::move(origin), std::move(path));
}

std::optional<std::pair<std::string, int>> OriginHost(const std::string& origin) {
  // Reads the host as httplib::Client does (its pattern: scheme "://", then "[" digits and colons
  // "]" or a run without ":/?#", then ":" digits), so that the host here is the key its address
  // map is searched with: a mismatch would let httplib resolve the name itself.
  const size_t scheme_end = origin.find("://");
  if (scheme_end == std::string::npos || scheme_end == 0) return std::nullopt;
  const std::string scheme = origin.substr(0, scheme_end);
  for (char c : scheme) {
    if (c < 'a' || c > 'z') return std::nullopt;
  }
  const std::string rest = origin.substr(scheme_end + 3);
  std::string host;
  size_t after = 0;
  if (!rest.empty() && rest[0] == '[') {
    const size_t close = rest.find(']');
    if (close == std::string::npos) return std::nullopt;
    host = rest.substr(1, close - 1);
    for (char c : host) {
      if (!((c >= '0' && c <= '9') || c == ':')) return std::nullopt;
    }
    after = close + 1;
  } else {
    after = std::min(rest.find(':'), rest.size());
    host = rest.substr(0, after);
    if (host.find_first_of("/?#") != std::string::npos) return std::nullopt;
  }
  if (host.empty()) return std::nullopt;
  int port = scheme == "https" ? 443 : 80;
  if (after < rest.size()) {
    const std::string digits = rest.substr(after + 1);
    if (rest[after] != ':' || digits.empty() || digits.size() > 5) return std::nullopt;
    for (char c : digits) {
      if (c < '0' || c > '9') return std::nullopt;
    }
    port = std::stoi(digits);
  }
  if (port < 1 || port > 65535) return std::nullopt;
  return std::make_pair(std::move(host), port);
}

HttpSender::HttpSender(HttpSenderOptions options) : options_(std::move(options)) {}
HttpSender::~HttpSender() = default;

HttpSender::Connection* HttpSender::ConnectionFor(const std::string& origin,
                                                  const std::string& host,
                                                  const std::vector<std::string>& addresses,
                                                  size_t next) {
  auto it = connections_.find(origin);
  if (it != connections_.end()) {
    const Connection& kept = *it->second;
    if (std::chrono::steady_clock::now() - kept.last_use < kMaxIdle &&
        std::find(addresses.begin(), addresses.end(), kept.address) != addresses.end()) {
      return it->second.get();
    }
    connections_.erase(it);
  }
  if (connections_.size() >= kMaxConnections) connections_.erase(connections_.begin());
  auto conn = std::make_unique<Connection>(origin);
  httplib::Client& c = conn->client;
  if (!c.is_valid()) return nullptr;
  conn->address = addresses[next];
  // Connect to the checked address; Host and SNI stay `host`.
  c.set_hostname_addr_map({{host, conn->address}});
  c.set_keep_alive(true);
  c.set_tcp_nodelay(true);
  c.set_follow_location(false);
  c.set_connection_timeout(options_.timeout);
  c.set_read_timeout(options_.timeout);
  c.set_write_timeout(options_.timeout);
  c.enable_server_certificate_verification(options_.verify_tls);
  if (!options_.ca_cert_file.empty()) c.set_ca_cert_path(options_.ca_cert_file.c_str());
  return connections_.emplace(origin, std::move(conn)).first->second.get();
}

HttpAnswer HttpSender::Post(const std::string& url, const HttpHeaders& headers,
                            const std::string& body) {
  const auto start = std::chrono::steady_clock::now();
  bool reused = false;
  HttpAnswer answer = PostOnce(url, headers, body, &reused);
  // A reused connection that the consumer had closed meanwhile fails at once, before any answer:
  // send again on a fresh one (consumers drop the duplicate by webhook-id if the first got
  // through). A timeout is not retried here: it took the time it was allowed.
  if (answer.status == 0 && reused &&
      std::chrono::steady_clock::now() - start < options_.timeout / 2) {
    bool again = false;
    answer = PostOnce(url, headers, body, &again);
  }
  return answer;
}

HttpAnswer HttpSender::PostOnce(const std::string& url, const HttpHeaders& headers,
                                const std::string& body, bool* reused) {
  HttpAnswer answer;
  auto parts = SplitUrl(url);
  if (!parts) {
    answer.error = "unsupported URL (http:// or https:// only)";
    return answer;
  }
  const auto& [origin, path] = *parts;
  auto host_port = OriginHost(origin);
  if (!host_port) {
    answer.error = "unsupported URL";
    return answer;
  }
  const std::string& host = host_port->first;
  const Resolution resolved = Resolve(host, options_.allow_private);
  if (!resolved.error.empty()) {
    connections_.erase(origin);
    answer.error = resolved.error;
    return answer;
  }
  const auto start = std::chrono::steady_clock::now();
  try {
    // The addresses in turn while connecting fails (nothing was sent), within one timeout.
    for (size_t next = 0;; ++next) {
      Connection* conn = ConnectionFor(origin, host, resolved.addresses, next);
      if (conn == nullptr) {
        answer.error = "unsupported URL";
        return answer;
      }
      httplib::Request req;
      req.method = "POST";
      req.path = path;
      for (const auto& [name, value] : headers) req.headers.emplace(name, value);
      if (!options_.user_agent.empty()) req.headers.emplace("User-Agent", options_.user_agent);
      req.headers.emplace("Content-Type", "application/json");
      req.body = body;

      std::string snippet;
      size_t read = 0;
      // httplib 0.11 calls this only for answers with a body (not 204): it keeps the status of
      // an answer whose body is cut short below. The status of a complete answer comes from
      // the result.
      req.response_handler = [&](const httplib::Response& res) {
        answer.status = res.status;
        if (res.has_header("Retry-After")) answer.retry_after = res.get_header_value("Retry-After");
        return true;
      };
      req.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) {
        if (snippet.size() < kErrorBodySnippet) {
          snippet.append(data, std::min(n, kErrorBodySnippet - snippet.size()));
        }
        read += n;
        return read <= kMaxBodyRead;
      };
      *reused = conn->used;
      httplib::Result result = conn->client.send(req);
      conn->used = true;
      conn->last_use = std::chrono::steady_clock::now();
      if (result) {
        answer.status = result->status;
        if (result->has_header("Retry-After")) {
          answer.retry_after = result->get_header_value("Retry-After");
        }
      } else {
        connections_.erase(origin);  // start the next attempt on a fresh connection
        if (answer.status == 0 && result.error() == httplib::Error::Connection &&
            next + 1 < resolved.addresses.size() &&
            std::chrono::steady_clock::now() - start < options_.timeout) {
          continue;
        }
      }
      if (answer.status == 0) {
        answer.error = "no answer: " + httplib::to_string(result.error());
        return answer;
      }
      if (answer.status < 200 || answer.status > 299) {
        answer.error = "HTTP " + std::to_string(answer.status);
        if (!snippet.empty()) answer.error += ": " + Printable(snippet);
      }
      return answer;
    }
  } catch (const std::exception& e) {
    connections_.erase(origin);
    answer.status = 0;
    answer.error = std::string("send failed: ") + e.what();
    return answer;
  }
}

}  // namespace rogatory::webhook
