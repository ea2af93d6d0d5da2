// HttpTransport over Boost.Asio (sockets, timers, threads) and Beast's tcp_stream (per-operation
// deadlines). Each of the `threads` threads runs an io_context (an event loop) of its own, and
// a connection lives on one loop (round robin), so its steps never run at once and need no
// strand or lock. A connection waiting for bytes holds no thread. The handler runs on the loop
// that read the request: no hand-off to another thread and back (on 2 shared cores, a worker
// pool with one loop per core served fewer calls, both in memory and on SQLite; see
// docs/performance.md). A handler waiting on the store holds up only the other connections of
// its loop, one in `threads`.
#include "transport.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "transport_pch.h"

namespace rogatory::http {
namespace {

namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr size_t kReadSize = 16384;
// After an answer with `Connection: close`, what the client still sends is read and dropped
// for this long before the socket closes, so the kernel does not reset the connection (and
// lose the answer) over unread bytes. None of it is parsed.
constexpr auto kLinger = std::chrono::seconds(1);
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

const char* Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 411:
      return "Length Required";
    case 413:
      return "Payload Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    default:
      return "Unknown";
  }
}

bool SafeHeaderValue(std::string_view v) {
  for (char c : v) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

}  // namespace

std::string SerializeResponse(const HttpResponse& response, bool keep_alive, bool head_only,
                              bool http10) {
  std::string out;
  out.reserve(160 + response.body.size());
  out += "HTTP/1.1 ";
  out += std::to_string(response.status);
  out += ' ';
  out += Reason(response.status);
  out += "\r\n";
  for (const auto& [name, value] : response.headers) {
    if (EqualsIgnoreCase(name, "Content-Length") || EqualsIgnoreCase(name, "Connection") ||
        EqualsIgnoreCase(name, "Transfer-Encoding") || !SafeHeaderValue(name) ||
        !SafeHeaderValue(value)) {
      continue;
    }
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  const bool bodyless = response.status < 200 || response.status == 204 || response.status == 304;
  if (!bodyless) {
    out += "Content-Length: ";
    out += std::to_string(response.body.size());
    out += "\r\n";
  }
  if (!keep_alive) {
    out += "Connection: close\r\n";
  } else if (http10) {
    out += "Connection: keep-alive\r\n";  // an HTTP/1.0 client assumes close otherwise
  }
  out += "\r\n";
  if (!head_only && !bodyless) out += response.body;
  return out;
}

class HttpTransport::Impl {
 public:
  class Session;

  Impl(TransportOptions options, RequestHandler on_request, RefusalHandler on_refusal)
      : options_(std::move(options)),
        on_request_(std::move(on_request)),
        on_refusal_(std::move(on_refusal)),
        iocs_(MakeLoops(options_.threads)),
        acceptor_(*iocs_.front()),
        accept_retry_(*iocs_.front()) {}

  ~Impl() { Stop(); }

  Status Start() {
    std::lock_guard lock(mu_);
    if (started_) return FailedPreconditionError("the HTTP server was started before");
    const std::string where = options_.host + ":" + std::to_string(options_.port);
    beast::error_code ec;
    tcp::resolver resolver(*iocs_.front());
    auto found = resolver.resolve(options_.host, std::to_string(options_.port),
                                  tcp::resolver::passive | tcp::resolver::numeric_service, ec);
    if (ec || found.empty())
      return UnavailableError("cannot listen on " + where + ": " + ec.message());
    const tcp::endpoint endpoint = found.begin()->endpoint();
    acceptor_.open(endpoint.protocol(), ec);
    // SO_REUSEADDR allows a quick restart; without SO_REUSEPORT a second server on the same
    // port is refused rather than silently sharing it.
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      beast::error_code ignored;
      acceptor_.close(ignored);
      return UnavailableError(
          "cannot listen on " + where +
          " (address in use, or not an address of this machine): " + ec.message());
    }
    port_ = acceptor_.local_endpoint().port();
    started_ = true;
    Accept();
    for (auto& ioc : iocs_) {
      pacers_.push_back(std::make_unique<net::steady_timer>(*ioc));
      Pace(*pacers_.back());
      guards_.emplace_back(ioc->get_executor());
      threads_.emplace_back([ioc = ioc.get()] {
        // A handler that throws is a bug; the thread keeps serving the others.
        for (;;) {
          try {
            ioc->run();
            return;
          } catch (const std::exception& e) {
            spdlog::error("http: uncaught exception on a server thread: {}", e.what());
          }
        }
      });
    }
    return OkStatus();
  }

  void Stop() {
    {
      std::lock_guard lock(mu_);
      if (!started_ || stopped_) return;
      stopped_ = true;
    }
    stopping_ = true;
    net::post(acceptor_.get_executor(), [this] {
      beast::error_code ignored;
      acceptor_.close(ignored);
      accept_retry_.cancel();
    });
    std::vector<std::shared_ptr<Session>> live;
    {
      std::lock_guard lock(sessions_mu_);
      for (auto& entry : sessions_) {
        if (auto s = entry.second.lock()) live.push_back(std::move(s));
      }
    }
    for (auto& s : live) Shutdown(s);
    live.clear();
    {
      std::unique_lock lock(sessions_mu_);
      sessions_cv_.wait(lock, [this] { return sessions_.empty(); });
    }
    guards_.clear();
    for (auto& ioc : iocs_) ioc->stop();
    // The pacers' waits stay pending: a stopped loop runs no handler, and they go with this.
    for (std::thread& t : threads_) t.join();
    threads_.clear();
    // The posted close may not have run before the stop; no thread runs now.
    beast::error_code ignored;
    acceptor_.close(ignored);
  }

  int port() const { return port_; }

  bool stopping() const { return stopping_.load(); }
  const TransportOptions& options() const { return options_; }
  void HandleRequest(HttpRequest& req, HttpResponse* res) { on_request_(req, res); }
  void HandleRefusal(const FrameError& e, HttpResponse* res) { on_refusal_(e, res); }

  void Unregister(Session* s) {
    std::lock_guard lock(sessions_mu_);
    sessions_.erase(s);
    if (sessions_.empty()) sessions_cv_.notify_all();
  }

 private:
  static std::vector<std::unique_ptr<net::io_context>> MakeLoops(int threads) {
    std::vector<std::unique_ptr<net::io_context>> loops;
    // Hint 1: one thread runs each loop (other threads may still post to it, e.g. Stop()).
    for (int i = 0; i < std::max(1, threads); ++i) {
      loops.push_back(std::make_unique<net::io_context>(1));
    }
    return loops;
  }

  // A timer per loop that always expires within half a second: a connection's deadline (seconds
  // away with the default timeouts) is then never the loop's earliest, so setting it before each
  // read and write is no system call (Asio reprograms its timerfd only when the earliest timer
  // changes: two calls per answer before). Shorter deadlines are still kept exactly.
  static void Pace(net::steady_timer& t) {
    t.expires_after(std::chrono::milliseconds(500));
    t.async_wait([&t](beast::error_code ec) {
      if (!ec) Pace(t);
    });
  }

  void Accept() {
    net::io_context& loop = *iocs_[next_loop_++ % iocs_.size()];
    acceptor_.async_accept(
        loop, [this](beast::error_code ec, tcp::socket s) { OnAccept(ec, std::move(s)); });
  }
  void OnAccept(beast::error_code ec, tcp::socket socket);
  static void Shutdown(const std::shared_ptr<Session>& s);

  TransportOptions options_;
  RequestHandler on_request_;
  RefusalHandler on_refusal_;
  std::vector<std::unique_ptr<net::io_context>> iocs_;
  std::vector<std::unique_ptr<net::steady_timer>> pacers_;  // one per loop (Pace)
  std::vector<net::executor_work_guard<net::io_context::executor_type>> guards_;
  size_t next_loop_ = 0;  // the loop the next connection goes to (used on the acceptor's loop)
  tcp::acceptor acceptor_;
  net::steady_timer accept_retry_;
  std::vector<std::thread> threads_;
  std::mutex mu_;
  bool started_ = false;  // GUARDED_BY(mu_)
  bool stopped_ = false;  // GUARDED_BY(mu_)
  std::atomic<bool> stopping_{false};
  int port_ = 0;
  std::mutex sessions_mu_;
  std::condition_variable sessions_cv_;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_;  // GUARDED_BY(sessions_mu_)

  friend class Session;
};

