// The dispatcher's threads: one claim loop that leases due outbox rows, and a pool of workers
// that send them, at most `per_subscription` at once per subscription.
#include "rogatory/webhook_dispatcher.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "delivery_attempt.h"
#include "http_sender.h"
#include "rogatory/deadline_scheduler.h"
#include "subscription_cache.h"

namespace rogatory {

using webhook::AttemptContext;
using webhook::AttemptOutcome;
using webhook::AttemptReport;

class WebhookDispatcher::Impl {
 public:
  Impl(std::shared_ptr<Store> store, WebhookDispatcherOptions options)
      : store_(std::move(store)),
        options_(Normalize(std::move(options))),
        subscriptions_(*store_) {}

  ~Impl() { Stop(); }

  void Start() {
    std::lock_guard lock(mu_);
    if (claimer_.joinable()) return;
    stopping_ = false;
    wake_ = true;
    for (int i = 0; i < options_.workers; ++i) workers_.emplace_back([this] { WorkerLoop(); });
    claimer_ = std::thread([this] { ClaimLoop(); });
  }

  void Stop() {
    {
      std::lock_guard lock(mu_);
      if (!claimer_.joinable()) return;
      stopping_ = true;
      drain_until_ = std::chrono::steady_clock::now() + options_.timeout;
    }
    claim_cv_.notify_all();
    work_cv_.notify_all();
    claimer_.join();
    for (auto& w : workers_) w.join();
    workers_.clear();
    std::lock_guard lock(mu_);
    // Claimed but never sent: their leases run out and a node sends them then.
    ready_.clear();
    waiting_.clear();
    active_by_subscription_.clear();
    active_ = 0;
    waiting_count_ = 0;
  }

  void Wake() {
    // Already flagged: the claim loop has not claimed since, and the claim it will make covers
    // this commit too. A notification now changes no predicate the loop waits on and only costs
    // it a wake-up (a context switch per API call under load, `rogatory serve`). The first test
    // is without the lock: under load most calls end here, and taking mu_ on every commit made
    // the API threads queue on it behind the claim loop (futex waits and wakes). It cannot miss
    // a commit: the loop clears the flag before it claims, so a flag still set after the commit
    // means a claim is yet to come, and the claim reads the store after the commit did.
    if (wake_.load(std::memory_order_acquire)) return;
    // Nothing claimable since the last claim began: the commit matched no subscription (with
    // none, every commit), and waking would only cost the claim loop a store claim and a
    // context switch per API call. The loop reads the version before it claims, so an equal
    // version means that claim (made, or under way) covers whatever the commit wrote.
    if (const std::optional<uint64_t> version = store_->OutboxVersion();
        version && *version == claimed_version_.load(std::memory_order_acquire)) {
      return;
    }
    {
      std::lock_guard lock(mu_);
      if (wake_) return;
      wake_ = true;
    }
    claim_cv_.notify_one();
  }

  Result<int> RunOnce() {
    auto claimed = store_->ClaimDeliveries(clock().Now(), options_.node_id, options_.lease,
                                           std::max(1, options_.workers * 4));
    if (!claimed.ok()) {
      Fail(claimed.status());
      return claimed.status();
    }
    webhook::HttpSender sender(SenderOptions());
    std::mt19937_64 rng{std::random_device{}()};
    AttemptContext ctx{options_, clock(), subscriptions_, sender, rng};
    for (const Delivery& d : *claimed) Finish(webhook::AttemptDelivery(d, ctx), d);
    return static_cast<int>(claimed->size());
  }

  WebhookDispatcherStats stats() const {
    std::lock_guard lock(stats_mu_);
    return stats_;
  }

  const std::string& node_id() const { return options_.node_id; }

 private:
  static constexpr int kMaxWaiting = 4096;
  static constexpr std::chrono::milliseconds kMinClaimGap{1};

  struct Job {
    Delivery delivery;
    TimePoint lease_until;
  };

  static WebhookDispatcherOptions Normalize(WebhookDispatcherOptions o) {
    if (o.node_id.empty()) o.node_id = DefaultNodeId();
    if (!o.clock) o.clock = std::make_shared<SystemClock>();
    o.workers = std::max(1, o.workers);
    if (o.per_subscription <= 0) o.per_subscription = std::max(1, o.workers / 4);
    o.retry.max_attempts = std::max(1, o.retry.max_attempts);
    o.timeout = std::max<Duration>(o.timeout, std::chrono::milliseconds(1));
    // A send must end (connect + write + read timeouts) before its lease does, or another node
    // could send it at the same time.
    o.lease = std::max<Duration>(o.lease, 3 * o.timeout + std::chrono::seconds(5));
    o.poll_interval = std::max<Duration>(o.poll_interval, std::chrono::milliseconds(1));
    return o;
  }

  const Clock& clock() const { return *options_.clock; }

