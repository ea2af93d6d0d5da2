// The Store port on SQLite or PostgreSQL through SOCI. Apply goes through the group commit;
// reads use a pool of connections; every SOCI exception is caught here, at the adapter edge.
#ifndef ROGATORY_ADAPTERS_STORE_SQL_STORE_IMPL_H_
#define ROGATORY_ADAPTERS_STORE_SQL_STORE_IMPL_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "checkpointer.h"
#include "connection.h"
#include "dialect.h"
#include "file_prefetcher.h"
#include "group_commit.h"
#include "kept_tally.h"
#include "request_cache.h"
#include "rogatory/audit.h"
#include "rogatory/sql_store.h"
#include "rogatory/store.h"
#include "sql_error.h"
#include "store_url.h"

namespace rogatory::store_internal {

class SqlStore final : public Store, public HistoryRangeReader {
 public:
  // Connects, migrates the schema, and returns the store; the errors of OpenStore.
  static Result<std::unique_ptr<Store>> Open(const StoreUrl& url, const SqlStoreOptions& options);

  Status SaveDefinition(const WorkflowDefinition& def, const std::string& origin) override;
  Result<std::vector<StoredDefinition>> ListDefinitions() override;
  Result<StoredDefinition> GetStoredDefinition(const std::string& workflow,
                                               std::optional<int> version) override;
  Status Apply(const Mutation& m) override;
  Result<Request> GetRequest(const RequestId& id) override;
  std::optional<Request> LastCommitted(const RequestId& id) override;
  std::optional<StoreKeptCounters> KeptCounters() const override;
  Result<std::vector<HistoryEntry>> GetHistory(const RequestId& id) override;
  Result<RequestPage> ListRequests(const RequestQuery& q) override;
  Result<std::vector<RequestHead>> ListRequestHeads(const RequestId& after, int limit) override;
  Result<std::vector<HistoryEntry>> GetHistoryRange(const RequestId& first,
                                                    const RequestId& last) override;
  Status VisitHistoryRange(const RequestId& first, const RequestId& last,
                           const std::function<void(const StoredHistoryEntry&)>& visit) override;
  Status ScanAll(int parts, const std::function<void(const RequestHead&)>& head,
                 const std::function<void(int, const StoredHistoryEntry&)>& entry) override;
  Result<std::optional<BrokenLink>> FindEntryOutsideEveryHistory() override;
  void BeginFullScan() override;
  void EndFullScan() override;
  Result<std::optional<IdempotencyRecord>> FindIdempotency(const std::string& actor,
                                                           const std::string& key) override;
  Result<std::vector<DueDeadline>> ClaimDueDeadlines(TimePoint now, const std::string& owner,
                                                     Duration lease, int limit) override;
  Result<int64_t> CountOverdueDeadlines(TimePoint now) override;
  Status CreateSubscription(const Subscription& s) override;
  Result<Subscription> GetSubscription(const std::string& id) override;
  Result<std::vector<Subscription>> ListSubscriptions() override;
  Status DeleteSubscription(const std::string& id) override;
  Status SetSubscriptionActive(const std::string& id, bool active) override;
  using Store::ClaimDeliveries;
  Result<std::vector<Delivery>> ClaimDeliveries(TimePoint now, const std::string& owner,
                                                Duration lease, const ClaimLimit& limit) override;
  Status RecordDeliveryAttempt(const DeliveryAttempt& a) override;
  Result<Delivery> GetDelivery(const std::string& id) override;
  Result<DeliveryPage> ListDeliveries(const DeliveryQuery& q) override;
  Status RetryDelivery(const std::string& id, TimePoint now) override;
  std::optional<uint64_t> OutboxVersion() const override {
    return outbox_version_.load(std::memory_order_acquire);
  }
  Result<std::vector<StatsCell>> QueryStats(const StatsQuery& q) override;
  Status ReplaceStats(const std::vector<StatsRecord>& records) override;

 private:
  SqlStore(const StoreUrl& url, const SqlStoreOptions& options);

  // Runs `fn(Connection&)` on a connection leased from `pool`, turning whatever it throws into
  // the Status that `what` describes. `fn` returns a Status or a Result.
  template <typename Fn>
  auto WithConnection(ConnectionPool& pool, std::string_view what, Fn&& fn)
      -> decltype(fn(std::declval<Connection&>())) {
    std::optional<ConnectionPool::Lease> lease;
    try {
      lease.emplace(pool.Acquire());
    } catch (...) {
      Status s = StatusFromCurrentException(what);
      // Failing to open a connection means the database cannot be reached now.
      return Status(StatusCode::kUnavailable, s.message());
    }
    try {
      return fn(**lease);
    } catch (...) {
      return StatusFromCurrentException(what);
    }
  }

  // Reads go to the reader pool (SQLite in memory has only its one connection).
  ConnectionPool& ReadPool() { return readers_ != nullptr ? *readers_ : *writers_; }
  // Writes other than Apply: SQLite has one writer; PostgreSQL writes from any connection.
  ConnectionPool& WritePool() { return dialect_.sqlite() ? *writers_ : ReadPool(); }

  // Runs a group-commit batch on a writer connection (GroupCommitter::BatchRunner); with a
  // joiner (SQLite), the callers it takes in while the batch runs are appended to `batch`.
  void RunBatch(std::vector<GroupCommitter::Item*>& batch, GroupCommitter::Joiner* joiner);
  void RunBatchOn(Connection& conn, std::vector<GroupCommitter::Item*> batch,
                  GroupCommitter::Joiner* joiner, std::vector<GroupCommitter::Item*>* joined);

  const Dialect dialect_;
  const StoreUrl url_;
  std::mutex prefetch_mu_;
  std::unique_ptr<FilePrefetcher> prefetcher_;  // while a full scan runs (SQLite files only)
  const SqlStoreOptions options_;
  // Declared before the pools: their connections call it on every commit, so it outlives them.
  std::unique_ptr<Checkpointer> checkpointer_;  // null unless an SQLite file checkpoints apart
  // What the copies below and the writer's LastWrites saved; before the pools, as above.
  std::unique_ptr<KeptTally> kept_tally_;    // with request_cache_
  std::unique_ptr<ConnectionPool> writers_;  // the Apply batches (SQLite: exactly one)
  std::unique_ptr<ConnectionPool> readers_;  // null for SQLite in memory
  std::unique_ptr<GroupCommitter> committer_;
  std::unique_ptr<RequestCache> request_cache_;  // null unless SQLite with request_cache > 0
  std::atomic<size_t> claim_turn_{0};            // which subscription a capped claim starts with
  // OutboxVersion(): raised after the COMMIT of a batch that wrote outbox rows, and of a retry.
  std::atomic<uint64_t> outbox_version_{0};
};

// What a write transaction may change of what an SQLite writer keeps of its last steps
// (LastWrites: requests' history heads and statistics records).
enum class KeptRows {
  kMayChange,  // anything: the writer forgets what it kept at its next step
  kUntouched,  // only the outbox, subscriptions and deadline claims: what it kept stays valid
};

// Opens a write transaction on `conn` for the length of a scope; rolls back unless committed.
class WriteTransaction {
 public:
  explicit WriteTransaction(Connection& conn, KeptRows kept = KeptRows::kMayChange);
  ~WriteTransaction();
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;
  void Commit();

 private:
  Connection& conn_;
  bool open_ = true;
  // SQLite with KeptRows::kUntouched: the data version once the write lock was taken.
  std::optional<uint32_t> version_at_begin_;
};

}  // namespace rogatory::store_internal

#endif  // ROGATORY_ADAPTERS_STORE_SQL_STORE_IMPL_H_
