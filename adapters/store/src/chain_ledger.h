// The audit's one-pass check of every hash chain at once, with the rows in any order.
//
// Each request's chain is intact exactly when, as multisets over (request id, seq, hash),
//   {(id, 0, genesis)} + {(id, e.seq, e.hash) : e an entry}
//     == {(id, e.seq - 1, e.prev_hash) : e an entry} + {(id, revision, head hash)}
// and each entry's hash recomputes from its content. (Count the terms at each seq: one
// genesis at 0 forces exactly one entry at each seq 1..revision and none elsewhere; then at
// each seq the one hash made is the one the next entry links to, and the last is the head.)
// The ledger keeps the difference of the two sides as sums of a keyed hash of each term
// (SipHash-2-4, 128-bit output), in two lanes modulo the prime 2^61 - 1, one per half of the
// output: a difference that is not empty sums to zero with probability about 2^-122 under a key
// drawn after the rows were written. Memory is constant,
// so one sequential read of the history table can check a store of any size.
#ifndef ROGATORY_ADAPTERS_STORE_CHAIN_LEDGER_H_
#define ROGATORY_ADAPTERS_STORE_CHAIN_LEDGER_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "siphash.h"

namespace rogatory::store_internal {

class ChainLedger {
 public:
  // The key of the keyed hash (whose 128-bit output gives both lanes); every ledger of one
  // check must share it.
  struct Keys {
    SipKey key;
  };
  // Fresh keys from the operating system's random source.
  static Keys DrawKeys();

  explicit ChainLedger(const Keys& keys) : keys_(keys) {}

  // A request row: its chain starts at the genesis hash and must end at `head_hash`, seq
  // `revision`. A revision below 1 never balances (every request has its creation entry).
  void AddRequest(std::string_view id, int64_t revision, std::string_view head_hash);
  // A history row (its own hash checked elsewhere): it links `prev_hash` at seq - 1 to `hash`
  // at seq.
  void AddEntry(std::string_view request_id, int64_t seq, std::string_view prev_hash,
                std::string_view hash);
  // The links the reads walk (SQLite, schema 12): each request row names its last history row
  // and each row the one before it. The same argument as for the hashes, with rowids (unique
  // per row) in their place: as multisets over (request id, seq, rowid),
  //   {(id, 0, 0)} + {(e.request_id, e.seq, e.rowid)}
  //     == {(e.request_id, e.seq - 1, e.prev_rowid)} + {(id, revision, last rowid)}
  // holds exactly when the walk from each request's last row back through the links meets its
  // rows at seq revision, ..., 1, then 0 (no row), and every row is met by its own request.
  void AddLastRow(std::string_view id, int64_t revision, int64_t last_rowid);
  // A history row's place in those links.
  void AddRowLink(std::string_view request_id, int64_t seq, int64_t rowid, int64_t prev_rowid);
  // Adds another ledger's terms (kept under the same keys) to this one.
  void Merge(const ChainLedger& other);
  // True when every chain added closes, as the comment above says.
  bool Balanced() const { return !impossible_ && sum_[0] == 0 && sum_[1] == 0; }

 private:
  void Term(std::string_view id, int64_t seq, std::string_view hash, bool made);
  void RowTerm(std::string_view id, int64_t seq, int64_t rowid, bool made);
  void Add(bool made);  // the term in buffer_, to the side `made` says

  Keys keys_;
  uint64_t sum_[2] = {0, 0};  // each modulo 2^61 - 1
  std::string buffer_;        // a term's bytes, capacity reused
  bool impossible_ = false;   // a request at a revision below 1 was added
};

}  // namespace rogatory::store_internal

#endif  // ROGATORY_ADAPTERS_STORE_CHAIN_LEDGER_H_
