// RequestParser over Beast's request parser, plus the framing checks Beast 1.74 leaves out (it
// takes "identity, chunked" as chunked and accepts repeated equal Content-Length values).
#include "request_parser.h"

#include <optional>

#include "transport_pch.h"

namespace rogatory::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

bool AllDigits(std::string_view s) {
  if (s.empty() || s.size() > 18) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

struct RequestParser::Impl {
  std::optional<bhttp::request_parser<bhttp::string_body>> parser;
};

RequestParser::RequestParser(FrameLimits limits)
    : limits_(limits), impl_(std::make_unique<Impl>()) {}

RequestParser::~RequestParser() = default;

RequestParser::Step RequestParser::Fail(int status, std::string message) {
  failed_ = true;
  error_ = {status, std::move(message)};
  return Step::kError;
}

RequestParser::Step RequestParser::CheckFraming() {
  const auto& fields = impl_->parser->get();
  int lengths = 0;
  int encodings = 0;
  for (const auto& f : fields) {
    const std::string_view name(f.name_string().data(), f.name_string().size());
    const std::string_view value(f.value().data(), f.value().size());
    if (EqualsIgnoreCase(name, "Content-Length")) {
      if (++lengths > 1) return Fail(400, "the request has more than one Content-Length header");
      if (!AllDigits(value)) return Fail(400, "Content-Length must be a decimal number");
    } else if (EqualsIgnoreCase(name, "Transfer-Encoding")) {
      if (++encodings > 1) {
        return Fail(400, "the request has more than one Transfer-Encoding header");
      }
      if (!EqualsIgnoreCase(value, "chunked")) {
        return Fail(400, "the only Transfer-Encoding accepted is chunked");
      }
    }
  }
  if (lengths > 0 && encodings > 0) {
    return Fail(400, "the request has both Content-Length and Transfer-Encoding");
  }
  return Step::kHead;
}

RequestParser::Step RequestParser::Feed(std::string_view data, size_t* consumed) {
  *consumed = 0;
  if (failed_) return Step::kError;
  auto& p = impl_->parser;
  beast::error_code ec;
  if (!p) {
    p.emplace();
    p->header_limit(static_cast<std::uint32_t>(limits_.max_head));
    p->body_limit(limits_.max_body);
    p->eager(false);  // stop after the head, so it is checked before any body byte is used
  }
  auto fail = [&](const beast::error_code& e) {
    if (e == bhttp::error::body_limit) {
      return Fail(413, "the body is larger than limits.max_body (" +
                           std::to_string(limits_.max_body) + " bytes)");
    }
    if (e == bhttp::error::header_limit) {
      return Fail(431, "the request line and headers are larger than " +
                           std::to_string(limits_.max_head) + " bytes");
    }
    return Fail(400, "the request is malformed (" + e.message() + ")");
  };
  if (!p->is_header_done()) {
    const size_t n = p->put(boost::asio::buffer(data.data(), data.size()), ec);
    *consumed = n;
    if (ec == bhttp::error::need_more) {
      // Beast may have used the request line; the rest of the head is parsed again once
      // more bytes arrive.
      return Step::kNeedMore;
    }
    if (ec) return fail(ec);
    if (CheckFraming() == Step::kError) return Step::kError;
    p->eager(true);
    return p->is_done() ? Step::kRequest : Step::kHead;
  }
  size_t used = 0;
  while (used < data.size() && !p->is_done()) {
    // Beast's chunk parser asserts that, once it has seen the last chunk's "0\r\n", it is
    // called again with at least 5 bytes (its reader always grows the buffer). A chunked body
    // always ends with "0\r\n\r\n", so waiting for 5 bytes never stalls a whole request.
    if (p->chunked() && data.size() - used < 5) break;
    const size_t n = p->put(boost::asio::buffer(data.data() + used, data.size() - used), ec);
    used += n;
    if (ec == bhttp::error::need_more) break;
    if (ec) {
      *consumed = used;
      return fail(ec);
    }
    if (n == 0) break;
  }
  *consumed = used;
  return p->is_done() ? Step::kRequest : Step::kNeedMore;
}

bool RequestParser::ExpectsContinue() const {
  const auto& p = impl_->parser;
  if (!p || !p->is_header_done() || p->get().version() < 11) return false;
  auto it = p->get().find(bhttp::field::expect);
  if (it == p->get().end()) return false;
  return EqualsIgnoreCase(std::string_view(it->value().data(), it->value().size()), "100-continue");
}

bool RequestParser::InBody() const {
  const auto& p = impl_->parser;
  return p && p->is_header_done() && !p->is_done();
}

HttpRequest RequestParser::Take() {
  auto& msg = impl_->parser->get();
  HttpRequest r;
  r.method.assign(msg.method_string().data(), msg.method_string().size());
  r.target.assign(msg.target().data(), msg.target().size());
  r.version = msg.version();
  r.keep_alive = msg.keep_alive();
  r.headers.reserve(8);
  for (const auto& f : msg) {
    r.headers.emplace_back(std::string(f.name_string().data(), f.name_string().size()),
                           std::string(f.value().data(), f.value().size()));
  }
  r.body = std::move(msg.body());
  impl_->parser.reset();
  return r;
}

}  // namespace rogatory::http
