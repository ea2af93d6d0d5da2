#include "last_writes.h"

namespace rogatory::store_internal {

void LastWrites::Begin(uint32_t data_version) {
  pending_.clear();
  if (data_version_ == data_version) return;
  // Someone else committed since (or nothing was committed here yet): nothing kept may stand.
  if (!kept_.empty() && counters_ != nullptr) KeptTally::Count(counters_->forgets);
  kept_.clear();
  admitted_.clear();
  data_version_.reset();
}

void LastWrites::Committed(uint32_t data_version) {
  data_version_ = data_version;
  for (auto& [id, entry] : pending_) {
    if (capacity_ == 0) break;
    auto [it, added] = kept_.insert_or_assign(id, std::move(entry));
    if (!added) continue;
    admitted_.push_back(it->first);
    if (kept_.size() > capacity_) {
      kept_.erase(admitted_.front());
      admitted_.pop_front();
    }
  }
  pending_.clear();
}

std::optional<long long> LastWrites::HistoryHead(const std::string& id) const {
  std::optional<long long> head = FindHistoryHead(id);
  if (counters_ != nullptr) {
    KeptTally::Count(head.has_value(), counters_->head_hits, counters_->head_misses);
  }
  return head;
}

const LastWrites::Entry* LastWrites::Stats(const std::string& id) const {
  const Entry* entry = FindStats(id);
  if (counters_ != nullptr) {
    KeptTally::Count(entry != nullptr, counters_->record_hits, counters_->record_misses);
  }
  return entry;
}

std::optional<long long> LastWrites::FindHistoryHead(const std::string& id) const {
  for (auto it = pending_.rbegin(); it != pending_.rend(); ++it) {
    if (it->first == id && it->second.history_head) return it->second.history_head;
  }
  auto it = kept_.find(id);
  return it == kept_.end() ? std::nullopt : it->second.history_head;
}

const LastWrites::Entry* LastWrites::FindStats(const std::string& id) const {
  for (auto it = pending_.rbegin(); it != pending_.rend(); ++it) {
    if (it->first == id && it->second.stats) return &it->second;
  }
  auto it = kept_.find(id);
  return it != kept_.end() && it->second.stats ? &it->second : nullptr;
}

LastWrites::Entry& LastWrites::Update(const std::string& id) {
  if (pending_.empty() || pending_.back().first != id) pending_.emplace_back(id, Entry());
  return pending_.back().second;
}

}  // namespace rogatory::store_internal
