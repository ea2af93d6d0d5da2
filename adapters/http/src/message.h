// The HTTP request and response as the routes see them, independent of the transport that read
// and writes them: method, target and header values exactly as sent (never percent-decoded).
#ifndef ROGATORY_ADAPTERS_HTTP_MESSAGE_H_
#define ROGATORY_ADAPTERS_HTTP_MESSAGE_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rogatory::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// True when `a` and `b` are equal ignoring ASCII case (header names, tokens).
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

struct HttpRequest {
  std::string method;      // as sent, e.g. "GET"
  std::string target;      // as sent: the raw path, then '?' and the raw query if any
  int version = 11;        // 10 or 11
  bool keep_alive = true;  // HTTP/1.1 without `Connection: close`, or 1.0 with keep-alive
  HeaderList headers;      // in order, values as sent (surrounding blanks trimmed)
  std::string body;        // the decoded body (chunked framing removed)

  // The value of the first header called `name` (any case), or nullptr when absent. An empty
  // value is present (a non-null empty string).
  const std::string* Header(std::string_view name) const;
  // The target up to the first '?', still percent-encoded.
  std::string_view RawPath() const;
  // The target after the first '?' ("" without one), still percent-encoded.
  std::string_view RawQuery() const;
};

struct HttpResponse {
  int status = 200;
  HeaderList headers;  // Content-Length and Connection are added by the transport
  std::string body;

  // Sets header `name` (replacing any of that name).
  void SetHeader(std::string_view name, std::string value);
  // The value of header `name` (any case), or nullptr.
  const std::string* Header(std::string_view name) const;
  // Sets the body and its Content-Type.
  void SetBody(std::string body, std::string_view content_type);
};

}  // namespace rogatory::http

#endif  // ROGATORY_ADAPTERS_HTTP_MESSAGE_H_
