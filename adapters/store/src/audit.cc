// The audit walks the Store port only, so it checks any store the same way.
#include "rogatory/audit.h"

#include <vector>

#include "rogatory/history.h"

namespace rogatory {
namespace {

// The first entry at which `entries` stops verifying, found by VerifyHistoryChain itself on
// ever longer prefixes (only on the failure path), so the audit and the engine agree exactly.
int64_t FirstBrokenSeq(const std::vector<HistoryEntry>& entries) {
  std::vector<HistoryEntry> prefix;
  for (const HistoryEntry& e : entries) {
    prefix.push_back(e);
    if (!VerifyHistoryChain(prefix).ok()) return static_cast<int64_t>(prefix.size());
  }
  return static_cast<int64_t>(entries.size());
}

std::optional<BrokenLink> CheckRequest(const Request& r, const std::vector<HistoryEntry>& h) {
  if (h.empty()) return BrokenLink{r.id, 1, "request " + r.id + " has no history"};
  Status chain = VerifyHistoryChain(h);
  if (!chain.ok()) return BrokenLink{r.id, FirstBrokenSeq(h), chain.message()};
  const HistoryEntry& last = h.back();
  if (r.revision != last.seq || r.head_hash != last.hash) {
    return BrokenLink{r.id, r.revision,
                      "request " + r.id + " is at revision " + std::to_string(r.revision) +
                          " but its history ends at seq " + std::to_string(last.seq) +
                          (r.head_hash != last.hash ? " (head hash differs)" : "")};
  }
  return std::nullopt;
}

}  // namespace

Result<AuditReport> AuditHistories(Store& store) {
  AuditReport report;
  auto* ranges = dynamic_cast<HistoryRangeReader*>(&store);
  RequestQuery q;
  q.limit = 500;
  std::vector<HistoryEntry> history;
  for (;;) {
    ROGATORY_ASSIGN_OR_RETURN(RequestPage page, store.ListRequests(q));
    std::vector<HistoryEntry> entries;
    if (ranges != nullptr && !page.items.empty()) {
      // One ordered range read for the page: entries of request ids between the page's first
      // and last, in (request id, seq) order, split below request by request.
      ROGATORY_ASSIGN_OR_RETURN(
          entries, ranges->GetHistoryRange(page.items.front().id, page.items.back().id));
    }
    size_t next = 0;
    for (const Request& r : page.items) {
      if (ranges != nullptr) {
        history.clear();
        // Rows of an id with no request row (none should exist) are not any request's history.
        while (next < entries.size() && entries[next].request_id < r.id) ++next;
        while (next < entries.size() && entries[next].request_id == r.id) {
          history.push_back(std::move(entries[next++]));
        }
      } else {
        ROGATORY_ASSIGN_OR_RETURN(history, store.GetHistory(r.id));
      }
      ++report.requests;
      report.entries += static_cast<int64_t>(history.size());
      report.broken = CheckRequest(r, history);
      if (report.broken) return report;
    }
    if (page.next.empty()) return report;
    q.after = page.next;
  }
}

}  // namespace rogatory
