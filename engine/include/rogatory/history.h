// The hash chain that makes a request's history tamper-evident: each entry's SHA-256 covers
// the previous entry's hash and every field of its own.
#ifndef ROGATORY_HISTORY_H_
#define ROGATORY_HISTORY_H_

#include <string>
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

// Checks a request's whole history, oldest first: seq runs 1..n without gaps, each prev_hash
// equals the previous hash (the first the genesis hash) and each hash recomputes.
// DataLoss-like failures come back as Internal naming the request id and the first broken seq.
Status VerifyHistoryChain(const std::vector<HistoryEntry>& entries);

}  // namespace rogatory

#endif  // ROGATORY_HISTORY_H_