// One connection: read a request, answer it, repeat. Every member is touched only on the
// connection's event loop (one thread).
class HttpTransport::Impl::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Impl& owner)
      : stream_(std::move(socket)), owner_(owner), parser_(owner.options().limits) {}
  ~Session() { owner_.Unregister(this); }

  void Start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->WaitForRequest(); });
  }

  // Closes the connection now if it is idle or still receiving a request; after the answer
  // being written otherwise.
  void Shutdown() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      self->stopping_ = true;
      if (self->phase_ != Phase::kWriting) self->Close();
    });
  }

 private:
  enum class Phase { kIdle, kReading, kWriting, kLingering, kClosed };

  bool Stopping() const { return stopping_ || owner_.stopping(); }

  // Between requests: the next one may already be buffered (pipelining).
  void WaitForRequest() {
    if (Stopping()) return Close();
    if (buffer_.size() > 0) {
      BeginRequest();
      return Process();
    }
    phase_ = Phase::kIdle;
    const auto& o = owner_.options();
    deadline_ = Clock::now() + (served_ == 0 ? o.head_timeout : o.keep_alive_timeout);
    Read();
  }

  void BeginRequest() {
    phase_ = Phase::kReading;
    deadline_ = Clock::now() + owner_.options().head_timeout;
  }

  void Read() {
    stream_.expires_at(deadline_);
    stream_.async_read_some(
        buffer_.prepare(kReadSize),
        [self = shared_from_this()](beast::error_code ec, size_t n) { self->OnRead(ec, n); });
  }

  void OnRead(beast::error_code ec, size_t n) {
    // A timeout, the peer closing, or Close(): nothing to answer.
    if (ec || phase_ == Phase::kClosed) return Close();
    buffer_.commit(n);
    if (phase_ == Phase::kIdle) BeginRequest();
    Process();
  }

  void Process() {
    for (;;) {
      const auto data = buffer_.data();
      size_t used = 0;
      const RequestParser::Step step =
          parser_.Feed(std::string_view(static_cast<const char*>(data.data()), data.size()), &used);
      buffer_.consume(used);
      switch (step) {
        case RequestParser::Step::kNeedMore:
          return Read();
        case RequestParser::Step::kHead:
          deadline_ = Clock::now() + owner_.options().body_timeout;
          if (parser_.ExpectsContinue() && buffer_.size() == 0) return WriteContinue();
          continue;
        case RequestParser::Step::kRequest:
          return Answer(parser_.Take());
        case RequestParser::Step::kError:
          return Refuse();
      }
    }
  }

  void WriteContinue() {
    phase_ = Phase::kWriting;
    stream_.expires_after(owner_.options().write_timeout);
    net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (ec || self->Stopping()) return self->Close();
                       self->phase_ = Phase::kReading;
                       self->Process();
                     });
  }

  // Runs the handler here, on the connection's loop, and writes its answer.
  void Answer(HttpRequest req) {
    ++served_;
    HttpResponse res;
    Handle(req, &res);
    Finish(res, req);
  }

  // Runs the server's handler; a handler that throws (a bug) answers 500.
  void Handle(HttpRequest& req, HttpResponse* res) {
    try {
      owner_.HandleRequest(req, res);
    } catch (...) {
      *res = HttpResponse{};
      res->status = 500;
      res->SetBody(R"({"error":{"code":"internal","message":"internal error"}})",
                   "application/json");
    }
  }

  // On the loop: writes the answer to `req`.
  void Finish(const HttpResponse& res, const HttpRequest& req) {
    const bool keep = req.keep_alive && served_ < owner_.options().keep_alive_max && !Stopping();
    out_ = SerializeResponse(res, keep, req.method == "HEAD", req.version == 10);
    Write(keep);
  }

  void Refuse() {
    HttpResponse res;
    owner_.HandleRefusal(parser_.error(), &res);
    out_ = SerializeResponse(res, false, false, false);
    Write(false);
  }

  void Write(bool keep) {
    phase_ = Phase::kWriting;
    size_t sent = 0;
    if (keep && buffer_.size() == 0) {
      // Most answers fit in the socket's buffer: sent here, the connection goes straight on to
      // wait for its next request, without a trip through the loop's queue (which polls epoll
      // once more before running the completion). Only with nothing buffered: a pipelined request
      // would be answered from here, and the next from there, one stack frame deeper each time.
      beast::error_code ec;
      sent = stream_.socket().write_some(net::buffer(out_), ec);
      if (ec && ec != net::error::would_block) return Close();
      if (sent == out_.size()) {
        out_.clear();
        return WaitForRequest();
      }
    }
    stream_.expires_after(owner_.options().write_timeout);
    net::async_write(stream_, net::buffer(out_.data() + sent, out_.size() - sent),
                     [self = shared_from_this(), keep](beast::error_code ec, size_t) {
                       if (ec) return self->Close();
                       self->out_.clear();
                       if (!keep) return self->Linger();
                       self->WaitForRequest();
                     });
  }

  void Linger() {
    phase_ = Phase::kLingering;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    buffer_.clear();
    deadline_ = Clock::now() + kLinger;
    Discard();
  }

  void Discard() {
    stream_.expires_at(deadline_);
    stream_.async_read_some(buffer_.prepare(kReadSize),
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              if (ec || self->phase_ == Phase::kClosed) return self->Close();
                              self->Discard();
                            });
  }

  void Close() {
    if (phase_ == Phase::kClosed) return;
    phase_ = Phase::kClosed;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  beast::tcp_stream stream_;
  Impl& owner_;
  RequestParser parser_;
  beast::flat_buffer buffer_;
  std::string out_;
  Clock::time_point deadline_;
  Phase phase_ = Phase::kIdle;
  int served_ = 0;
  bool stopping_ = false;
};

