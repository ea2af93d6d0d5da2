#include "group_commit.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "commit_stages.h"

namespace rogatory::store_internal {

GroupCommitter::GroupCommitter(int max_batch, int max_leaders, Duration max_gather, BatchRunner run)
    : max_batch_(static_cast<size_t>(std::max(1, max_batch))),
      max_leaders_(std::max(1, max_leaders)),
      max_gather_(max_gather),
      run_(std::move(run)) {}

Status GroupCommitter::Submit(const Mutation& m) {
  Waiter self;
  self.item.mutation = &m;
  CommitStages* const stages = CommitStages::Get();
  if (stages != nullptr) self.queued_at = CommitStages::Clock::now();
  std::unique_lock<std::mutex> lock(mu_);
  queue_.push_back(&self);
  if (gathering_ > 0) gather_cv_.notify_all();
  for (;;) {
    if (self.done) return std::move(self.item.status);
    if (self.taken || leaders_ >= max_leaders_) {
      self.cv.wait(lock);
      continue;
    }
    // Lead: run the oldest queued mutations (ours among them unless the queue is long).
    ++leaders_;
    const size_t expected = std::min(last_batch_, max_batch_);
    if (queue_.size() < expected && max_gather_.count() > 0) {
      const auto deadline = std::chrono::steady_clock::now() + std::min(max_gather_, last_run_ / 4);
      ++gathering_;
      StageTimer timer(CommitStage::kGather);
      gather_cv_.wait_until(lock, deadline, [&] { return queue_.size() >= expected; });
      --gathering_;
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
    run_(items);
    const auto ran = std::chrono::steady_clock::now() - started;
    lock.lock();
    --leaders_;
    last_batch_ = batch.size();
    last_run_ = std::chrono::duration_cast<Duration>(ran);
    for (Waiter* w : batch) {
      w->done = true;
      if (w != &self) w->cv.notify_one();
    }
    // Whoever queued meanwhile leads the next batch.
    if (!queue_.empty()) queue_.front()->cv.notify_one();
  }
}

}  // namespace rogatory::store_internal
