// Apply: one engine step = one mutation, committed with whatever other mutations are queued at
// the same moment (group commit). Each mutation keeps its own outcome: a refused one leaves no
// row behind and does not disturb the others.
#include <algorithm>
#include <optional>

#include "apply_writer.h"
#include "commit_stages.h"
#include "sql_store_impl.h"

namespace rogatory::store_internal {

using Item = GroupCommitter::Item;

Status SqlStore::Apply(const Mutation& m) {
  StageTimer timer(CommitStage::kApply);
  Status s;
  if (options_.group_commit) {
    s = committer_->Submit(m);
  } else {
    Item item{&m, OkStatus()};
    std::vector<Item*> batch{&item};
    RunBatch(batch, nullptr);
    s = std::move(item.status);
  }
  if (request_cache_ != nullptr) request_cache_->Applied(m.request, s.ok());
  return s;
}

void SqlStore::RunBatch(std::vector<Item*>& batch, GroupCommitter::Joiner* joiner) {
  for (Item* item : batch) item->status = OkStatus();
  // Mutations touch requests in id order, so two nodes' batches on PostgreSQL lock rows in the
  // same order and cannot deadlock; steps of one request keep their arrival order.
  std::vector<Item*> sorted = batch;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Item* a, const Item* b) {
    return a->mutation->request.id < b->mutation->request.id;
  });
  CommitStages* const stages = CommitStages::Get();
  const auto asked =
      stages != nullptr ? CommitStages::Clock::now() : CommitStages::Clock::time_point();
  Status s = WithConnection(*writers_, "apply", [&](Connection& c) {
    if (stages != nullptr)
      stages->Record(CommitStage::kAcquire, CommitStages::Clock::now() - asked);
    // Between two batches the writer may finish a background checkpoint, so this batch's
    // transaction starts the WAL again from its beginning (Checkpointer::CatchUp).
    if (checkpointer_ != nullptr && options_.wal_catch_up) checkpointer_->CatchUp(c);
    RunBatchOn(c, std::move(sorted), joiner, &batch);
    return OkStatus();
  });
  if (!s.ok()) {
    for (Item* item : batch) {
      if (item->status.ok()) item->status = s;
    }
  }
}

// The transaction: BEGIN, each mutation in turn, COMMIT. A mutation refused at its first
// statement (stale revision, taken id) has written nothing and is simply skipped. One that may
// be refused after writing (an idempotency key clash) runs inside a savepoint when it shares the
// transaction. Anything else that fails after writing rolls the whole transaction back, and the
// others run again without it.
//
// The history and outbox rows of a batch of several mutations go in bulk, after the mutations'
// own statements (ApplyWriter::DeferRows). Should that bulk insert fail, which mutation's row
// failed is unknown: the batch runs again with each mutation inserting its own rows.
void SqlStore::RunBatchOn(Connection& conn, std::vector<Item*> remaining,
                          GroupCommitter::Joiner* joiner, std::vector<Item*>* joined) {
  ApplyWriter& w = conn.writer();
  bool bulk = true;
  bool first = true;
  // PostgreSQL: reads the statistics records and writes the requests of `items` together.
  auto prepare = [&w](const std::vector<Item*>& items) {
    if (items.size() < 2) return;
    std::vector<const Mutation*> mutations;
    mutations.reserve(items.size());
    for (const Item* i : items) mutations.push_back(i->mutation);
    w.PrefetchStats(mutations);
    w.UpdateRequestsInBulk(mutations);
  };
  auto notifies = [](const Item* i) { return i->mutation->Notifies(); };
  while (!remaining.empty()) {
    std::vector<Item*> written;
    bool redo = false;
    // Only the first attempt takes in late callers; one run again after a refusal does not.
    const bool joining = joiner != nullptr && first;
    first = false;
    try {
      {
        StageTimer timer(CommitStage::kBegin);
        w.Begin();
      }
      const bool deferred = bulk && (remaining.size() > 1 || joining);
      w.DeferRows(deferred);
      std::optional<StageTimer> statements(std::in_place, CommitStage::kStatements);
      prepare(remaining);
      std::vector<ActiveSubscription> subscriptions;
      bool subscriptions_loaded = false;
      if (std::any_of(remaining.begin(), remaining.end(), notifies)) {
        subscriptions = w.LoadSubscriptions();
        subscriptions_loaded = true;
      }
      for (size_t i = 0;; ++i) {
        if (i == remaining.size()) {
          // All written: take in the callers that queued meanwhile (SQLite), then commit.
          std::vector<Item*> late;
          if (!joining || joiner->Take(&late) == 0) break;
          // Each late step reads and writes on its own: the batch-wide reads and writes of
          // `prepare` are PostgreSQL's, whose batches never take in late callers.
          joined->insert(joined->end(), late.begin(), late.end());
          remaining.insert(remaining.end(), late.begin(), late.end());
          if (!subscriptions_loaded && std::any_of(late.begin(), late.end(), notifies)) {
            subscriptions = w.LoadSubscriptions();
            subscriptions_loaded = true;
          }
        }
        Item* item = remaining[i];
        const Mutation& m = *item->mutation;
        const bool guarded = (remaining.size() > 1 || joining) && m.idempotency.has_value();
        if (guarded) w.Savepoint();
        bool dirty = false;
        Status s;
        try {
          s = w.Write(m, subscriptions, &dirty);
        } catch (...) {
          s = StatusFromCurrentException("apply request " + m.request.id);
          dirty = true;  // unknown how far it got
        }
        if (s.ok()) {
          if (guarded) w.ReleaseSavepoint();
          written.push_back(item);
          continue;
        }
        item->status = s;
        if (!dirty) {
          if (guarded) w.ReleaseSavepoint();
        } else if (guarded) {
          w.RollbackToSavepoint();
        } else {
          w.Rollback();
          written.insert(written.end(), remaining.begin() + static_cast<long>(i) + 1,
                         remaining.end());
          remaining = std::move(written);
          redo = true;
          break;
        }
      }
      if (redo) continue;
      if (written.empty()) {
        w.Rollback();
        return;
      }
      if (deferred) {
        try {
          w.FlushRows();
        } catch (...) {
          w.Rollback();
          remaining = std::move(written);
          bulk = false;
          continue;
        }
      }
      statements.reset();
      {
        StageTimer timer(CommitStage::kCommit);
        w.Commit();
      }
      if (w.wrote_outbox()) outbox_version_.fetch_add(1, std::memory_order_release);
      return;  // every written item keeps its OK status
    } catch (...) {
      // BEGIN, a savepoint or COMMIT failed: the database or the connection is in trouble and
      // nothing of this transaction stands.
      Status s = StatusFromCurrentException("apply");
      try {
        w.Rollback();
      } catch (...) {  // no transaction left to roll back
      }
      for (Item* item : remaining) {
        if (item->status.ok()) item->status = s;
      }
      return;
    }
  }
}

}  // namespace rogatory::store_internal
