// The history the memory store keeps, packed into an arena it owns: about 130 bytes a step where
// the HistoryEntry the engine hands over takes about 610 (nine strings, the id and both hashes on
// the heap, an empty JSON object's map), with nothing of the step's own allocations kept.
#ifndef ROGATORY_ENGINE_SRC_KEPT_HISTORY_H_
#define ROGATORY_ENGINE_SRC_KEPT_HISTORY_H_

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

#include "rogatory/history.h"
#include "rogatory/request.h"

namespace rogatory {

// Bytes that live as long as the arena: blocks handed out one after the other, never freed
// one by one (a store keeps every history entry it was given for its whole life). Not
// thread-safe: the memory store calls it under its lock.
class HistoryArena {
 public:
  // `n` bytes, valid until the arena is destroyed.
  char* Allocate(size_t n);

 private:
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* next_ = nullptr;
  size_t left_ = 0;
};

// One request's history entries, oldest first, packed into a HistoryArena. Not thread-safe, as
// the arena. Each text field is kept with a 32-bit length: none may reach 4 GiB (a request's
// body is limited far below that).
class KeptHistory {
 public:
  // Appends `e`, with `data` as its data (the caller moves it in when it may, or copies it);
  // `request_id` is the id of the request it is kept under. Gives back exactly `e` later, even
  // an entry whose id or previous hash is not the one expected.
  void Append(const HistoryEntry& e, nlohmann::json data, std::string_view request_id,
              HistoryArena* arena);
  // Every entry as it was appended, for the request `request_id` (the id given to Append).
  std::vector<HistoryEntry> Entries(std::string_view request_id) const;
  size_t size() const { return entries_.size(); }

 private:
  struct Kept {
    const char* packed;   // seq, at, flags, then the text fields with their lengths
    nlohmann::json data;  // null when the entry's data was an empty object (flag kEmptyData)
  };
  std::vector<Kept> entries_;
  // The newest entry's hash (in the arena), which the next entry's prev_hash usually repeats;
  // before the first entry, the genesis hash a first entry's prev_hash is.
  std::string_view last_hash_ = kGenesisHash;
};

}  // namespace rogatory

#endif  // ROGATORY_ENGINE_SRC_KEPT_HISTORY_H_
