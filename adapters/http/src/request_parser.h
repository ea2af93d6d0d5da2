// The HTTP/1.1 request framing of the server: bytes of one connection in, whole requests out,
// strictly. A request whose length is ambiguous (two Content-Length headers, Content-Length
// with Transfer-Encoding, a Transfer-Encoding other than exactly `chunked`, a length that is
// not plain digits) is refused, and so is a declared body over the limit, before any of it is
// read. After an error nothing more of the connection may be parsed: the transport answers and
// closes, so the bytes that follow can never run as another request. No sockets here, so the
// fuzzer drives it directly (tests/fuzz/http_front_fuzz.cc).
#ifndef ROGATORY_ADAPTERS_HTTP_REQUEST_PARSER_H_
#define ROGATORY_ADAPTERS_HTTP_REQUEST_PARSER_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "message.h"

namespace rogatory::http {

struct FrameLimits {
  size_t max_head = 16384;    // request line plus headers, bytes (431 beyond)
  size_t max_body = 1048576;  // decoded body, bytes (413 beyond)
};

// Why a request could not be read: the status to answer before closing the connection.
struct FrameError {
  int status = 400;
  std::string message;
};

class RequestParser {
 public:
  enum class Step {
    kNeedMore,  // every byte given was used; feed more
    kHead,      // the head is complete and well framed, a body follows; feed on
    kRequest,   // a whole request is ready: Take() it, then feed on
    kError,     // error() tells what to answer; feed no more
  };

  explicit RequestParser(FrameLimits limits);
  ~RequestParser();
  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;

  // Parses from the start of `data`, the connection's bytes not consumed so far, and sets
  // `*consumed` to how many of them it used; the caller drops those and passes the rest again
  // (with whatever arrives next appended). Stops after a head, a request or an error.
  Step Feed(std::string_view data, size_t* consumed);

  // After kHead: the client sent `Expect: 100-continue` and waits for "100 Continue".
  bool ExpectsContinue() const;
  // True between the head of a request and its end.
  bool InBody() const;
  // After kRequest: the request; the parser is then ready for the next one.
  HttpRequest Take();
  // After kError.
  const FrameError& error() const { return error_; }

 private:
  struct Impl;
  Step Fail(int status, std::string message);
  Step CheckFraming();

  FrameLimits limits_;
  std::unique_ptr<Impl> impl_;
  FrameError error_;
  bool failed_ = false;
};

}  // namespace rogatory::http

#endif  // ROGATORY_ADAPTERS_HTTP_REQUEST_PARSER_H_
