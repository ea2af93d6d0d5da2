#include "kept_history.h"

#include <cassert>
#include <cstdint>
#include <cstring>

namespace rogatory {
namespace {

constexpr size_t kBlockSize = 64 * 1024;

// Flags of a packed entry.
constexpr uint8_t kSameId = 1;     // request_id is the id it is kept under (not packed)
constexpr uint8_t kChained = 2;    // prev_hash is the hash of the entry before (not packed)
constexpr uint8_t kEmptyData = 4;  // data was an empty object (kept as null)

constexpr size_t kHeader = sizeof(int64_t) * 2 + 1;  // seq, at, flags

size_t FieldSize(std::string_view s) { return sizeof(uint32_t) + s.size(); }

char* PutField(char* p, std::string_view s) {
  assert(s.size() <= UINT32_MAX);
  const auto n = static_cast<uint32_t>(s.size());
  std::memcpy(p, &n, sizeof n);
  std::memcpy(p + sizeof n, s.data(), s.size());
  return p + sizeof n + s.size();
}

std::string_view GetField(const char** p) {
  uint32_t n = 0;
  std::memcpy(&n, *p, sizeof n);
  std::string_view s(*p + sizeof n, n);
  *p += sizeof n + n;
  return s;
}

// A block of `n` bytes left uninitialised (make_unique<char[]> would zero it: a second pass
// over memory every byte of which is written once anyway).
std::unique_ptr<char[]> NewBlock(size_t n) { return std::unique_ptr<char[]>(new char[n]); }

}  // namespace

char* HistoryArena::Allocate(size_t n) {
  if (n > kBlockSize / 4) {
    // A large entry (a long comment) gets a block of its own; the current one stays open.
    blocks_.push_back(NewBlock(n));
    return blocks_.back().get();
  }
  if (n > left_) {
    blocks_.push_back(NewBlock(kBlockSize));
    next_ = blocks_.back().get();
    left_ = kBlockSize;
  }
  char* p = next_;
  next_ += n;
  left_ -= n;
  return p;
}

void KeptHistory::Append(const HistoryEntry& e, nlohmann::json data, std::string_view request_id,
                         HistoryArena* arena) {
  uint8_t flags = 0;
  if (e.request_id == request_id) flags |= kSameId;
  if (e.prev_hash == last_hash_) flags |= kChained;
  if (data.is_object() && data.empty()) flags |= kEmptyData;
  size_t size = kHeader + FieldSize(e.event) + FieldSize(e.from_state) + FieldSize(e.to_state) +
                FieldSize(e.actor) + FieldSize(e.comment) + FieldSize(e.hash) +
                FieldSize(e.authority);
  if (!(flags & kSameId)) size += FieldSize(e.request_id);
  if (!(flags & kChained)) size += FieldSize(e.prev_hash);
  char* const packed = arena->Allocate(size);
  char* p = packed;
  const int64_t seq = e.seq;
  const int64_t at = e.at.time_since_epoch().count();
  std::memcpy(p, &seq, sizeof seq);
  std::memcpy(p + sizeof seq, &at, sizeof at);
  p[sizeof seq + sizeof at] = static_cast<char>(flags);
  p += kHeader;
  if (!(flags & kSameId)) p = PutField(p, e.request_id);
  p = PutField(p, e.event);
  p = PutField(p, e.from_state);
  p = PutField(p, e.to_state);
  p = PutField(p, e.actor);
  p = PutField(p, e.comment);
  if (!(flags & kChained)) p = PutField(p, e.prev_hash);
  const char* hash = p + sizeof(uint32_t);
  p = PutField(p, e.hash);
  PutField(p, e.authority);
  last_hash_ = std::string_view(hash, e.hash.size());
  entries_.push_back(Kept{packed, (flags & kEmptyData) ? nlohmann::json() : std::move(data)});
}

std::vector<HistoryEntry> KeptHistory::Entries(std::string_view request_id) const {
  std::vector<HistoryEntry> out;
  out.reserve(entries_.size());
  std::string_view prev_hash = kGenesisHash;  // as Append compared the first entry's
  for (const Kept& k : entries_) {
    const char* p = k.packed;
    int64_t seq = 0, at = 0;
    std::memcpy(&seq, p, sizeof seq);
    std::memcpy(&at, p + sizeof seq, sizeof at);
    const auto flags = static_cast<uint8_t>(p[sizeof seq + sizeof at]);
    p += kHeader;
    HistoryEntry& e = out.emplace_back();
    e.request_id = (flags & kSameId) ? request_id : GetField(&p);
    e.seq = seq;
    e.event = GetField(&p);
    e.from_state = GetField(&p);
    e.to_state = GetField(&p);
    e.actor = GetField(&p);
    e.at = TimePoint(Duration(at));
    e.comment = GetField(&p);
    e.prev_hash = (flags & kChained) ? prev_hash : GetField(&p);
    prev_hash = GetField(&p);
    e.hash = prev_hash;
    e.authority = GetField(&p);
    e.data = (flags & kEmptyData) ? nlohmann::json::object() : k.data;
  }
  return out;
}

}  // namespace rogatory
