#include "audit_one_pass.h"

#include <atomic>
#include <memory>
#include <vector>

#include "chain_ledger.h"
#include "stored_data_dump.h"

namespace rogatory::store_internal {
namespace {

// What the check of one part of the history found.
struct PartTally {
  explicit PartTally(const ChainLedger::Keys& keys) : ledger(keys) {}
  ChainLedger ledger;
  StoredDataDump dump;
  int64_t entries = 0;
};

}  // namespace

std::optional<AuditReport> AuditInOnePass(HistoryRangeReader& store, int workers) {
  const ChainLedger::Keys keys = ChainLedger::DrawKeys();
  ChainLedger heads(keys);
  AuditReport report;
  report.one_pass = true;
  std::atomic<bool> failed{false};
  std::vector<std::unique_ptr<PartTally>> parts;
  for (int i = 0; i < workers; ++i) parts.push_back(std::make_unique<PartTally>(keys));

  Status read = store.ScanAll(
      workers,
      [&](const RequestHead& r) {
        heads.AddRequest(r.id, r.revision, r.head_hash);
        heads.AddLastRow(r.id, r.revision, r.last_rowid);
        ++report.requests;
      },
      [&](int part, const StoredHistoryEntry& e) {
        if (failed.load(std::memory_order_relaxed)) return;
        PartTally& tally = *parts[static_cast<size_t>(part)];
        if (!tally.dump.HashMatches(e)) {
          failed.store(true, std::memory_order_relaxed);
          return;
        }
        tally.ledger.AddEntry(e.request_id, e.seq, e.prev_hash, e.hash);
        tally.ledger.AddRowLink(e.request_id, e.seq, e.rowid, e.prev_rowid);
        ++tally.entries;
      });
  // A store that does not scan, or that the one pass cannot read (or will not: a key of another
  // storage class), is walked page by page, which reports what it cannot read itself.
  if (!read.ok() || failed.load()) return std::nullopt;
  for (const std::unique_ptr<PartTally>& tally : parts) {
    heads.Merge(tally->ledger);
    report.entries += tally->entries;
    report.data_redumped += tally->dump.redumped();
  }
  if (!heads.Balanced()) return std::nullopt;
  return report;
}

}  // namespace rogatory::store_internal
