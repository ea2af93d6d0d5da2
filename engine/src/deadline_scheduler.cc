// The deadline scheduler's loop: claim due rows, lapse each through the engine, sleep, repeat.
#include "rogatory/deadline_scheduler.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <random>
#include <thread>

namespace rogatory {

std::string DefaultNodeId() {
  char host[256] = {0};
  if (gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0') {
    std::snprintf(host, sizeof(host), "node");
  }
  std::random_device rd;
  char suffix[16];
  std::snprintf(suffix, sizeof(suffix), "%08x", static_cast<unsigned>(rd()));
  return std::string(host) + "-" + std::to_string(getpid()) + "-" + suffix;
}

class DeadlineScheduler::Impl {
 public:
  Impl(Engine& engine, DeadlineSchedulerOptions options)
      : engine_(engine), options_(std::move(options)) {
    if (options_.node_id.empty()) options_.node_id = DefaultNodeId();
    options_.interval = std::clamp<Duration>(options_.interval, std::chrono::milliseconds(1),
                                             std::chrono::milliseconds(250));
    options_.batch = std::max(1, options_.batch);
  }

  ~Impl() { Stop(); }

  void Start() {
    std::lock_guard lock(mu_);
    if (thread_.joinable()) return;
    stopping_ = false;
    thread_ = std::thread([this] { Loop(); });
  }

  void Stop() {
    {
      std::lock_guard lock(mu_);
      if (!thread_.joinable()) return;
      stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  Result<int> RunOnce() {
    int fired = 0;
    for (;;) {
      const TimePoint now = engine_.clock().Now();
      auto due =
          engine_.store().ClaimDueDeadlines(now, options_.node_id, options_.lease, options_.batch);
      if (!due.ok()) {
        Fail(due.status());
        return due.status();
      }
      for (const DueDeadline& d : *due) {
        auto r = engine_.ExpireDeadline(d.request_id, d.name, d.due_at);
        if (!r.ok()) {
          // Aborted after the engine's own retries, Unavailable, ...: the lease runs out and
          // the next claim tries again.
          Fail(r.status());
        } else if (r->has_value()) {
          ++fired;
          fired_.fetch_add(1, std::memory_order_relaxed);
          if (options_.on_fired) options_.on_fired();
        } else {
          skipped_.fetch_add(1, std::memory_order_relaxed);
        }
      }
      if (due->size() < static_cast<size_t>(options_.batch)) return fired;
    }
  }

  DeadlineSchedulerStats stats() const {
    DeadlineSchedulerStats s;
    s.fired = fired_.load(std::memory_order_relaxed);
    s.skipped = skipped_.load(std::memory_order_relaxed);
    s.errors = errors_.load(std::memory_order_relaxed);
    return s;
  }

  const std::string& node_id() const { return options_.node_id; }

 private:
  void Loop() {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      lock.unlock();
      (void)RunOnce();  // errors are counted and reported through on_error
      lock.lock();
      cv_.wait_for(lock, options_.interval, [this] { return stopping_; });
    }
  }

  void Fail(const Status& s) {
    errors_.fetch_add(1, std::memory_order_relaxed);
    if (options_.on_error) options_.on_error(s);
  }

  Engine& engine_;
  DeadlineSchedulerOptions options_;
  std::atomic<uint64_t> fired_{0};
  std::atomic<uint64_t> skipped_{0};
  std::atomic<uint64_t> errors_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;
};

DeadlineScheduler::DeadlineScheduler(Engine& engine, DeadlineSchedulerOptions options)
    : impl_(std::make_unique<Impl>(engine, std::move(options))) {}
DeadlineScheduler::~DeadlineScheduler() = default;
void DeadlineScheduler::Start() { impl_->Start(); }
void DeadlineScheduler::Stop() { impl_->Stop(); }
Result<int> DeadlineScheduler::RunOnce() { return impl_->RunOnce(); }
DeadlineSchedulerStats DeadlineScheduler::stats() const { return impl_->stats(); }
const std::string& DeadlineScheduler::node_id() const { return impl_->node_id(); }

}  // namespace rogatory
