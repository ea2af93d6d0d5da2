// PostgreSQL: the request updates of a group-commit batch in one statement per chunk of
// kBulkRows steps (UPDATE ... FROM (VALUES ...) ... RETURNING), each still guarded by its
// revision. Every statement is a round trip to the server, and a batch's steps are otherwise one
// UPDATE each (issue 16: eight callers spent most of a batch waiting on round trips).
#ifndef ROGATORY_ADAPTERS_STORE_BULK_REQUEST_UPDATE_H_
#define ROGATORY_ADAPTERS_STORE_BULK_REQUEST_UPDATE_H_

#include <soci/soci.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "bulk_insert.h"
#include "rogatory/store.h"
#include "row_codec.h"

namespace rogatory::store_internal {

class BulkRequestUpdate {
 public:
  explicit BulkRequestUpdate(soci::session& sql) : sql_(sql) {}
  BulkRequestUpdate(const BulkRequestUpdate&) = delete;
  BulkRequestUpdate& operator=(const BulkRequestUpdate&) = delete;

  // A step whose request was written, with the row it was written from (so the step's other
  // statements bind it without encoding the request again).
  struct Updated {
    const Mutation* step;
    RequestRow row;
  };

  // Writes each step's request (version, state, phase, revision, data, references, deadlines,
  // updated_at, head hash) where the stored revision is still the step's expected one, and
  // returns, in `updated`, the steps that matched; the others wrote nothing. REQUIRES: steps of
  // existing requests (expected_revision > 0), each request at most once. Throws on a database
  // error.
  void Run(const std::vector<const Mutation*>& steps, std::vector<Updated>* updated);

 private:
  struct Row {
    RequestRow request;
    long long expected = 0;
  };
  // The statement updating `n` rows (bound to bound_[0..n)), prepared on first use.
  soci::statement& Statement(size_t n);

  soci::session& sql_;
  std::array<Row, kBulkRows> bound_;
  std::vector<std::string> returned_;  // RETURNING: the ids updated
  std::array<std::unique_ptr<soci::statement>, kBulkRows> statements_;
};

}  // namespace rogatory::store_internal

#endif  // ROGATORY_ADAPTERS_STORE_BULK_REQUEST_UPDATE_H_
