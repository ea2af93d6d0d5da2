// `rogatory store copy`: copies a whole durable store (every table of the schema, rows as they
// are, ids and hash chains untouched, auto-numbered ids continuing after the copied rows) into an
// empty store of either kind: SQLite to PostgreSQL when an office moves to several nodes,
// PostgreSQL to SQLite, SQLite to SQLite.
#ifndef ROGATORY_STORE_COPY_H_
#define ROGATORY_STORE_COPY_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "rogatory/status.h"

namespace rogatory {

struct StoreCopyOptions {
  // Rows written per target transaction (a PostgreSQL COPY, or prepared SQLite INSERTs).
  int batch_rows = 20000;
  // About this many request ids, spread evenly over the `requests` table in id order, are
  // returned for a sampled audit of the copy (0: none).
  int sample_requests = 1000;
  // Called with one line of progress after each batch and each table; may be empty.
  std::function<void(const std::string&)> progress;
};

// One copied table and its row count (equal in source and target: CopyStore checks it).
struct CopiedTable {
  std::string table;
  int64_t rows = 0;
};

struct StoreCopyReport {
  std::vector<CopiedTable> tables;              // every table of the schema, by name
  std::vector<std::string> sample_request_ids;  // see StoreCopyOptions::sample_requests
};

// Copies the store at `from_url` into the one at `to_url` (URL forms as for OpenStore; memory:
// is refused). The source is only read, inside one read transaction (a consistent snapshot). The
// target must be empty: no tables at all (a new SQLite file or PostgreSQL database; its schema
// is created) or a store at this binary's schema holding nothing but what a new store starts
// with. Tables and columns are read from the databases' catalogs, so every table of the schema
// is copied, matched by column name. Afterwards each table's row count is compared.
// InvalidArgument: a malformed URL, memory:, or both URLs naming one database. NotFound: the
// source SQLite file is missing. FailedPrecondition: a schema version other than this binary's
// (source or target), tables that differ from the schema, or a target that is not empty; nothing
// was written. Unavailable: a database cannot be reached or opened. Internal: the copy failed
// part-way (the message says so; the target then holds a partial copy to drop).
Result<StoreCopyReport> CopyStore(const std::string& from_url, const std::string& to_url,
                                  const StoreCopyOptions& options = {});

}  // namespace rogatory

#endif  // ROGATORY_STORE_COPY_H_
