// The webhook dispatcher (CONTRACT §5): claims outbox rows, signs them per Standard Webhooks,
// POSTs them, and records every attempt, retrying with backoff until delivered or dead-lettered.
// No httplib type appears here.
#ifndef ROGATORY_WEBHOOK_DISPATCHER_H_
#define ROGATORY_WEBHOOK_DISPATCHER_H_

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "rogatory/status.h"
#include "rogatory/store.h"
#include "rogatory/time.h"

namespace rogatory {

// When a failed delivery is tried again (config `webhooks:`).
struct WebhookRetryPolicy {
  // Attempt n+1 waits a uniformly random time in [initial, min(max, initial * 2^n)] after
  // attempt n failed ("full jitter" above the floor), unless the consumer sent Retry-After.
  Duration initial = std::chrono::seconds(5);
  Duration max = std::chrono::hours(1);
  // After this many failed attempts the delivery is dead-lettered. At least 1.
  int max_attempts = 12;
};

struct WebhookDispatcherOptions {
  // Names this node in the outbox leases. Empty: DefaultNodeId().
  std::string node_id;
  WebhookRetryPolicy retry;
  // No answer within this time (to connect, to send, to each read) counts as a failure.
  Duration timeout = std::chrono::seconds(10);
  // How long a claimed delivery is reserved for this node. Must exceed the time one attempt can
  // take (three timeouts: connect, write, read); it is raised to 3 * timeout + 5 s if shorter.
  // After a crash, the deliveries this node held are sent again once their leases run out.
  Duration lease = std::chrono::seconds(60);
  // Sends in flight at once, over all subscriptions.
  int workers = 16;
  // Sends in flight at once to one subscription, so one slow consumer leaves workers for others.
  // 0: workers / 4 (at least 1).
  int per_subscription = 0;
  // How often an idle dispatcher looks for new rows when nothing woke it (other nodes' commits,
  // retries falling due).
  Duration poll_interval = std::chrono::milliseconds(100);
  // Verify HTTPS consumers' certificates against the system's CA store (or `ca_cert_file`).
  bool verify_tls = true;
  std::string ca_cert_file;  // PEM bundle; empty: the system's default CA paths
  // false (config `webhooks.allow_private`): every attempt resolves the consumer's host and is
  // refused, as a failed attempt ("address 127.0.0.1 of hook.example is private"), if any address
  // it resolves to is loopback, private, link-local or otherwise non-public
  // (rogatory/address_policy.h); else it connects to the address it checked. true: any address.
  bool allow_private = false;
  // The User-Agent header of every send.
  std::string user_agent = "Rogatory-Webhooks/0.1";
  // Time source for claims, timestamps and backoff. Default: the system clock.
  std::shared_ptr<const Clock> clock;
  // Called with each failure that is not the consumer's (store errors, lost leases), e.g. to log.
  std::function<void(const Status&)> on_error;
};

// Counters since construction, for /metrics.
struct WebhookDispatcherStats {
  uint64_t attempts = 0;   // sends tried
  uint64_t delivered = 0;  // acknowledged with 2xx
  uint64_t retried = 0;    // failed, scheduled again
  uint64_t dead = 0;       // dead-lettered after max_attempts
  uint64_t gone = 0;       // answered 410: dead-lettered and the subscription disabled
  uint64_t errors = 0;     // store errors and lost leases (not the consumer's failures)
  // Commit -> acknowledged latency of delivered events, as a cumulative Prometheus histogram:
  // latency_buckets[i] counts deliveries at or below kLatencyBucketsSeconds[i].
  static constexpr std::array<double, 12> kLatencyBucketsSeconds = {
      0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60};
  std::array<uint64_t, 12> latency_buckets{};
  uint64_t latency_count = 0;
  double latency_sum_seconds = 0;
};

// Delivery order: the store's claim returns only the oldest pending revision of each
// (subscription, request) pair, and a claimed row blocks its pair until its attempt is recorded,
// so one request's events reach one subscription in revision order. Different pairs are sent
// concurrently by the worker pool.
//
// Example:
//   WebhookDispatcher dispatcher(store, options);
//   Engine engine({WakeDispatcherOnCommit(store, dispatcher), clock});
//   dispatcher.Start();
//   ...
//   dispatcher.Stop();  // before the store closes
class WebhookDispatcher {
 public:
  // REQUIRES: store != nullptr.
  WebhookDispatcher(std::shared_ptr<Store> store, WebhookDispatcherOptions options = {});
  // Stops the threads if they run.
  ~WebhookDispatcher();
  WebhookDispatcher(const WebhookDispatcher&) = delete;
  WebhookDispatcher& operator=(const WebhookDispatcher&) = delete;

  // Starts the claim loop and the workers; the first claim runs at once, so deliveries left
  // pending by a previous run go out now (those another node still leases, once the lease ends).
  // No-op if already started.
  void Start();
  // Stops claiming, lets the sends in flight finish and records them, sends the claimed rows
  // still queued for up to one more timeout, then joins the threads (so it returns within about
  // two timeouts). Rows claimed but still unsent then are left to their lease. No-op if not
  // started.
  void Stop();
  // Tells the claim loop that new rows may be due (a commit wrote outbox rows). Cheap; any thread.
  void Wake();

  // One claim and its sends on the caller's thread, one after another: for tests and tools, not
  // alongside Start(). Returns how many attempts were made (and recorded), or the claim's error.
  Result<int> RunOnce();

  // Counters so far. Thread-safe.
  WebhookDispatcherStats stats() const;
  const std::string& node_id() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// A Store that forwards every call to `store` and calls dispatcher.Wake() after each Apply that
// committed a notification, so new events go out at once instead of at the next poll. Give it
// to the Engine in place of `store`. REQUIRES: `dispatcher` outlives the returned store's use.
std::shared_ptr<Store> WakeDispatcherOnCommit(std::shared_ptr<Store> store,
                                              WebhookDispatcher& dispatcher);

}  // namespace rogatory

#endif  // ROGATORY_WEBHOOK_DISPATCHER_H_
