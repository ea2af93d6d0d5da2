// Latency histograms of each stage of a durable commit (waiting in the group-commit queue,
// gathering, leasing the writer, BEGIN, the statements, COMMIT with its flush, checkpoints,
// busy-handler sleeps, waking the callers a batch served), for finding where a slow commit spends
// its time (docs/performance.md). Off unless the environment names a file in ROGATORY_COMMIT_STAGES
// when the process starts; when off, each probe is one branch on a pointer that is null.
#ifndef ROGATORY_ADAPTERS_STORE_COMMIT_STAGES_H_
#define ROGATORY_ADAPTERS_STORE_COMMIT_STAGES_H_

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace rogatory::store_internal {

enum class CommitStage : uint8_t {
  kApply,       // a whole Store::Apply, from the call to its answer
  kQueue,       // queued until a leader took the mutation into a batch
  kGather,      // a leader waiting for callers to join its batch
  kAcquire,     // waiting for the writer connection
  kBegin,       // BEGIN IMMEDIATE
  kStatements,  // the batch's INSERTs and UPDATEs
  kCommit,      // COMMIT: the WAL write and its flush (and, before, an automatic checkpoint)
  kCheckpoint,  // one WAL checkpoint, wherever it runs
  kBusySleep,   // one busy-handler call that slept (any connection)
  kRead,        // a read of one request (GetRequest) on a reader connection
  kCatchUp,     // the writer finishing a background checkpoint so the WAL restarts
  kWake,        // a served caller, from its batch's end (its leader starts waking the
                // callers it served) until it runs again
  kCount
};

// Collects durations per stage; thread-safe. Exact percentiles (every sample is kept while on).
class CommitStages {
 public:
  using Clock = std::chrono::steady_clock;

  // The process's collector, or null when ROGATORY_COMMIT_STAGES is unset (the normal case).
  static CommitStages* Get();
  // A collector whose report goes to the file `path` (Get() makes the process's one).
  explicit CommitStages(std::string path) : path_(std::move(path)) {}

  void Record(CommitStage stage, Clock::duration d);
  // The table: per stage, count, p50, p99, p99.9, max and total, in milliseconds.
  std::string Report() const;
  // Writes Report() to the file named by ROGATORY_COMMIT_STAGES (appending).
  void WriteReport() const;

 private:
  std::string path_;
  mutable std::mutex mu_;
  std::array<std::vector<uint32_t>, static_cast<size_t>(CommitStage::kCount)> micros_;
};

// Times a scope into `stage` when collecting; does nothing otherwise.
class StageTimer {
 public:
  explicit StageTimer(CommitStage stage) : stages_(CommitStages::Get()), stage_(stage) {
    if (stages_ != nullptr) start_ = CommitStages::Clock::now();
  }
  ~StageTimer() {
    if (stages_ != nullptr) stages_->Record(stage_, CommitStages::Clock::now() - start_);
  }
  StageTimer(const StageTimer&) = delete;
  StageTimer& operator=(const StageTimer&) = delete;

 private:
  CommitStages* const stages_;
  const CommitStage stage_;
  CommitStages::Clock::time_point start_;
};

}  // namespace rogatory::store_internal

#endif  // ROGATORY_ADAPTERS_STORE_COMMIT_STAGES_H_
