#include "audit_one_pass.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "chain_ledger.h"
#include "stored_data_dump.h"

namespace rogatory::store_internal {
namespace {

// History rows copied out of the reader's buffers so that worker threads can check them while
// the read moves on: every text column in one byte arena, each row its spans.
class RowBatch {
 public:
  static constexpr size_t kRows = 1024;
  static constexpr size_t kBytes = size_t{1} << 20;

  void Add(const StoredHistoryEntry& e) {
    Row row;
    row.seq = e.seq;
    row.at_us = e.at_us;
    const std::string_view texts[kTexts] = {e.request_id, e.event,    e.from_state, e.to_state,
                                            e.actor,      e.data,     e.comment,    e.prev_hash,
                                            e.hash,       e.authority};
    for (int i = 0; i < kTexts; ++i) {
      row.text[i] = Span{bytes_.size(), texts[i].size()};
      bytes_.append(texts[i]);
    }
    rows_.push_back(row);
  }

  bool Full() const { return rows_.size() >= kRows || bytes_.size() >= kBytes; }
  size_t size() const { return rows_.size(); }
  void Clear() {
    rows_.clear();
    bytes_.clear();
  }

  // Row i as a view of the arena (valid until the batch changes).
  StoredHistoryEntry Entry(size_t i) const {
    const Row& row = rows_[i];
    auto text = [&](int k) {
      return std::string_view(bytes_).substr(row.text[k].at, row.text[k].size);
    };
    StoredHistoryEntry e;
    e.request_id = text(0);
    e.seq = row.seq;
    e.event = text(1);
    e.from_state = text(2);
    e.to_state = text(3);
    e.actor = text(4);
    e.at_us = row.at_us;
    e.data = text(5);
    e.comment = text(6);
    e.prev_hash = text(7);
    e.hash = text(8);
    e.authority = text(9);
    return e;
  }

 private:
  static constexpr int kTexts = 10;
  struct Span {
    size_t at = 0;
    size_t size = 0;
  };
  struct Row {
    Span text[kTexts];
    int64_t seq = 0;
    int64_t at_us = 0;
  };
  std::string bytes_;
  std::vector<Row> rows_;
};

// Full batches from the reading thread to the checking threads, and emptied ones back: a fixed
// number of batches circulate, so the reader waits when the checks fall behind.
class BatchQueue {
 public:
  explicit BatchQueue(int batches) {
    for (int i = 0; i < batches; ++i) free_.push_back(std::make_unique<RowBatch>());
  }

  // An empty batch to fill; waits for one.
  std::unique_ptr<RowBatch> TakeEmpty() {
    std::unique_lock<std::mutex> lock(mu_);
    emptied_.wait(lock, [this] { return !free_.empty(); });
    std::unique_ptr<RowBatch> batch = std::move(free_.back());
    free_.pop_back();
    return batch;
  }
  // Hands a filled batch to the checks.
  void Push(std::unique_ptr<RowBatch> batch) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      full_.push_back(std::move(batch));
    }
    filled_.notify_one();
  }
  // The next filled batch; null once Close was called and none is left.
  std::unique_ptr<RowBatch> TakeFull() {
    std::unique_lock<std::mutex> lock(mu_);
    filled_.wait(lock, [this] { return !full_.empty() || closed_; });
    if (full_.empty()) return nullptr;
    std::unique_ptr<RowBatch> batch = std::move(full_.front());
    full_.pop_front();
    return batch;
  }
  // Gives a checked batch back.
  void Recycle(std::unique_ptr<RowBatch> batch) {
    batch->Clear();
    {
      std::lock_guard<std::mutex> lock(mu_);
      free_.push_back(std::move(batch));
    }
    emptied_.notify_one();
  }
  // No more batches will be pushed.
  void Close() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      closed_ = true;
    }
    filled_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable filled_, emptied_;
  std::deque<std::unique_ptr<RowBatch>> full_;
  std::vector<std::unique_ptr<RowBatch>> free_;
  bool closed_ = false;
};

// What one checking thread found.
struct CheckerTally {
  explicit CheckerTally(const ChainLedger::Keys& keys) : ledger(keys) {}
  ChainLedger ledger;
  StoredDataDump dump;
  int64_t entries = 0;
};

void CheckBatches(BatchQueue& queue, CheckerTally& tally, std::atomic<bool>& failed) {
  while (std::unique_ptr<RowBatch> batch = queue.TakeFull()) {
    for (size_t i = 0; i < batch->size() && !failed.load(std::memory_order_relaxed); ++i) {
      const StoredHistoryEntry e = batch->Entry(i);
      if (!tally.dump.HashMatches(e)) {
        failed.store(true, std::memory_order_relaxed);
        break;
      }
      tally.ledger.AddEntry(e.request_id, e.seq, e.prev_hash, e.hash);
      ++tally.entries;
    }
    queue.Recycle(std::move(batch));
  }
}

}  // namespace

Result<std::optional<AuditReport>> AuditInOnePass(HistoryRangeReader& store, int workers) {
  const ChainLedger::Keys keys = ChainLedger::DrawKeys();
  ChainLedger heads(keys);
  AuditReport report;
  report.one_pass = true;
  std::atomic<bool> failed{false};

  BatchQueue queue(2 * workers + 1);
  std::vector<std::unique_ptr<CheckerTally>> tallies;
  std::vector<std::thread> checkers;
  for (int i = 0; i < workers; ++i) {
    tallies.push_back(std::make_unique<CheckerTally>(keys));
    checkers.emplace_back(CheckBatches, std::ref(queue), std::ref(*tallies.back()),
                          std::ref(failed));
  }
  std::unique_ptr<RowBatch> filling = queue.TakeEmpty();
  Status read = store.ScanAll(
      [&](const RequestHead& r) {
        // A request with no history is broken (its entry 1 is missing); so is a negative one.
        if (r.revision < 1) failed.store(true, std::memory_order_relaxed);
        heads.AddRequest(r.id, r.revision, r.head_hash);
        ++report.requests;
      },
      [&](const StoredHistoryEntry& e) {
        if (failed.load(std::memory_order_relaxed)) return;
        filling->Add(e);
        if (filling->Full()) {
          queue.Push(std::move(filling));
          filling = queue.TakeEmpty();
        }
      });
  if (filling->size() > 0) queue.Push(std::move(filling));
  queue.Close();
  for (std::thread& t : checkers) t.join();
  if (!read.ok()) return read;
  if (failed.load()) return std::optional<AuditReport>();
  for (const std::unique_ptr<CheckerTally>& tally : tallies) {
    heads.Merge(tally->ledger);
    report.entries += tally->entries;
    report.data_redumped += tally->dump.redumped();
  }
  if (!heads.Balanced()) return std::optional<AuditReport>();
  return std::optional<AuditReport>(std::move(report));
}

}  // namespace rogatory::store_internal