  webhook::HttpSenderOptions SenderOptions() const {
    webhook::HttpSenderOptions s;
    s.timeout = options_.timeout;
    s.verify_tls = options_.verify_tls;
    s.ca_cert_file = options_.ca_cert_file;
    s.user_agent = options_.user_agent;
    s.allow_private = options_.allow_private;
    return s;
  }

  // Rows to claim now: enough to keep every worker busy plus a few queued behind them. Rows held
  // back behind a slow subscription do not count against it (so they cannot starve the others)
  // up to kMaxWaiting.
  int FreeSlotsLocked() const {
    return std::min(options_.workers + options_.workers / 2 - active_,
                    kMaxWaiting - waiting_count_);
  }

  // Claims in batches: after a claim, the next one waits until enough slots are free (one when
  // every worker is idle, so a lone event goes out at once) and at least kMinClaimGap has passed,
  // so that a busy node makes a few large claims rather than one per finished send (each claim
  // is a store transaction).
  void ClaimLoop() {
    std::unique_lock lock(mu_);
    auto last_claim = std::chrono::steady_clock::now() - kMinClaimGap;
    while (!stopping_) {
      const auto gap_end = last_claim + kMinClaimGap;
      if (std::chrono::steady_clock::now() < gap_end) {
        claim_cv_.wait_until(lock, gap_end, [this] { return stopping_; });
        continue;
      }
      PruneWaitingLocked(clock().Now());
      const int free = FreeSlotsLocked();
      bool full_batch = false;
      if (free > 0) {
        wake_ = false;
        ClaimLimit limit = ClaimLimitLocked(free);
        lock.unlock();
        // Read before the claim, so the claim sees everything this version counts (Wake).
        if (const std::optional<uint64_t> version = store_->OutboxVersion()) {
          claimed_version_.store(*version, std::memory_order_release);
        }
        const TimePoint now = clock().Now();
        auto claimed = store_->ClaimDeliveries(now, options_.node_id, options_.lease, limit);
        lock.lock();
        last_claim = std::chrono::steady_clock::now();
        if (!claimed.ok()) {
          lock.unlock();
          Fail(claimed.status());
          lock.lock();
        } else {
          for (Delivery& d : *claimed) EnqueueLocked(Job{std::move(d), now + options_.lease});
          full_batch = static_cast<int>(claimed->size()) == free;
          if (!claimed->empty()) work_cv_.notify_all();
        }
      }
      if (full_batch) wake_ = true;  // more may be due: claim again once slots free up
      claim_cv_.wait_for(lock, options_.poll_interval, [this] {
        return stopping_ || (wake_ && FreeSlotsLocked() >= ClaimThresholdLocked());
      });
    }
  }

  // A claim of up to `free` rows, of which at most twice per_subscription (counting those held
  // already, sending or queued) for one subscription: a subscription with a large backlog (a
  // consumer that was down) keeps a short queue on this node and leaves the rest of each claim,
  // and the rest of its backlog, to the others.
  ClaimLimit ClaimLimitLocked(int free) const {
    ClaimLimit limit;
    limit.total = free;
    limit.per_subscription = 2 * options_.per_subscription;
    for (const auto& [id, n] : active_by_subscription_) limit.held[id] += n;
    for (const auto& [id, queue] : waiting_) limit.held[id] += static_cast<int>(queue.size());
    return limit;
  }

  // Free slots worth a claim: one when nothing is in flight, else a quarter of the capacity.
  int ClaimThresholdLocked() const {
    if (active_ == 0) return 1;
    return std::max(1, (options_.workers + options_.workers / 2) / 4);
  }

  // Queues `job` to run now, or behind its subscription's sends in flight.
  void EnqueueLocked(Job job) {
    int& active = active_by_subscription_[job.delivery.subscription_id];
    if (active < options_.per_subscription) {
      ++active;
      ++active_;
      ready_.push_back(std::move(job));
    } else {
      ++waiting_count_;
      waiting_[job.delivery.subscription_id].push_back(std::move(job));
    }
  }

  // Drops held-back rows whose lease would end before their send could: a node takes them over
  // once the lease has run out (never two sends at once).
  void PruneWaitingLocked(TimePoint now) {
    for (auto it = waiting_.begin(); it != waiting_.end();) {
      auto& queue = it->second;
      while (!queue.empty() && !LeaseLeavesRoom(queue.front(), now)) {
        queue.pop_front();
        --waiting_count_;
      }
      it = queue.empty() ? waiting_.erase(it) : std::next(it);
    }
  }

  bool LeaseLeavesRoom(const Job& job, TimePoint now) const {
    return now + 3 * options_.timeout + std::chrono::seconds(1) <= job.lease_until;
  }

