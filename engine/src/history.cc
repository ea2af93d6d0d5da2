// The canonical encoding hashed for each history entry: every field as <length>:<bytes>, so
// no two different entries encode alike. Timestamps are integers (unix microseconds) and data
// is nlohmann's compact dump with sorted keys, both stable across stores.
#include "rogatory/history.h"

#include <charconv>
#include <cstring>
#include <string>
#include <string_view>

#include "sha256.h"

namespace rogatory {

const char kGenesisHash[] = "0000000000000000000000000000000000000000000000000000000000000000";

namespace {

// The longest decimal of an int64_t, sign included.
constexpr size_t kMaxDecimal = 20;

// Writes <length>:<bytes> of `field` at `p`; returns the end. The caller has made room.
char* Put(char* p, std::string_view field) {
  p = std::to_chars(p, p + kMaxDecimal, field.size()).ptr;
  *p++ = ':';
  if (!field.empty()) std::memcpy(p, field.data(), field.size());
  return p + field.size();
}

// A number field: <length>:<decimal>.
char* PutNumber(char* p, int64_t v) {
  char digits[kMaxDecimal];
  const auto end = std::to_chars(digits, digits + sizeof digits, v).ptr;
  return Put(p, std::string_view(digits, static_cast<size_t>(end - digits)));
}

// The canonical encoding of `e` with `data_dump` as its data, in the thread's buffer (valid
// until the thread's next call): the one encoder behind both ComputeHistoryHash and
// StoredHistoryHashMatches. The fields are written straight into a buffer sized once for the
// longest they can take: a std::string append per field cost as much as the hash's own work.
std::string_view Encode(const StoredHistoryEntry& e, std::string_view data_dump) {
  // One buffer per thread, reused: it only grows, and is never shrunk to the encoding.
  thread_local std::string buf;
  const std::string_view texts[] = {e.prev_hash, e.request_id, e.event,   e.from_state, e.to_state,
                                    e.actor,     data_dump,    e.comment, e.authority};
  size_t room = 2 * (2 * kMaxDecimal + 1);  // seq and at_us
  for (std::string_view t : texts) room += kMaxDecimal + 1 + t.size();
  if (buf.size() < room) buf.resize(room);
  char* const begin = buf.data();
  char* p = begin;
  p = Put(p, e.prev_hash);
  p = Put(p, e.request_id);
  p = PutNumber(p, e.seq);
  p = Put(p, e.event);
  p = Put(p, e.from_state);
  p = Put(p, e.to_state);
  p = Put(p, e.actor);
  p = PutNumber(p, e.at_us);
  p = Put(p, data_dump);
  p = Put(p, e.comment);
  // CONTRACT §8: the actor's authority, appended only when there is one, so every entry
  // written before authorities existed (and every entry of a deployment without them) keeps
  // its hash, while an entry with an authority encodes differently from one without.
  if (!e.authority.empty()) p = Put(p, e.authority);
  return std::string_view(begin, static_cast<size_t>(p - begin));
}

}  // namespace

std::string ComputeHistoryHash(const HistoryEntry& e) {
  StoredHistoryEntry view;
  view.request_id = e.request_id;
  view.seq = e.seq;
  view.event = e.event;
  view.from_state = e.from_state;
  view.to_state = e.to_state;
  view.actor = e.actor;
  view.at_us = ToUnixMicros(e.at);
  view.comment = e.comment;
  view.prev_hash = e.prev_hash;
  view.authority = e.authority;
  if (e.data.is_object() && e.data.empty()) return Sha256Hex(Encode(view, "{}"));
  return Sha256Hex(Encode(view, e.data.dump()));
}

bool StoredHistoryHashMatches(const StoredHistoryEntry& e, std::string_view data_dump) {
  char hex[kSha256HexLength];
  Sha256HexTo(Encode(e, data_dump), hex);
  return e.hash == std::string_view(hex, sizeof hex);
}

Status VerifyHistoryChain(const std::vector<HistoryEntry>& entries) {
  std::string prev = kGenesisHash;
  for (size_t i = 0; i < entries.size(); ++i) {
    const HistoryEntry& e = entries[i];
    // Built only for a broken link: the audit verifies millions of entries that hold.
    auto where = [&e] {
      return "request " + e.request_id + " history seq " + std::to_string(e.seq);
    };
    if (e.seq != static_cast<int64_t>(i) + 1) {
      return InternalError(where() + ": expected seq " + std::to_string(i + 1) +
                           " (an entry is missing or out of order)");
    }
    if (e.prev_hash != prev) {
      return InternalError(where() + ": prev_hash does not match the previous entry's hash");
    }
    if (ComputeHistoryHash(e) != e.hash) {
      return InternalError(where() + ": hash does not match the entry's content (tampered)");
    }
    prev = e.hash;
  }
  return OkStatus();
}

}  // namespace rogatory
