// Rows as SOCI reads and writes them (plain strings and integers), and their conversion to and
// from the Store port's types. JSON travels as text; instants as unix microseconds.
#ifndef ROGATORY_ADAPTERS_STORE_ROW_CODEC_H_
#define ROGATORY_ADAPTERS_STORE_ROW_CODEC_H_

#include <string>
#include <vector>

#include "rogatory/request.h"
#include "rogatory/store.h"

namespace rogatory::store_internal {

// The columns every request SELECT lists, in this order (see RequestRow).
inline constexpr char kRequestColumns[] =
    "id, workflow, version, state, phase, revision, data, refs, deadlines, created_at, "
    "updated_at, head_hash, parties";

struct RequestRow {
  std::string id, workflow, state, phase, data, refs, deadlines, head_hash;
  std::string parties = "{}";  // CONTRACT §8: {SIDE: AUTHORITY} as JSON text
  int version = 0;
  long long revision = 0, created_at = 0, updated_at = 0;
};

inline constexpr char kHistoryColumns[] =
    "request_id, seq, event, from_state, to_state, actor, at, data, comment, prev_hash, hash, "
    "authority";

struct HistoryRow {
  std::string request_id, event, from_state, to_state, actor, data, comment, prev_hash, hash;
  std::string authority;  // "" when the actor had none
  long long seq = 0, at = 0;
  long long rowid = 0;       // SQLite writes: the rowid the row is given (history_links.h)
  long long prev_rowid = 0;  // and the rowid of the request's row before it (0: none)
  long long hole = 0;        // SQLite reads: 1 on a walk's hole row (history_links.h)
};

inline constexpr char kDeliveryColumns[] =
    "id, subscription_id, request_id, revision, event_type, payload, status, attempts, "
    "last_error, next_attempt_at, created_at";

struct DeliveryRow {
  long long id = 0, revision = 0, next_attempt_at = 0, created_at = 0;
  std::string subscription_id, request_id, type, payload, status, last_error;
  int attempts = 0;
};

inline constexpr char kSubscriptionColumns[] =
    "id, url, secret, events, workflows, active, created_at, authority";

struct SubscriptionRow {
  std::string id, url, secret, events, workflows, authority;
  int active = 1;
  long long created_at = 0;
};

// Fills a row from a request (the JSON columns serialised).
void ToRow(const Request& r, RequestRow* row);
void ToRow(const HistoryEntry& e, HistoryRow* row);
void ToRow(const Subscription& s, SubscriptionRow* row);

// The domain values back. Internal when a stored JSON column does not parse (a damaged row).
Result<Request> FromRow(const RequestRow& row);
Result<HistoryEntry> FromRow(const HistoryRow& row);
Result<Delivery> FromRow(const DeliveryRow& row);
Result<Subscription> FromRow(const SubscriptionRow& row);

// A delivery id: the outbox row number, zero-padded to 20 digits so that string order is
// numeric order (as the memory store's ids). ParseDeliveryId returns -1 when `id` is not one.
std::string FormatDeliveryId(long long n);
long long ParseDeliveryId(const std::string& id);

// The subscriptions' event and workflow filters as a JSON array of strings, and back.
std::string StringListToJson(const std::vector<std::string>& list);
// Throws nlohmann::json::exception when `text` is not such an array.
std::vector<std::string> StringListFromJson(const std::string& text);

}  // namespace rogatory::store_internal

#endif  // ROGATORY_ADAPTERS_STORE_ROW_CODEC_H_
