#include "group_commit.h"

#include <algorithm>
#include <utility>

namespace rogatory::store_internal {

GroupCommitter::GroupCommitter(int max_batch, int max_leaders, BatchRunner run)
    : max_batch_(static_cast<size_t>(std::max(1, max_batch))),
      max_leaders_(std::max(1, max_leaders)),
      run_(std::move(run)) {}

Status GroupCommitter::Submit(const Mutation& m) {
  Waiter self;
  self.item.mutation = &m;
  std::unique_lock<std::mutex> lock(mu_);
  queue_.push_back(&self);
  for (;;) {
    if (self.done) return std::move(self.item.status);
    if (self.taken || leaders_ >= max_leaders_) {
      self.cv.wait(lock);
      continue;
    }
    // Lead: run the oldest queued mutations (ours among them unless the queue is long).
    ++leaders_;
    std::vector<Waiter*> batch;
    while (!queue_.empty() && batch.size() < max_batch_) {
      batch.push_back(queue_.front());
      queue_.pop_front();
      batch.back()->taken = true;
    }
    lock.unlock();
    std::vector<Item*> items;
    items.reserve(batch.size());
    for (Waiter* w : batch) items.push_back(&w->item);
    run_(items);
    lock.lock();
    --leaders_;
    for (Waiter* w : batch) {
      w->done = true;
      if (w != &self) w->cv.notify_one();
    }
    // Whoever queued meanwhile leads the next batch.
    if (!queue_.empty()) queue_.front()->cv.notify_one();
  }
}

}  // namespace rogatory::store_internal
