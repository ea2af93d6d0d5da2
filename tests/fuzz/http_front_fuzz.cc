// libFuzzer target: arbitrary bytes of one connection through the server's request framing
// (adapters/http/src/request_parser.h), delivered in pieces whose sizes come from the input, as
// a socket would deliver them. Checks what the transport relies on: the parser never claims
// more bytes than it was given, a request's body matches its Content-Length, nothing is
// parsed after an error, and the answer to every request serializes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "request_parser.h"
#include "transport.h"

namespace {

using rogatory::http::FrameLimits;
using rogatory::http::HttpRequest;
using rogatory::http::HttpResponse;
using rogatory::http::RequestParser;

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte picks the piece size (1..256) and small limits, so limits are reached too.
  const size_t piece = 1 + data[0];
  const FrameLimits limits{data[0] & 1 ? size_t{256} : size_t{16384},
                           data[0] & 2 ? size_t{64} : size_t{1048576}};
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  RequestParser parser(limits);
  std::string pending;
  bool failed = false;
  for (size_t at = 0; at < input.size() && !failed; at += piece) {
    pending.append(input.substr(at, piece));
    for (;;) {
      size_t used = 0;
      const RequestParser::Step step = parser.Feed(pending, &used);
      Check(used <= pending.size());
      pending.erase(0, used);
      if (step == RequestParser::Step::kError) {
        Check(parser.error().status >= 400 && parser.error().status < 500);
        Check(parser.Feed("GET / HTTP/1.1\r\n\r\n", &used) == RequestParser::Step::kError);
        failed = true;
        break;
      }
      if (step == RequestParser::Step::kNeedMore) break;
      if (step == RequestParser::Step::kRequest) {
        HttpRequest r = parser.Take();
        Check(r.body.size() <= limits.max_body);
        if (const std::string* length = r.Header("Content-Length")) {
          Check(std::strtoull(length->c_str(), nullptr, 10) == r.body.size());
          Check(r.Header("Transfer-Encoding") == nullptr);
        }
        HttpResponse res;
        res.SetBody(r.target, "text/plain");
        res.SetHeader("X-Echo", r.method);
        const std::string wire =
            rogatory::http::SerializeResponse(res, r.keep_alive, false, r.version == 10);
        Check(wire.size() >= r.target.size());
      }
    }
  }
  return 0;
}
