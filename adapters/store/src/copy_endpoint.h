// One side of `rogatory store copy`: a database read or written table by table through its
// driver's own bulk paths (SQLite prepared statements, PostgreSQL COPY), its tables and columns
// read from its catalog. Methods throw CopyError on a database error.
#ifndef ROGATORY_ADAPTERS_STORE_COPY_ENDPOINT_H_
#define ROGATORY_ADAPTERS_STORE_COPY_ENDPOINT_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "store_url.h"

namespace rogatory::store_internal {

// A database error during a copy; the message names the statement's table, never a password.
class CopyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// SQLite's history links (schema 12, history_links.h): row numbers of its own file, never
// copied (see store_copy.cc); an SQLite target sets them afresh.
inline bool IsHistoryLinkColumn(const std::string& table, const std::string& column) {
  return (table == "requests" && column == "history_head") ||
         (table == "history" && (column == "prev_rowid" || column == "hid"));
}

struct CopyColumn {
  std::string name;
  bool integer = false;  // an integer column (both stores keep booleans and times as integers)
};

struct CopyTable {
  std::string name;
  std::vector<CopyColumn> columns;  // in the database's order
  std::vector<std::string> key;     // primary key columns (all columns when there is none)
  std::string serial;               // the auto-numbered column, or ""
};

// A value as text (integers in decimal), or NULL.
using CopyValue = std::optional<std::string>;
using CopyRow = std::vector<CopyValue>;

class CopyEndpoint {
 public:
  virtual ~CopyEndpoint() = default;

  // Whether the database exists yet (a missing SQLite target file is created by CreateSchema).
  virtual bool Exists() = 0;
  // The base tables, sorted by name.
  virtual std::vector<std::string> Tables() = 0;
  virtual CopyTable Describe(const std::string& table) = 0;
  virtual int64_t CountRows(const std::string& table) = 0;
  // MAX(version) of schema_version; nullopt when there is no such table or row.
  virtual std::optional<int> SchemaVersion() = 0;

  // Source: a read transaction over every following read (one snapshot).
  virtual void BeginSnapshot() = 0;
  virtual void EndSnapshot() = 0;
  // Source: every row of `table`, values of `columns` in that order, ordered by `key`.
  virtual void ReadRows(const std::string& table, const std::vector<CopyColumn>& columns,
                        const std::vector<std::string>& key,
                        const std::function<void(const CopyRow&)>& each) = 0;
  // Source: the value the auto-numbered column `table.serial` (the target's) would take next
  // here: after the largest value, and after the sequence's (where there is one).
  virtual int64_t NextSerial(const CopyTable& table) = 0;

  // Target: creates the schema on an empty database (the store's own migrations).
  virtual void CreateSchema() = 0;
  // Target: deletes every row of `table` (rows a new store starts with).
  virtual void ClearTable(const std::string& table) = 0;
  // Target: inserts `rows` (values of `columns` in that order) in one transaction.
  virtual void WriteRows(const CopyTable& table, const std::vector<CopyColumn>& columns,
                         const std::vector<CopyRow>& rows) = 0;
  // Target: makes the auto-numbered column continue at `next` (or after its largest value).
  virtual void SetNextSerial(const CopyTable& table, int64_t next) = 0;
  // Target: work after the copy (SQLite: each request's list of its history rows built from
  // the copied rows; statistics for the planner, a WAL checkpoint).
  virtual void Finish() = 0;
};

// Opens `url` (SQLite or PostgreSQL) as a copy source (SQLite read-only) or target. Throws
// CopyError when it cannot be opened; an SQLite source must exist, a target's parent folder.
std::unique_ptr<CopyEndpoint> OpenSqliteEndpoint(const std::string& path, bool source);
std::unique_ptr<CopyEndpoint> OpenPostgresEndpoint(const std::string& conninfo);

// Quotes an SQL identifier ("name", inner quotes doubled).
std::string QuoteIdent(const std::string& name);

}  // namespace rogatory::store_internal

#endif  // ROGATORY_ADAPTERS_STORE_COPY_ENDPOINT_H_
