// The hash chain that makes a request's history tamper-evident: each entry's SHA-256 covers
// the previous entry's hash and every field of its own.
#ifndef ROGATORY_HISTORY_H_
#define ROGATORY_HISTORY_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rogatory/request.h"
#include "rogatory/status.h"

namespace rogatory {

// The prev_hash of every request's first entry: 64 zeros.
extern const char kGenesisHash[];

// Lowercase hex SHA-256 of `entry`'s canonical encoding: each field as <decimal byte length>
// ":" <bytes>, in this order: prev_hash, request_id, seq (decimal), event, from_state,
// to_state, actor, at (unix microseconds, decimal), data (compact JSON, sorted keys; "{}" when
// empty), comment, and then authority only when it is not empty. `hash` itself is not
// covered. docs/api.md ("The history hash chain") spells it out for independent checkers.
std::string ComputeHistoryHash(const HistoryEntry& entry);

// A history entry as a store keeps it, every field a view of the stored row (valid while the
// row is) and `data` the stored JSON text: what the audit checks without decoding the row.
struct StoredHistoryEntry {
  std::string_view request_id;
  int64_t seq = 0;
  std::string_view event, from_state, to_state, actor;
  int64_t at_us = 0;  // unix microseconds
  std::string_view data, comment, prev_hash, hash, authority;
  // Where the store numbers its rows (SQLite), the row's number and that of the row before it
  // in its request's history (0: none).
  int64_t rowid = 0, prev_rowid = 0;
};

// Whether `entry.hash` is the hash ComputeHistoryHash gives the decoded entry, given
// `data_dump`, the canonical dump of the entry's data (its stored text when
// IsCanonicalJsonText says so, otherwise the text parsed and dumped again). Allocates nothing
// once the thread's buffer has grown.
bool StoredHistoryHashMatches(const StoredHistoryEntry& entry, std::string_view data_dump);

// Checks a request's whole history, oldest first: seq runs 1..n without gaps, each prev_hash
// equals the previous hash (the first the genesis hash) and each hash recomputes.
// DataLoss-like failures come back as Internal naming the request id and the first broken seq.
Status VerifyHistoryChain(const std::vector<HistoryEntry>& entries);

}  // namespace rogatory

#endif  // ROGATORY_HISTORY_H_
