// The Boost.Beast baseline of the HTTP benchmark (http_bench.sh): a bare Beast server answering
// every request with the same fixed request-sized JSON body as bare_http_server.cc, built like
// `rogatory serve`'s transport (asynchronous reads and writes, TCP_NODELAY, keep-alive), with no
// auth, engine or store. Two layouts:
//   LOOPS > 0: LOOPS io_contexts run by one thread each, connections spread over them round
//              robin, answered on their loop (the transport's layout since issue 16);
//   LOOPS = 0: one io_context run by THREADS threads, a strand per connection (the first
//              Beast transport's layout).
// Like the transport, each io_context has a timer that always expires within half a second,
// so the 30 s deadline set before each read and write is never the earliest (no system call).
// Usage: bare_beast_server PORT [THREADS] [LOOPS]   LOOPS defaults to 0.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// About the size of a `case` request as the API returns it.
const std::string kBody =
    R"({"created_at":"2026-11-23T12:06:15.658087Z","data":{"remark":"bench","title":"bench",)"
    R"("urgent":false},"deadlines":[],"head_hash":"b8ece39cd6f9679180296ea74221ae30a84f59ca9d65)"
    R"(2c5a26c666ebd823d5d9","id":"01M844SEBAV97HECX6M1EJ4G2C","phase":"drafting","references")"
    R"(:{},"revision":2,"state":"draft","updated_at":"2026-11-23T12:06:15.658087Z","version":1,)"
    R"("workflow":"case"})";

class Session : public std::enable_shared_from_this<Session> {
 public:
  explicit Session(tcp::socket socket) : stream_(std::move(socket)) {}
  void Start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->Read(); });
  }

 private:
  void Read() {
    req_ = {};
    stream_.expires_after(std::chrono::seconds(30));
    http::async_read(stream_, buffer_, req_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) return self->Close();
                       self->Answer();
                     });
  }

  void Answer() {
    res_ = {};
    res_.result(http::status::ok);
    res_.version(req_.version());
    res_.set(http::field::content_type, "application/json");
    res_.body() = kBody;
    res_.keep_alive(req_.keep_alive());
    res_.prepare_payload();
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec || !self->res_.keep_alive()) return self->Close();
      self->Read();
    });
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
};

class Listener {
 public:
  Listener(std::vector<net::io_context*> loops, bool strands, const tcp::endpoint& endpoint)
      : loops_(std::move(loops)), strands_(strands), acceptor_(net::make_strand(*loops_[0])) {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(net::socket_base::max_listen_connections);
  }
  void Accept() {
    auto then = [this](beast::error_code ec, tcp::socket s) {
      if (!ec) {
        s.set_option(tcp::no_delay(true), ec);
        std::make_shared<Session>(std::move(s))->Start();
      }
      if (acceptor_.is_open()) Accept();
    };
    net::io_context& loop = *loops_[next_++ % loops_.size()];
    if (strands_) {
      acceptor_.async_accept(net::make_strand(loop), then);
    } else {
      acceptor_.async_accept(loop, then);
    }
  }
  void Close() { acceptor_.close(); }

 private:
  std::vector<net::io_context*> loops_;
  bool strands_;
  size_t next_ = 0;
  tcp::acceptor acceptor_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  const auto port = static_cast<unsigned short>(std::atoi(argv[1]));
  const int threads = argc > 2 ? std::max(1, std::atoi(argv[2])) : 16;
  const int loops = argc > 3 ? std::max(0, std::atoi(argv[3])) : 0;
  std::vector<std::unique_ptr<net::io_context>> contexts;
  for (int i = 0; i < std::max(1, loops); ++i) {
    contexts.push_back(std::make_unique<net::io_context>(loops > 0 ? 1 : threads));
  }
  std::vector<net::io_context*> raw;
  for (auto& c : contexts) raw.push_back(c.get());
  std::vector<std::unique_ptr<net::steady_timer>> pacers;
  std::function<void(net::steady_timer&)> pace = [&pace](net::steady_timer& t) {
    t.expires_after(std::chrono::milliseconds(500));
    t.async_wait([&pace, &t](beast::error_code ec) {
      if (!ec) pace(t);
    });
  };
  for (auto& c : contexts) {
    pacers.push_back(std::make_unique<net::steady_timer>(*c));
    pace(*pacers.back());
  }
  Listener listener(raw, loops == 0, tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  listener.Accept();
  std::vector<net::executor_work_guard<net::io_context::executor_type>> guards;
  for (auto& c : contexts) guards.emplace_back(c->get_executor());
  net::signal_set signals(*contexts[0], SIGINT, SIGTERM);
  signals.async_wait([&](beast::error_code, int) {
    guards.clear();
    for (auto& c : contexts) c->stop();
  });
  std::vector<std::thread> pool;
  const int runners = loops > 0 ? loops : threads;
  for (int i = 1; i < runners; ++i) {
    net::io_context* c = contexts[loops > 0 ? static_cast<size_t>(i) : 0].get();
    pool.emplace_back([c] { c->run(); });
  }
  contexts[0]->run();
  for (std::thread& t : pool) t.join();
  return 0;
}
