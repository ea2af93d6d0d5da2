// The audit walks the Store port only, so it checks any store the same way.
#include "rogatory/audit.h"

#include <algorithm>
#include <deque>
#include <future>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "audit_one_pass.h"
#include "rogatory/canonical_json.h"
#include "rogatory/history.h"
#include "stored_data_dump.h"

namespace rogatory {
namespace {

// One page of the walk: the heads of up to 500 requests, in id order.
using HeadPage = std::vector<RequestHead>;
constexpr int kPageSize = 500;

// The next page after `after` (empty: the first) and whether it is the last: from the range
// reader's head listing (no row decoded), else from the store's request list.
Result<HeadPage> ListHeads(Store& store, HistoryRangeReader* ranges, const RequestId& after,
                           bool* last) {
  if (ranges != nullptr) {
    ROGATORY_ASSIGN_OR_RETURN(HeadPage heads, ranges->ListRequestHeads(after, kPageSize));
    *last = static_cast<int>(heads.size()) < kPageSize;
    return heads;
  }
  RequestQuery q;
  q.limit = kPageSize;
  q.after = after;
  ROGATORY_ASSIGN_OR_RETURN(RequestPage page, store.ListRequests(q));
  *last = page.next.empty();
  HeadPage heads;
  heads.reserve(page.items.size());
  for (Request& r : page.items) {
    heads.push_back(RequestHead{std::move(r.id), r.revision, std::move(r.head_hash), 0});
  }
  return heads;
}

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

std::optional<BrokenLink> CheckRequest(const RequestHead& r, const std::vector<HistoryEntry>& h) {
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

// The decoded check of one page, entry by entry as HistoryEntry values (the reference the
// undecoded check must agree with). Adds the requests and entries it checked to `report` and
// stops at the first broken link (set in `report`).
Status CheckPageDecoded(Store& store, HistoryRangeReader* ranges, const HeadPage& page,
                        AuditReport* report) {
  std::vector<HistoryEntry> entries;
  if (ranges != nullptr && !page.empty()) {
    // One ordered range read for the page: entries of request ids between the page's first
    // and last, in (request id, seq) order, split below request by request.
    ROGATORY_ASSIGN_OR_RETURN(entries, ranges->GetHistoryRange(page.front().id, page.back().id));
  }
  std::vector<HistoryEntry> history;
  size_t next = 0;
  for (const RequestHead& r : page) {
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
    ++report->requests;
    report->entries += static_cast<int64_t>(history.size());
    report->broken = CheckRequest(r, history);
    if (report->broken) return OkStatus();
  }
  return OkStatus();
}

// The undecoded check of one page: walks the stored rows once, keeping only the current
// request's chain state (its entry count, the previous hash), and hashes each entry's data text
// as stored when it is canonical. `intact` stays true only when every request of the page
// verifies exactly as CheckRequest would let it; anything else (a broken link, a data text
// that does not parse) sets it false without saying why: the caller re-checks the page decoded
// for the exact report.
class UndecodedPageCheck {
 public:
  explicit UndecodedPageCheck(const HeadPage& requests) : requests_(requests) {}

  void Visit(const StoredHistoryEntry& e) {
    if (!intact_) return;
    while (next_ < requests_.size() && requests_[next_].id < e.request_id) FinishRequest();
    if (next_ == requests_.size() || e.request_id < requests_[next_].id) {
      // A row of an id with no request row belongs to no history, but the decoded read would
      // still fail on its data if that does not parse.
      if (dump_.Of(e.data) == nullptr) intact_ = false;
      return;
    }
    ++count_;
    ++entries_;
    if (e.seq != count_ || e.prev_hash != prev_hash_) {
      intact_ = false;
      return;
    }
    if (!dump_.HashMatches(e)) {
      intact_ = false;
      return;
    }
    prev_hash_.assign(e.hash);
  }

  // Call after the last row: true when the whole page verified.
  bool Intact() {
    while (intact_ && next_ < requests_.size()) FinishRequest();
    return intact_;
  }
  int64_t entries() const { return entries_; }
  int64_t redumped() const { return dump_.redumped(); }

 private:
  // The request at next_ has no more rows: it verifies when it had some and its row agrees
  // with its last entry.
  void FinishRequest() {
    const RequestHead& r = requests_[next_];
    if (count_ == 0 || r.revision != count_ || r.head_hash != prev_hash_) intact_ = false;
    ++next_;
    count_ = 0;
    prev_hash_.assign(kGenesisHash);
  }

  const HeadPage& requests_;
  size_t next_ = 0;                       // the request whose rows come now
  int64_t count_ = 0;                     // its rows so far
  std::string prev_hash_ = kGenesisHash;  // its last row's hash (capacity reused)
  int64_t entries_ = 0;
  bool intact_ = true;
  store_internal::StoredDataDump dump_;
};

// Brackets the walk with the range reader's BeginFullScan and EndFullScan.
class FullScan {
 public:
  explicit FullScan(HistoryRangeReader* ranges) : ranges_(ranges) {
    if (ranges_ != nullptr) ranges_->BeginFullScan();
  }
  ~FullScan() {
    if (ranges_ != nullptr) ranges_->EndFullScan();
  }
  FullScan(const FullScan&) = delete;
  FullScan& operator=(const FullScan&) = delete;

 private:
  HistoryRangeReader* ranges_;
};

// What the undecoded check of one page found: intact (with its counts) or not (re-check it).
struct PageVerdict {
  bool intact = false;
  int64_t entries = 0;
  int64_t redumped = 0;
};

Result<PageVerdict> CheckPageUndecoded(HistoryRangeReader& ranges, const HeadPage& page) {
  UndecodedPageCheck check(page);
  ROGATORY_RETURN_IF_ERROR(ranges.VisitHistoryRange(
      page.front().id, page.back().id, [&check](const StoredHistoryEntry& e) { check.Visit(e); }));
  PageVerdict verdict;
  verdict.intact = check.Intact();
  verdict.entries = check.entries();
  verdict.redumped = check.redumped();
  return verdict;
}

// A listed page and, on a range reader, its undecoded check under way.
struct InFlightPage {
  std::shared_ptr<const HeadPage> page;
  std::future<Result<PageVerdict>> check;
};

}  // namespace

Status HistoryRangeReader::ScanAll(int, const std::function<void(const RequestHead&)>&,
                                   const std::function<void(int, const StoredHistoryEntry&)>&) {
  return InternalError("store: this store does not scan its tables in one pass");
}

Result<std::optional<BrokenLink>> HistoryRangeReader::FindEntryOutsideEveryHistory() {
  return std::optional<BrokenLink>();
}

Result<AuditReport> AuditHistories(Store& store, const AuditOptions& options) {
  AuditReport report;
  auto* ranges = dynamic_cast<HistoryRangeReader*>(&store);
  FullScan scan(ranges);
  int workers =
      options.workers > 0 ? options.workers : static_cast<int>(std::thread::hardware_concurrency());
  workers = std::clamp(workers, 1, 64);
  if (ranges != nullptr) {
    std::optional<AuditReport> whole = store_internal::AuditInOnePass(*ranges, workers);
    if (whole) return *std::move(whole);
  }
  // Pages in id order, each with its undecoded check running on a thread of its own (none
  // without a range reader), at most `workers` at once. The front page is judged first, so the
  // report is the one a walk page by page gives. While the checks run, the calling thread lists
  // the page after them.
  RequestId listed_after;  // the last id listed so far
  std::deque<InFlightPage> window;
  std::shared_ptr<const HeadPage> listed;  // listed, its check not started yet
  bool listed_all = false;
  Status list_error;  // a listing that failed: reported once the pages before it verified
  auto list_next = [&] {
    Result<HeadPage> page = ListHeads(store, ranges, listed_after, &listed_all);
    if (!page.ok()) {
      list_error = page.status();
      listed_all = true;
      return;
    }
    if (page->empty()) {  // nothing after the last page: no page to check
      listed_all = true;
      return;
    }
    listed_after = page->back().id;
    listed = std::make_shared<const HeadPage>(std::move(page).value());
  };
  list_next();
  while (listed != nullptr || !window.empty()) {
    while (listed != nullptr && static_cast<int>(window.size()) < workers) {
      InFlightPage in_flight{listed, {}};
      if (ranges != nullptr && !listed->empty()) {
        in_flight.check = std::async(std::launch::async, [ranges, page = listed] {
          return CheckPageUndecoded(*ranges, *page);
        });
      }
      window.push_back(std::move(in_flight));
      listed = nullptr;
      if (!listed_all) list_next();
    }
    InFlightPage front = std::move(window.front());
    window.pop_front();
    bool verified = false;
    if (front.check.valid()) {
      Result<PageVerdict> verdict = front.check.get();
      if (!verdict.ok()) return verdict.status();
      if (verdict->intact) {
        report.requests += static_cast<int64_t>(front.page->size());
        report.entries += verdict->entries;
        report.data_redumped += verdict->redumped;
        verified = true;
      }
    }
    if (!verified) {
      if (ranges != nullptr) ++report.pages_decoded;
      ROGATORY_RETURN_IF_ERROR(CheckPageDecoded(store, ranges, *front.page, &report));
      if (report.broken) return report;
    }
  }
  if (!list_error.ok()) return list_error;
  if (ranges != nullptr) {
    // Every request's history verified; a row outside all of them is still not what was
    // written (the one pass counts it, the walk by request does not meet it).
    ROGATORY_ASSIGN_OR_RETURN(report.broken, ranges->FindEntryOutsideEveryHistory());
  }
  return report;
}

}  // namespace rogatory
