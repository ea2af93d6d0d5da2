// `rogatory store copy`: checks both ends before writing anything, then copies table by table
// in batches, carries the auto-numbered ids over, and compares row counts. The tables come from
// the catalogs, checked against the schema this binary creates (a private in-memory SQLite
// database migrated from scratch), so a table added by a later schema step is copied as well.
#include "rogatory/store_copy.h"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "copy_endpoint.h"
#include "rogatory/sql_store.h"
#include "store_url.h"

namespace rogatory {
namespace {

using store_internal::Backend;
using store_internal::CopyColumn;
using store_internal::CopyEndpoint;
using store_internal::CopyError;
using store_internal::CopyRow;
using store_internal::CopyTable;
using store_internal::StoreUrl;

// The table every store keeps its version in; it is created by the schema, not copied.
constexpr const char* kVersionTable = "schema_version";

std::unique_ptr<CopyEndpoint> Open(const StoreUrl& url, bool source) {
  if (url.backend == Backend::kSqlite)
    return store_internal::OpenSqliteEndpoint(url.target, source);
  return store_internal::OpenPostgresEndpoint(url.target);
}

// "the source (sqlite:/x.db)": how messages name each end.
std::string Name(const char* side, const std::string& url) {
  return std::string(side) + " (" + RedactStoreUrl(url) + ")";
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

Status CheckVersion(CopyEndpoint& db, const std::string& name) {
  const std::optional<int> version = db.SchemaVersion();
  if (!version) return FailedPreconditionError(name + " holds no rogatory schema");
  if (*version != kStoreSchemaVersion) {
    return FailedPreconditionError(
        name + " is at store schema version " + std::to_string(*version) + ", this binary's is " +
        std::to_string(kStoreSchemaVersion) +
        (*version < kStoreSchemaVersion
             ? "; open it once with `rogatory serve` (same binary) to migrate it, then copy"
             : "; copy it with a rogatory that has that schema version"));
  }
  return OkStatus();
}

// The tables of `db` against the schema's: names of the missing and of the extra ones.
Status CheckTables(const std::vector<std::string>& tables, const std::vector<std::string>& schema,
                   const std::string& name) {
  std::vector<std::string> missing, extra;
  std::set_difference(schema.begin(), schema.end(), tables.begin(), tables.end(),
                      std::back_inserter(missing));
  std::set_difference(tables.begin(), tables.end(), schema.begin(), schema.end(),
                      std::back_inserter(extra));
  if (missing.empty() && extra.empty()) return OkStatus();
  std::string why = name + " does not have this binary's tables:";
  if (!missing.empty()) why += " missing " + Join(missing) + ";";
  if (!extra.empty()) why += " not in the schema " + Join(extra) + ";";
  why.pop_back();
  return FailedPreconditionError(why);
}

bool SameDatabase(const StoreUrl& a, const StoreUrl& b) {
  if (a.backend != b.backend) return false;
  if (a.backend == Backend::kPostgres) return a.target == b.target;
  char ra[PATH_MAX], rb[PATH_MAX];
  if (realpath(a.target.c_str(), ra) != nullptr && realpath(b.target.c_str(), rb) != nullptr) {
    return std::string(ra) == rb;
  }
  return a.target == b.target;
}

std::string Seconds(std::chrono::steady_clock::time_point start) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return text;
}

}  // namespace

Result<StoreCopyReport> CopyStore(const std::string& from_url, const std::string& to_url,
                                  const StoreCopyOptions& options) {
  const std::string from_name = Name("the source", from_url);
  const std::string to_name = Name("the target", to_url);
  Result<StoreUrl> from = store_internal::ParseStoreUrl(from_url);
  if (!from.ok()) return InvalidArgumentError("--from: " + from.status().message());
  Result<StoreUrl> to = store_internal::ParseStoreUrl(to_url);
  if (!to.ok()) return InvalidArgumentError("--to: " + to.status().message());
  for (const StoreUrl* url : {&*from, &*to}) {
    if (url->backend == Backend::kMemory || url->target == ":memory:") {
      return InvalidArgumentError(
          "store copy works between durable stores (sqlite: files and postgresql://), not "
          "memory stores");
    }
  }
  if (SameDatabase(*from, *to)) {
    return InvalidArgumentError("--from and --to name the same database");
  }
  const int batch = std::max(1, options.batch_rows);
  auto progress = [&](const std::string& line) {
    if (options.progress) options.progress(line);
  };

  // What a new store holds: its tables and the rows its migrations insert.
  std::unique_ptr<CopyEndpoint> reference;
  std::vector<std::string> schema;
  std::map<std::string, int64_t> seeded;
  std::unique_ptr<CopyEndpoint> source, target;
  try {
    reference = store_internal::OpenSqliteEndpoint(":memory:", false);
    schema = reference->Tables();
    for (const std::string& t : schema) seeded[t] = reference->CountRows(t);
  } catch (const CopyError& e) {
    return InternalError(std::string("store copy: the reference schema: ") + e.what());
  }

  // Both ends are checked before anything is written.
  try {
    source = Open(*from, true);
  } catch (const CopyError& e) {
    if (from->backend == Backend::kSqlite && !source) {
      struct stat st {};
      if (::stat(from->target.c_str(), &st) != 0) {
        return NotFoundError(from_name + ": no such SQLite file");
      }
    }
    return UnavailableError(from_name + ": " + e.what());
  }
  bool target_has_schema = false;
  try {
    if (Status s = CheckVersion(*source, from_name); !s.ok()) return s;
    if (Status s = CheckTables(source->Tables(), schema, from_name); !s.ok()) return s;
  } catch (const CopyError& e) {
    return UnavailableError(from_name + ": " + e.what());
  }
  try {
    target = Open(*to, false);
  } catch (const CopyError& e) {
    return UnavailableError(to_name + ": " + e.what());
  }
  try {
    const std::vector<std::string> tables = target->Tables();
    if (!tables.empty()) {
      if (Status s = CheckVersion(*target, to_name); !s.ok()) {
        return FailedPreconditionError(s.message() + " (the target must be empty)");
      }
      if (Status s = CheckTables(tables, schema, to_name); !s.ok()) return s;
      for (const std::string& t : tables) {
        if (t == kVersionTable) continue;
        const int64_t rows = target->CountRows(t);
        if (rows > seeded[t]) {
          return FailedPreconditionError(to_name + " is not empty: table " + t + " holds " +
                                         std::to_string(rows) +
                                         " rows; copy into a new database, or drop this one");
        }
      }
      target_has_schema = true;
    }
  } catch (const CopyError& e) {
    return UnavailableError(to_name + ": " + e.what());
  }

  StoreCopyReport report;
  std::string table_name;
  const auto start = std::chrono::steady_clock::now();
  try {
    if (!target_has_schema) target->CreateSchema();
    source->BeginSnapshot();
    std::vector<std::pair<CopyTable, int64_t>> plan;
    int64_t total = 0;
    for (const std::string& name : schema) {
      if (name == kVersionTable) continue;
      table_name = name;
      const int64_t rows = source->CountRows(name);
      plan.emplace_back(target->Describe(name), rows);
      total += rows;
    }
    progress("copying " + std::to_string(total) + " rows in " + std::to_string(plan.size()) +
             " tables");
    int64_t done_total = 0;
    for (auto& planned : plan) {
      // Named references, not a structured binding: lambdas below capture them, which C++17
      // allows only for variables (clang refuses a captured binding).
      CopyTable& table = planned.first;
      const int64_t rows = planned.second;
      table_name = table.name;
      // The source's columns by name, in the target's order; both must have the same set.
      CopyTable source_table = source->Describe(table.name);
      // Derived: SQLite's history links name rows of its own file; an SQLite target sets
      // them afresh from the rows copied (CopyEndpoint::Finish).
      for (CopyTable* t : {&table, &source_table}) {
        t->columns.erase(std::remove_if(t->columns.begin(), t->columns.end(),
                                        [&](const CopyColumn& c) {
                                          return store_internal::IsHistoryLinkColumn(t->name,
                                                                                     c.name);
                                        }),
                         t->columns.end());
        if (store_internal::IsHistoryLinkColumn(t->name, t->serial)) t->serial.clear();
      }
      std::set<std::string> source_columns, target_columns;
      for (const CopyColumn& c : source_table.columns) source_columns.insert(c.name);
      for (const CopyColumn& c : table.columns) target_columns.insert(c.name);
      if (source_columns != target_columns) {
        throw CopyError("the columns of " + table.name + " differ between source and target");
      }
      if (seeded[table.name] > 0) target->ClearTable(table.name);
      const int64_t sample_every = table.name == "requests" && options.sample_requests > 0
                                       ? std::max<int64_t>(1, rows / options.sample_requests)
                                       : 0;
      size_t id_column = 0;
      for (size_t i = 0; i < table.columns.size(); ++i) {
        if (table.columns[i].name == "id") id_column = i;
      }
      std::vector<CopyRow> pending;
      pending.reserve(static_cast<size_t>(std::min<int64_t>(batch, rows)));
      int64_t copied = 0;
      auto flush = [&] {
        if (pending.empty()) return;
        target->WriteRows(table, table.columns, pending);
        copied += static_cast<int64_t>(pending.size());
        done_total += static_cast<int64_t>(pending.size());
        pending.clear();
        progress(table.name + ": " + std::to_string(copied) + "/" + std::to_string(rows) +
                 " rows (all tables " + std::to_string(done_total) + "/" + std::to_string(total) +
                 ", " + Seconds(start) + ")");
      };
      source->ReadRows(table.name, table.columns, source_table.key, [&](const CopyRow& row) {
        if (sample_every > 0 &&
            (copied + static_cast<int64_t>(pending.size())) % sample_every == 0 && row[id_column]) {
          report.sample_request_ids.push_back(*row[id_column]);
        }
        pending.push_back(row);
        if (static_cast<int>(pending.size()) >= batch) flush();
      });
      flush();
      // The target's auto-numbered column continues after the source's rows (and after its
      // sequence, which runs ahead when the newest rows were deleted).
      if (!table.serial.empty()) target->SetNextSerial(table, source->NextSerial(table));
      report.tables.push_back({table.name, rows});
    }
    source->EndSnapshot();
    table_name.clear();
    progress("checking row counts, " + Seconds(start));
    for (const CopiedTable& t : report.tables) {
      const int64_t rows = target->CountRows(t.table);
      if (rows != t.rows) {
        return InternalError("store copy: table " + t.table + " has " + std::to_string(rows) +
                             " rows in the target, " + std::to_string(t.rows) +
                             " in the source; the target holds a broken copy: drop it");
      }
    }
    progress("finishing the target (ANALYZE or a WAL checkpoint), " + Seconds(start));
    target->Finish();
  } catch (const CopyError& e) {
    return InternalError("store copy failed" +
                         (table_name.empty() ? std::string() : " at table " + table_name) + ": " +
                         e.what() + "; " + to_name +
                         " now holds a partial copy: drop it (delete the SQLite file, or drop "
                         "and create the PostgreSQL database) before copying again");
  }
  std::sort(report.tables.begin(), report.tables.end(),
            [](const CopiedTable& a, const CopiedTable& b) { return a.table < b.table; });
  progress("copied " + std::to_string(report.tables.size()) + " tables in " + Seconds(start));
  return report;
}

}  // namespace rogatory