void HttpTransport::Impl::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || stopping_) return;
  if (ec) {
    // Out of file descriptors, most likely: try again shortly rather than spin.
    spdlog::warn("http: accept failed: {}", ec.message());
    accept_retry_.expires_after(std::chrono::milliseconds(50));
    accept_retry_.async_wait([this](beast::error_code e) {
      if (!e && !stopping_) Accept();
    });
    return;
  }
  beast::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  // Session::Write tries each answer at once: a full socket buffer must say would_block, not wait.
  socket.non_blocking(true, ignored);
  // The socket lives on the loop Accept() chose; the session's steps run there.
  auto session = std::make_shared<Session>(std::move(socket), *this);
  bool admitted = false;
  {
    std::lock_guard lock(sessions_mu_);
    if (sessions_.size() < options_.max_connections) {
      sessions_.emplace(session.get(), session);
      admitted = true;
    }
  }
  // Over max_connections the socket closes with `session`, at once.
  if (admitted) session->Start();
  Accept();
}

void HttpTransport::Impl::Shutdown(const std::shared_ptr<Session>& s) { s->Shutdown(); }

HttpTransport::HttpTransport(TransportOptions options, RequestHandler on_request,
                             RefusalHandler on_refusal)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(on_request),
                                   std::move(on_refusal))) {}

HttpTransport::~HttpTransport() = default;

Status HttpTransport::Start() { return impl_->Start(); }

void HttpTransport::Stop() { impl_->Stop(); }

int HttpTransport::port() const { return impl_->port(); }

}  // namespace rogatory::http
