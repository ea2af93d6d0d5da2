// The statistics half of Apply (CONTRACT §9, rogatory/stats.h): reads the request's record,
// writes the next one and adds the difference to the day counters and their monthly roll-ups,
// in the step's transaction.
#ifndef ROGATORY_ADAPTERS_STORE_STATS_WRITER_H_
#define ROGATORY_ADAPTERS_STORE_STATS_WRITER_H_

#include <soci/soci.h>

#include <string>

#include "dialect.h"
#include "rogatory/store.h"

namespace rogatory::store_internal {

class StatsWriter {
 public:
  StatsWriter(soci::session& sql, const Dialect& dialect);
  StatsWriter(const StatsWriter&) = delete;
  StatsWriter& operator=(const StatsWriter&) = delete;

  // Updates m.request's record and the counters. Internal when the stored record is
  // unreadable. Throws on a database error.
  Status Write(const Mutation& m);

 private:
  std::string request_id_, record_text_, record_workflow_, record_day_;
  int record_version_ = 0, record_lapsed_ = 0;
  soci::indicator record_ind_ = soci::i_null;
  std::string scope_, workflow_, day_, month_, kind_, key_;
  int version_ = 0;
  long long n_ = 0;

  const Dialect dialect_;
  soci::statement select_record_, upsert_record_, upsert_cell_, upsert_month_;
};

}  // namespace rogatory::store_internal

#endif  // ROGATORY_ADAPTERS_STORE_STATS_WRITER_H_
