#include "group_commit.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "commit_stages.h"

namespace rogatory::store_internal {

GroupCommitter::GroupCommitter(int max_batch, int max_leaders, Duration max_gather, BatchRunner run,
                               bool join_late)
    : max_batch_(static_cast<size_t>(std::max(1, max_batch))),
      max_leaders_(std::max(1, max_leaders)),
      max_gather_(max_gather),
      run_(std::move(run)),
      join_late_(join_late) {}

size_t GroupCommitter::Joiner::Take(std::vector<Item*>* items) {
  GroupCommitter& g = *owner_;
  std::unique_lock<std::mutex> lock(g.mu_);
  if (g.queue_.empty() && batch_->size() < expected_ && g.max_gather_.count() > 0) {
    // Woken once half of those still missing have queued: few wake-ups, and the batch writes
    // the first of them while the rest come.
    const size_t target = std::max<size_t>(1, (expected_ - batch_->size()) / 2);
    g.gather_target_ = std::min(g.gather_target_, target);
    ++g.gathering_;
    StageTimer timer(CommitStage::kGather);
    const auto waiting = std::chrono::steady_clock::now();
    g.gather_cv_.wait_until(lock, deadline_, [&] { return g.queue_.size() >= target; });
    waited_ += std::chrono::steady_clock::now() - waiting;
    if (--g.gathering_ == 0) g.gather_target_ = std::numeric_limits<size_t>::max();
  }
  CommitStages* const stages = CommitStages::Get();
  const auto now =
      stages != nullptr ? CommitStages::Clock::now() : CommitStages::Clock::time_point();
  size_t n = 0;
  while (!g.queue_.empty() && batch_->size() < g.max_batch_) {
    Waiter* w = g.queue_.front();
    g.queue_.pop_front();
    w->taken = true;
    batch_->push_back(w);
    items->push_back(&w->item);
    if (stages != nullptr) stages->Record(CommitStage::kQueue, now - w->queued_at);
    ++n;
  }
  return n;
}

bool GroupCommitter::WaitForSignal(Waiter& self) {
  for (;;) {
    const uint32_t s = self.signal.load(std::memory_order_acquire);
    if (s != kWaiting) return s == kDone;
    FutexWait(self.signal, kWaiting);
  }
}

Status GroupCommitter::Submit(const Mutation& m) {
  Waiter self;
  self.item.mutation = &m;
  CommitStages* const stages = CommitStages::Get();
  if (stages != nullptr) self.queued_at = CommitStages::Clock::now();
  std::unique_lock<std::mutex> lock(mu_);
  queue_.push_back(&self);
  if (gathering_ > 0 && queue_.size() >= gather_target_) gather_cv_.notify_all();
  for (;;) {
    if (self.taken || leaders_ >= max_leaders_) {
      lock.unlock();
      if (WaitForSignal(self)) {
        if (stages != nullptr) {
          stages->Record(CommitStage::kWake, CommitStages::Clock::now() - self.done_at);
        }
        return std::move(self.item.status);
      }
      // Asked to lead. Another leader may have taken and run us meanwhile (kDone then stays).
      lock.lock();
      uint32_t lead = kLead;
      if (!self.signal.compare_exchange_strong(lead, kWaiting, std::memory_order_acquire)) {
        return std::move(self.item.status);
      }
      continue;
    }
    // Lead: run the oldest queued mutations (ours among them unless the queue is long).
    ++leaders_;
    const size_t expected = std::min(last_batch_, max_batch_);
    const auto deadline = std::chrono::steady_clock::now() + std::min(max_gather_, last_run_);
    if (!join_late_ && queue_.size() < expected && max_gather_.count() > 0) {
      gather_target_ = std::min(gather_target_, expected);
      ++gathering_;
      StageTimer timer(CommitStage::kGather);
      gather_cv_.wait_until(lock, deadline, [&] { return queue_.size() >= expected; });
      if (--gathering_ == 0) gather_target_ = std::numeric_limits<size_t>::max();
    }
    std::vector<Waiter*> batch;
    while (!queue_.empty() && batch.size() < max_batch_) {
      batch.push_back(queue_.front());
      queue_.pop_front();
      batch.back()->taken = true;
    }
    if (stages != nullptr) {
      const auto now = CommitStages::Clock::now();
      for (Waiter* w : batch) stages->Record(CommitStage::kQueue, now - w->queued_at);
    }
    lock.unlock();
    std::vector<Item*> items;
    items.reserve(batch.size());
    for (Waiter* w : batch) items.push_back(&w->item);
    const auto started = std::chrono::steady_clock::now();
    Joiner joiner(this, &batch, expected, deadline);
    run_(items, join_late_ ? &joiner : nullptr);
    const auto ran = std::chrono::steady_clock::now() - started - joiner.waited_;
    lock.lock();
    --leaders_;
    last_batch_ = batch.size();
    last_run_ = std::chrono::duration_cast<Duration>(ran);
    // Whoever queued meanwhile leads the next batch.
    if (!queue_.empty()) {
      Waiter* next = queue_.front();
      next->signal.store(kLead, std::memory_order_release);
      FutexWakeAll(&next->signal);
    }
    lock.unlock();
    const auto done_at =
        stages != nullptr ? CommitStages::Clock::now() : CommitStages::Clock::time_point();
    bool served = false;
    for (Waiter* w : batch) {
      if (w == &self) {
        served = true;
        continue;
      }
      // After this store `w` may return at once and its word go: wake by address only.
      const void* address = &w->signal;
      w->done_at = done_at;
      w->signal.store(kDone, std::memory_order_release);
      FutexWakeAll(address);
    }
    if (served) return std::move(self.item.status);
    lock.lock();
  }
}

}  // namespace rogatory::store_internal
