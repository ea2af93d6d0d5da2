// The history the memory store keeps, packed: each entry's text copied into an arena the store
// owns, its request id and previous hash left out where they repeat what the request and the
// entry before already say. A HistoryEntry as the engine hands it over holds nine strings (the
// two hashes and the id on the heap) and an empty JSON object (a map on the heap): about 610 bytes
// per step in a deque, against about 200 here. Keeping none of the step's own allocations also
// lets the engine's next step reuse them, warm, instead of taking fresh pages every time.
#ifndef ROGATORY_ENGINE_SRC_KEPT_HISTORY_H_
#define ROGATORY_ENGINE_SRC_KEPT_HISTORY_H_

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

#include "rogatory/request.h"

namespace rogatory {

// Bytes that live as long as the arena: blocks handed out one after the other, never freed
// one by one (a store keeps every history entry it was given for its whole life).
class HistoryArena {
 public:
  // `n` bytes, valid until the arena is destroyed.
  char* Allocate(size_t n);

 private:
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* next_ = nullptr;
  size_t left_ = 0;
};

// One request's history entries, oldest first, packed into a HistoryArena.
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
  std::string_view last_hash_;  // the newest entry's hash, in the arena
};

}  // namespace rogatory

#endif  // ROGATORY_ENGINE_SRC_KEPT_HISTORY_H_
