// The canonical encoding hashed for each history entry: every field as <length>:<bytes>, so
// no two different entries encode alike. Timestamps are integers (unix microseconds) and data
// is nlohmann's compact dump with sorted keys, both stable across stores.
#include "rogatory/history.h"

#include <charconv>
#include <string>

#include "sha256.h"

namespace rogatory {

const char kGenesisHash[] = "0000000000000000000000000000000000000000000000000000000000000000";

namespace {

// Decimal digits of `v` into `out` (no allocation: std::to_string's temporaries cost as
// much as the rest of the encoding).
void AppendDecimal(std::string* out, int64_t v) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, v).ptr;
  out->append(digits, static_cast<size_t>(end - digits));
}

void Append(std::string* out, std::string_view field) {
  AppendDecimal(out, static_cast<int64_t>(field.size()));
  out->push_back(':');
  out->append(field);
}

// A number field: <length>:<decimal>.
void AppendNumber(std::string* out, int64_t v) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, v).ptr;
  Append(out, std::string_view(digits, static_cast<size_t>(end - digits)));
}

// The canonical encoding of `e` with `data_dump` as its data, into the thread's buffer: the
// one encoder behind both ComputeHistoryHash and StoredHistoryHashMatches.
const std::string& Encode(const StoredHistoryEntry& e, std::string_view data_dump) {
  // One buffer per thread, reused: its capacity outlives the call.
  thread_local std::string buf;
  buf.clear();
  Append(&buf, e.prev_hash);
  Append(&buf, e.request_id);
  AppendNumber(&buf, e.seq);
  Append(&buf, e.event);
  Append(&buf, e.from_state);
  Append(&buf, e.to_state);
  Append(&buf, e.actor);
  AppendNumber(&buf, e.at_us);
  Append(&buf, data_dump);
  Append(&buf, e.comment);
  // CONTRACT §8: the actor's authority, appended only when there is one, so every entry
  // written before authorities existed (and every entry of a deployment without them) keeps
  // its hash, while an entry with an authority encodes differently from one without.
  if (!e.authority.empty()) Append(&buf, e.authority);
  return buf;
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
