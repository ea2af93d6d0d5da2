// A webhook consumer on loopback for tests and benchmarks: a cpp-httplib server (HTTP or HTTPS)
// that records what arrives, checks every signature as a Standard Webhooks library would, and
// answers as the test tells it (fail N times, hang, 410, 429 with Retry-After, ...).
#ifndef ROGATORY_TESTS_WEBHOOK_LOOPBACK_RECEIVER_H_
#define ROGATORY_TESTS_WEBHOOK_LOOPBACK_RECEIVER_H_

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "standard_webhooks_verifier.h"

namespace rogatory::testing {

// How the receiver answers one request.
struct Reply {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds delay{0};  // wait this long before answering (hang past a timeout)
};

// One request as it arrived.
struct Received {
  std::string id;         // webhook-id
  std::string timestamp;  // webhook-timestamp
  std::string signature;  // webhook-signature
  std::string content_type;
  std::string host;  // the Host header
  std::string body;
  nlohmann::json json;       // the body parsed (discarded if not JSON)
  std::string verify_error;  // empty when the signature verified
  int attempt = 0;           // 1 for the first request with this webhook-id, 2 for the next, ...
  int status = 0;            // what the receiver answered
  std::chrono::system_clock::time_point at;  // arrival (wall clock)

  std::string request_id() const { return json["data"].value("request_id", ""); }
  int64_t revision() const { return json["data"].value("revision", int64_t{0}); }
  std::string type() const { return json.value("type", ""); }
};

class LoopbackReceiver {
 public:
  // Decides the answer to `r` (r.attempt counts requests with the same webhook-id).
  using Behaviour = std::function<Reply(const Received& r)>;

  // Listens on 127.0.0.1 at `port` (0: a free one). With `cert` and `key` (PEM files), speaks
  // HTTPS.
  explicit LoopbackReceiver(std::string secret, Behaviour behaviour = nullptr,
                            const std::string& cert = "", const std::string& key = "", int port = 0)
      : secret_(std::move(secret)), behaviour_(std::move(behaviour)) {
    if (!cert.empty()) {
      server_ = std::make_unique<httplib::SSLServer>(cert.c_str(), key.c_str());
      scheme_ = "https";
    } else {
      server_ = std::make_unique<httplib::Server>();
    }
    server_->set_tcp_nodelay(true);
    server_->set_keep_alive_max_count(100000);
    server_->new_task_queue = [] { return new httplib::ThreadPool(48); };
    server_->Post(
        ".*", [this](const httplib::Request& req, httplib::Response& res) { Handle(req, res); });
    if (port > 0) {
      port_ = server_->bind_to_port("127.0.0.1", port) ? port : -1;
    } else {
      port_ = server_->bind_to_any_port("127.0.0.1");
    }
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    // The socket already listens (connections wait in its backlog); wait for the accept loop.
    for (int i = 0; i < 1000 && !server_->is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  ~LoopbackReceiver() { Stop(); }

  std::string url(const std::string& path = "/hook") const {
    return scheme_ + "://127.0.0.1:" + std::to_string(port_) + path;
  }
  int port() const { return port_; }

  // Closes the port: later sends find nobody there. Hanging answers end at once.
  void Stop() {
    {
      std::lock_guard lock(mu_);
      if (stopped_) return;
      stopped_ = true;
    }
    cv_.notify_all();
    server_->stop();
    if (thread_.joinable()) thread_.join();
  }

  // Every request so far, in arrival order.
  std::vector<Received> received() const {
    std::lock_guard lock(mu_);
    return received_;
  }
  // The requests answered 2xx, in arrival order.
  std::vector<Received> acknowledged() const {
    std::lock_guard lock(mu_);
    std::vector<Received> out;
    for (const auto& r : received_) {
      if (r.status >= 200 && r.status <= 299) out.push_back(r);
    }
    return out;
  }
  size_t acknowledged_count() const {
    std::lock_guard lock(mu_);
    return acknowledged_;
  }

  // Waits up to `limit` for `done(*this)`; true if it came true.
  bool WaitUntil(const std::function<bool(const LoopbackReceiver&)>& done,
                 std::chrono::milliseconds limit) const {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      if (done(*this)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return done(*this);
  }
  bool WaitForAcknowledged(size_t n, std::chrono::milliseconds limit) const {
    return WaitUntil([n](const LoopbackReceiver& r) { return r.acknowledged_count() >= n; }, limit);
  }

  // Called with each acknowledged request as it arrives (benchmarks measure latency here).
  void set_on_acknowledged(std::function<void(const Received&)> f) {
    std::lock_guard lock(mu_);
    on_acknowledged_ = std::move(f);
  }
  // Keep only counts and the callback, not every request (long benchmark runs).
  void set_record(bool record) {
    std::lock_guard lock(mu_);
    record_ = record;
  }

 private:
  void Handle(const httplib::Request& req, httplib::Response& res) {
    Received r;
    r.at = std::chrono::system_clock::now();
    r.id = req.get_header_value("webhook-id");
    r.timestamp = req.get_header_value("webhook-timestamp");
    r.signature = req.get_header_value("webhook-signature");
    r.content_type = req.get_header_value("Content-Type");
    r.host = req.get_header_value("Host");
    r.body = req.body;
    r.json = nlohmann::json::parse(req.body, nullptr, false);
    if (r.json.is_discarded()) r.json = nlohmann::json::object();
    const int64_t now_unix =
        std::chrono::duration_cast<std::chrono::seconds>(r.at.time_since_epoch()).count();
    r.verify_error =
        VerifyStandardWebhook(secret_, r.id, r.timestamp, r.signature, r.body, now_unix);
    Reply reply;
    Behaviour behaviour;
    {
      std::lock_guard lock(mu_);
      r.attempt = ++attempts_[r.id];
      behaviour = behaviour_;
    }
    if (!r.verify_error.empty()) {
      reply.status = 401;  // a real consumer refuses what it cannot verify
    } else if (behaviour) {
      reply = behaviour(r);
    }
    if (reply.delay.count() > 0) {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, reply.delay, [this] { return stopped_; });
    }
    res.status = reply.status;
    for (const auto& [k, v] : reply.headers) res.set_header(k, v);
    r.status = reply.status;
    std::function<void(const Received&)> notify;
    {
      std::lock_guard lock(mu_);
      const bool ok = reply.status >= 200 && reply.status <= 299;
      if (ok) {
        ++acknowledged_;
        notify = on_acknowledged_;
      }
      if (record_) received_.push_back(r);
    }
    if (notify) notify(r);
  }

  const std::string secret_;
  Behaviour behaviour_;
  std::string scheme_ = "http";
  std::unique_ptr<httplib::Server> server_;
  int port_ = 0;
  std::thread thread_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopped_ = false;
  bool record_ = true;
  size_t acknowledged_ = 0;
  std::vector<Received> received_;
  std::map<std::string, int> attempts_;
  std::function<void(const Received&)> on_acknowledged_;
};

// Answers `status` to the first `failures` requests of each webhook-id, then 200.
inline LoopbackReceiver::Behaviour FailFirst(int failures, int status = 500) {
  return [failures, status](const Received& r) {
    Reply reply;
    if (r.attempt <= failures) reply.status = status;
    return reply;
  };
}

}  // namespace rogatory::testing

#endif  // ROGATORY_TESTS_WEBHOOK_LOOPBACK_RECEIVER_H_
