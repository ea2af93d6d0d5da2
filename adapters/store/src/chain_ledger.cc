#include "chain_ledger.h"

#include <random>

#include "rogatory/history.h"

namespace rogatory::store_internal {
namespace {

constexpr uint64_t kPrime = (uint64_t{1} << 61) - 1;

uint64_t Reduce(uint64_t x) {
  uint64_t r = (x & kPrime) + (x >> 61);
  return r >= kPrime ? r - kPrime : r;
}

void AppendWord(std::string* out, uint64_t v) {
  char bytes[8];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  out->append(bytes, sizeof bytes);
}

}  // namespace

ChainLedger::Keys ChainLedger::DrawKeys() {
  std::random_device source;  // getrandom(2) on Linux
  auto word = [&source] {
    return (static_cast<uint64_t>(source()) << 32) | static_cast<uint64_t>(source());
  };
  Keys keys;
  keys.key.k0 = word();
  keys.key.k1 = word();
  return keys;
}

void ChainLedger::AddRequest(std::string_view id, int64_t revision, std::string_view head_hash) {
  if (revision < 1) impossible_ = true;
  Term(id, 0, kGenesisHash, true);
  Term(id, revision, head_hash, false);
}

void ChainLedger::AddEntry(std::string_view request_id, int64_t seq, std::string_view prev_hash,
                           std::string_view hash) {
  Term(request_id, seq, hash, true);
  // seq - 1 without overflow, whatever a tampered row holds
  Term(request_id, static_cast<int64_t>(static_cast<uint64_t>(seq) - 1), prev_hash, false);
}

void ChainLedger::AddLastRow(std::string_view id, int64_t revision, int64_t last_rowid) {
  RowTerm(id, 0, 0, true);
  RowTerm(id, revision, last_rowid, false);
}

void ChainLedger::AddRowLink(std::string_view request_id, int64_t seq, int64_t rowid,
                             int64_t prev_rowid) {
  RowTerm(request_id, seq, rowid, true);
  RowTerm(request_id, static_cast<int64_t>(static_cast<uint64_t>(seq) - 1), prev_rowid, false);
}

void ChainLedger::Merge(const ChainLedger& other) {
  for (int lane = 0; lane < 2; ++lane) sum_[lane] = Reduce(sum_[lane] + other.sum_[lane]);
  impossible_ = impossible_ || other.impossible_;
}

// A term is its id (length first, so no two terms share bytes), its seq and its hash.
void ChainLedger::Term(std::string_view id, int64_t seq, std::string_view hash, bool made) {
  buffer_.clear();
  AppendWord(&buffer_, id.size());
  buffer_.append(id);
  AppendWord(&buffer_, static_cast<uint64_t>(seq));
  buffer_.append(hash);
  Add(made);
}

// A link term starts with a word no id length can be, so it shares no bytes with a chain term.
void ChainLedger::RowTerm(std::string_view id, int64_t seq, int64_t rowid, bool made) {
  buffer_.clear();
  AppendWord(&buffer_, ~uint64_t{0});
  AppendWord(&buffer_, id.size());
  buffer_.append(id);
  AppendWord(&buffer_, static_cast<uint64_t>(seq));
  AppendWord(&buffer_, static_cast<uint64_t>(rowid));
  Add(made);
}

void ChainLedger::Add(bool made) {
  const SipHash128 h = SipHash24Wide(keys_.key, buffer_.data(), buffer_.size());
  const uint64_t lanes[2] = {Reduce(h.first), Reduce(h.second)};
  for (int lane = 0; lane < 2; ++lane) {
    sum_[lane] = Reduce(sum_[lane] + (made ? lanes[lane] : kPrime - lanes[lane]));
  }
}

}  // namespace rogatory::store_internal