  void WorkerLoop() {
    webhook::HttpSender sender(SenderOptions());
    std::mt19937_64 rng{std::random_device{}()};
    AttemptContext ctx{options_, clock(), subscriptions_, sender, rng};
    std::unique_lock lock(mu_);
    for (;;) {
      work_cv_.wait(lock, [this] { return stopping_ || !ready_.empty(); });
      // Stopping: rows already claimed still go out (so a restart need not wait for their
      // leases), but only for as long as one timeout.
      if (ready_.empty() || (stopping_ && std::chrono::steady_clock::now() > drain_until_)) {
        return;
      }
      Job job = std::move(ready_.front());
      ready_.pop_front();
      lock.unlock();
      // Too close to the lease's end (it waited behind a slow consumer): another node may take
      // it over mid-send. Leave it to the lease rather than risk two sends at once.
      if (LeaseLeavesRoom(job, clock().Now())) {
        Finish(webhook::AttemptDelivery(job.delivery, ctx), job.delivery);
      }
      lock.lock();
      DoneLocked(job.delivery.subscription_id);
    }
  }

  // A send for `subscription_id` ended: start the next one queued behind it.
  void DoneLocked(const std::string& subscription_id) {
    auto waiting = waiting_.find(subscription_id);
    if (waiting != waiting_.end() && !waiting->second.empty()) {
      // The subscription's slot passes to its next held-back row.
      ready_.push_back(std::move(waiting->second.front()));
      waiting->second.pop_front();
      --waiting_count_;
      if (waiting->second.empty()) waiting_.erase(waiting);
      work_cv_.notify_one();
    } else {
      auto active = active_by_subscription_.find(subscription_id);
      if (active != active_by_subscription_.end() && --active->second <= 0) {
        active_by_subscription_.erase(active);
      }
      --active_;
    }
    wake_ = true;  // a slot is free, and the next revision of that request may now be due
    claim_cv_.notify_one();
  }

  // Records the attempt and counts it.
  void Finish(const AttemptReport& report, const Delivery& d) {
    Status s = store_->RecordDeliveryAttempt(report.record);
    std::lock_guard lock(stats_mu_);
    ++stats_.attempts;
    if (!s.ok()) {
      ++stats_.errors;
    } else {
      switch (report.outcome) {
        case AttemptOutcome::kDelivered: {
          ++stats_.delivered;
          const double seconds =
              std::chrono::duration<double>(report.answered_at - d.created_at).count();
          if (seconds >= 0) {
            for (size_t i = 0; i < stats_.kLatencyBucketsSeconds.size(); ++i) {
              if (seconds <= stats_.kLatencyBucketsSeconds[i]) ++stats_.latency_buckets[i];
            }
            ++stats_.latency_count;
            stats_.latency_sum_seconds += seconds;
          }
          break;
        }
        case AttemptOutcome::kRetry:
          ++stats_.retried;
          break;
        case AttemptOutcome::kDead:
          ++stats_.dead;
          break;
        case AttemptOutcome::kGone:
          ++stats_.gone;
          break;
      }
    }
    if (!s.ok() && options_.on_error) options_.on_error(s);
  }

  void Fail(const Status& s) {
    {
      std::lock_guard lock(stats_mu_);
      ++stats_.errors;
    }
    if (options_.on_error) options_.on_error(s);
  }

  const std::shared_ptr<Store> store_;
  const WebhookDispatcherOptions options_;
  webhook::SubscriptionCache subscriptions_;

  std::mutex mu_;
  std::condition_variable claim_cv_;  // the claim loop: wake_, free slots, stopping_
  std::condition_variable work_cv_;   // workers: ready_, stopping_
  bool stopping_ = false;             // GUARDED_BY(mu_)
  std::chrono::steady_clock::time_point drain_until_;  // GUARDED_BY(mu_): set by Stop()
  // The store's OutboxVersion() as the latest claim began (Wake).
  std::atomic<uint64_t> claimed_version_{0};
  std::atomic<bool> wake_{
      false};              // written under mu_ (read without it in Wake): new rows may be due
  int active_ = 0;         // GUARDED_BY(mu_): ready or in flight
  int waiting_count_ = 0;  // GUARDED_BY(mu_): held back behind their subscription's cap
  std::deque<Job> ready_;  // GUARDED_BY(mu_)
  std::map<std::string, std::deque<Job>> waiting_;     // GUARDED_BY(mu_): over the cap
  std::map<std::string, int> active_by_subscription_;  // GUARDED_BY(mu_): ready or in flight
  std::thread claimer_;
  std::vector<std::thread> workers_;

  mutable std::mutex stats_mu_;
  WebhookDispatcherStats stats_;  // GUARDED_BY(stats_mu_)
};

WebhookDispatcher::WebhookDispatcher(std::shared_ptr<Store> store, WebhookDispatcherOptions options)
    : impl_(std::make_unique<Impl>(std::move(store), std::move(options))) {}
WebhookDispatcher::~WebhookDispatcher() = default;
void WebhookDispatcher::Start() { impl_->Start(); }
void WebhookDispatcher::Stop() { impl_->Stop(); }
void WebhookDispatcher::Wake() { impl_->Wake(); }
Result<int> WebhookDispatcher::RunOnce() { return impl_->RunOnce(); }
WebhookDispatcherStats WebhookDispatcher::stats() const { return impl_->stats(); }
const std::string& WebhookDispatcher::node_id() const { return impl_->node_id(); }

}  // namespace rogatory
