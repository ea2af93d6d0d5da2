// One HTTP(S) POST per call through cpp-httplib, keeping a connection alive per consumer origin.
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

  // POSTs `body` as application/json to `url` (http:// or https://) with `headers`. A kept-alive
  // connection that turns out closed is replaced and the POST sent once more at once.
  HttpAnswer Post(const std::string& url, const HttpHeaders& headers, const std::string& body);

 private:
  HttpAnswer PostOnce(const std::string& url, const HttpHeaders& headers, const std::string& body,
                      bool* reused);
  struct Connection;
  Connection* ConnectionFor(const std::string& origin);

  HttpSenderOptions options_;
  std::map<std::string, std::unique_ptr<Connection>> connections_;  // by origin
};

// Splits "https://host:port/path?q" into ("https://host:port", "/path?q"); nullopt if the
// scheme is not http or https or there is no host.
std::optional<std::pair<std::string, std::string>> SplitUrl(const std::string& url);

}  // namespace rogatory::webhook

#endif  // ROGATORY_ADAPTERS_WEBHOOK_HTTP_SENDER_H_
