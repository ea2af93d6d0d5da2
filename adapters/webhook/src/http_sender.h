// One HTTP(S) POST per call through cpp-httplib, keeping a connection alive per consumer origin,
// to an address resolved and checked against the SSRF policy on every call.
// The only file of the dispatcher that includes httplib.h is http_sender.cc.
#ifndef ROGATORY_ADAPTERS_WEBHOOK_HTTP_SENDER_H_
#define ROGATORY_ADAPTERS_WEBHOOK_HTTP_SENDER_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rogatory/time.h"

namespace rogatory::webhook {

// What the consumer answered, or why it did not.
struct HttpAnswer {
  int status = 0;                          // 0: no answer (connect failed, timeout, TLS, ...)
  std::string error;                       // empty on 2xx; else "HTTP 503: <body start>" etc.
  std::optional<std::string> retry_after;  // the Retry-After header, if sent
};

struct HttpSenderOptions {
  Duration timeout = std::chrono::seconds(10);
  bool verify_tls = true;
  std::string ca_cert_file;
  std::string user_agent;
  // false: every attempt resolves the consumer's host, refuses the send if any address it
  // resolves to is non-public (rogatory/address_policy.h), and connects to a checked address.
  bool allow_private = false;
};

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// Sends webhooks. Not thread-safe: each worker thread owns one. Redirects are never followed
// (a 3xx is a failure like any other non-2xx).
class HttpSender {
 public:
  explicit HttpSender(HttpSenderOptions options);
  ~HttpSender();
  HttpSender(const HttpSender&) = delete;
  HttpSender& operator=(const HttpSender&) = delete;

  // POSTs `body` as application/json to `url` (http:// or https://) with `headers`. Resolves the
  // host on every call and connects only to an address it resolved to (unless allow_private,
  // only to public ones), sending the URL's host as Host and as TLS SNI. A kept-alive connection
  // is reused only while its address is among those resolved. A kept-alive connection that
  // turns out closed is replaced and the POST sent once more at once.
  HttpAnswer Post(const std::string& url, const HttpHeaders& headers, const std::string& body);

 private:
  HttpAnswer PostOnce(const std::string& url, const HttpHeaders& headers, const std::string& body,
                      bool* reused);
  struct Connection;
  // The kept-alive connection to `origin` if it is fresh and goes to one of `addresses`, else
  // a new one to `addresses[next]`; nullptr if httplib cannot parse `origin`.
  Connection* ConnectionFor(const std::string& origin, const std::string& host,
                            const std::vector<std::string>& addresses, size_t next);

  HttpSenderOptions options_;
  std::map<std::string, std::unique_ptr<Connection>> connections_;  // by origin
};

// The host of an origin as httplib's client reads it ("::1" for "http://[::1]:8080"), and its
// port; nullopt if it does not parse.
std::optional<std::pair<std::string, int>> OriginHost(const std::string& origin);

// Splits "https://host:port/path?q" into ("https://host:port", "/path?q"); nullopt if the
// scheme is not http or https or there is no host.
std::optional<std::pair<std::string, std::string>> SplitUrl(const std::string& url);

}  // namespace rogatory::webhook

#endif  // ROGATORY_ADAPTERS_WEBHOOK_HTTP_SENDER_H_
