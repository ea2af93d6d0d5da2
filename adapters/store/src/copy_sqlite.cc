// The SQLite side of `rogatory store copy`: the raw sqlite3 API on one connection, a source
// opened read-only, rows written through one prepared INSERT per table and batch.
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "connection.h"
#include "copy_endpoint.h"
#include "history_links.h"
#include "schema.h"
#include "sqlite_handle.h"

namespace rogatory::store_internal {

using sqlite_api::sqlite3;
using sqlite_api::sqlite3_destructor_type;
using sqlite_api::sqlite3_stmt;

std::string QuoteIdent(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

namespace {

// A prepared statement, finalized when it goes out of scope.
class Stmt {
 public:
  Stmt(sqlite3* db, const std::string& sql) : db_(db) {
    if (sqlite_api::sqlite3_prepare_v2(db, sql.c_str(), -1, &st_, nullptr) != SQLITE_OK) {
      throw CopyError("sqlite: " + std::string(sqlite_api::sqlite3_errmsg(db)) + " (in " +
                      sql.substr(0, 80) + ")");
    }
  }
  ~Stmt() { sqlite_api::sqlite3_finalize(st_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  sqlite3_stmt* get() { return st_; }
  // Steps once: true on a row, false when done.
  bool Step() {
    const int rc = sqlite_api::sqlite3_step(st_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw CopyError("sqlite: " + std::string(sqlite_api::sqlite3_errmsg(db_)));
  }
  std::string Text(int i) {
    const auto* p = sqlite_api::sqlite3_column_text(st_, i);
    return p == nullptr ? std::string()
                        : std::string(reinterpret_cast<const char*>(p),
                                      sqlite_api::sqlite3_column_bytes(st_, i));
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* st_ = nullptr;
};

bool FileExists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

class SqliteEndpoint : public CopyEndpoint {
 public:
  SqliteEndpoint(std::string path, bool source) : path_(std::move(path)) {
    if (path_ == ":memory:") {
      // The reference schema (store_copy.cc): a private database, created at once.
      CreateSchema();
      return;
    }
    if (!FileExists(path_)) {
      if (source) throw CopyError("no such SQLite file: " + path_);
      return;  // created by CreateSchema
    }
    Open(source ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE);
  }
  ~SqliteEndpoint() override {
    if (conn_ == nullptr && db_ != nullptr) sqlite_api::sqlite3_close_v2(db_);
  }

  bool Exists() override { return db_ != nullptr; }

  std::vector<std::string> Tables() override {
    std::vector<std::string> out;
    if (db_ == nullptr) return out;
    Stmt st(db_,
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
            "ESCAPE '\\' ORDER BY name");
    while (st.Step()) out.push_back(st.Text(0));
    return out;
  }

  CopyTable Describe(const std::string& table) override {
    CopyTable t;
    t.name = table;
    std::vector<std::pair<int, std::string>> key;
    std::string integer_key_type;
    Stmt st(db_, "PRAGMA table_info(" + QuoteIdent(table) + ")");
    while (st.Step()) {
      CopyColumn c;
      c.name = st.Text(1);
      std::string type = st.Text(2);
      for (char& ch : type) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      c.integer = type.find("INT") != std::string::npos;
      const int pk = sqlite_api::sqlite3_column_int(st.get(), 5);
      if (pk > 0) {
        key.emplace_back(pk, c.name);
        integer_key_type = type;
      }
      t.columns.push_back(c);
    }
    std::sort(key.begin(), key.end());
    for (auto& k : key) t.key.push_back(k.second);
    // A rowid table without a key (the history, schema 12) is read in its rowid order.
    if (t.key.empty()) {
      if (WithoutRowid(table)) {
        for (const CopyColumn& c : t.columns) t.key.push_back(c.name);
      } else {
        t.key.push_back("rowid");
      }
    }
    // SQLite numbers a lone INTEGER PRIMARY KEY of a rowid table itself.
    if (key.size() == 1 && integer_key_type == "INTEGER" && !WithoutRowid(table)) {
      t.serial = key[0].second;
    }
    return t;
  }

  int64_t CountRows(const std::string& table) override {
    Stmt st(db_, "SELECT COUNT(*) FROM " + QuoteIdent(table));
    st.Step();
    return sqlite_api::sqlite3_column_int64(st.get(), 0);
  }

  std::optional<int> SchemaVersion() override {
    if (db_ == nullptr) return std::nullopt;
    {
      Stmt has(db_, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'");
      if (!has.Step()) return std::nullopt;
    }
    Stmt st(db_, "SELECT MAX(version) FROM schema_version");
    if (!st.Step() || sqlite_api::sqlite3_column_type(st.get(), 0) == SQLITE_NULL) {
      return std::nullopt;
    }
    return sqlite_api::sqlite3_column_int(st.get(), 0);
  }

  void BeginSnapshot() override {
    Exec("BEGIN");
    // A deferred transaction takes its snapshot at the first read.
    Stmt st(db_, "SELECT COUNT(*) FROM sqlite_master");
    st.Step();
  }
  void EndSnapshot() override { Exec("COMMIT"); }

  void ReadRows(const std::string& table, const std::vector<CopyColumn>& columns,
                const std::vector<std::string>& key,
                const std::function<void(const CopyRow&)>& each) override {
    std::string sql = "SELECT ";
    for (size_t i = 0; i < columns.size(); ++i) {
      sql += (i ? ", " : "") + QuoteIdent(columns[i].name);
    }
    sql += " FROM " + QuoteIdent(table) + " ORDER BY ";
    for (size_t i = 0; i < key.size(); ++i) {
      sql += (i ? ", " : "") + (key[i] == "rowid" ? key[i] : QuoteIdent(key[i]));
    }
    Stmt st(db_, sql);
    CopyRow row(columns.size());
    while (st.Step()) {
      for (size_t i = 0; i < columns.size(); ++i) {
        const int col = static_cast<int>(i);
        switch (sqlite_api::sqlite3_column_type(st.get(), col)) {
          case SQLITE_NULL:
            row[i].reset();
            break;
          case SQLITE_INTEGER:
            row[i] = std::to_string(sqlite_api::sqlite3_column_int64(st.get(), col));
            break;
          case SQLITE_BLOB:
            throw CopyError("table " + table + " column " + columns[i].name +
                            " holds a BLOB, which no rogatory column stores");
          default:  // TEXT, and REAL as SQLite renders it
            row[i] = st.Text(col);
        }
      }
      each(row);
    }
  }

  int64_t NextSerial(const CopyTable& t) override {
    Stmt st(db_,
            "SELECT COALESCE(MAX(" + QuoteIdent(t.serial) + "), 0) + 1 FROM " + QuoteIdent(t.name));
    st.Step();
    int64_t next = sqlite_api::sqlite3_column_int64(st.get(), 0);
    // An AUTOINCREMENT table never reuses the ids of deleted rows: sqlite_sequence remembers.
    if (HasSequenceTable()) {
      Stmt seq(db_, "SELECT seq + 1 FROM sqlite_sequence WHERE name = ?");
      sqlite_api::sqlite3_bind_text(seq.get(), 1, t.name.c_str(), -1, SQLITE_TRANSIENT);
      if (seq.Step())
        next = std::max<int64_t>(next, sqlite_api::sqlite3_column_int64(seq.get(), 0));
    }
    return next;
  }

  void CreateSchema() override {
    if (db_ != nullptr && conn_ == nullptr) sqlite_api::sqlite3_close_v2(db_);
    db_ = nullptr;
    try {
      conn_ = OpenConnection(StoreUrl{Backend::kSqlite, path_}, SqlStoreOptions{});
      Status migrated = MigrateSchema(conn_->sql(), conn_->dialect());
      if (!migrated.ok()) throw CopyError(migrated.message());
    } catch (const soci::soci_error& e) {
      throw CopyError(std::string("sqlite: ") + e.what());
    }
    db_ = SqliteHandle(conn_->sql());
    PrepareForWrites();
  }

  void ClearTable(const std::string& table) override { Exec("DELETE FROM " + QuoteIdent(table)); }

  void WriteRows(const CopyTable& t, const std::vector<CopyColumn>& columns,
                 const std::vector<CopyRow>& rows) override {
    PrepareForWrites();
    std::string sql = "INSERT INTO " + QuoteIdent(t.name) + " (";
    std::string marks;
    for (size_t i = 0; i < columns.size(); ++i) {
      sql += (i ? ", " : "") + QuoteIdent(columns[i].name);
      marks += i ? ", ?" : "?";
    }
    sql += ") VALUES (" + marks + ")";
    Exec("BEGIN IMMEDIATE");
    try {
      Stmt st(db_, sql);
      for (const CopyRow& row : rows) {
        for (size_t i = 0; i < columns.size(); ++i) {
          const int at = static_cast<int>(i) + 1;
          if (!row[i]) {
            sqlite_api::sqlite3_bind_null(st.get(), at);
          } else if (columns[i].integer) {
            sqlite_api::sqlite3_bind_int64(st.get(), at,
                                           std::strtoll(row[i]->c_str(), nullptr, 10));
          } else {
            sqlite_api::sqlite3_bind_text(st.get(), at, row[i]->data(),
                                          static_cast<int>(row[i]->size()), SQLITE_STATIC);
          }
        }
        st.Step();
        sqlite_api::sqlite3_reset(st.get());
      }
      Exec("COMMIT");
    } catch (...) {
      sqlite_api::sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  }

  void SetNextSerial(const CopyTable& t, int64_t next) override {
    // A rowid table numbers the next row after its largest id; only an AUTOINCREMENT table keeps
    // a counter, which must not fall behind the copied source's.
    if (!HasSequenceTable()) return;
    Stmt has(db_, "SELECT 1 FROM sqlite_master WHERE name = ? AND sql LIKE '%AUTOINCREMENT%'");
    sqlite_api::sqlite3_bind_text(has.get(), 1, t.name.c_str(), -1, SQLITE_TRANSIENT);
    if (!has.Step()) return;
    Exec("DELETE FROM sqlite_sequence WHERE name = '" + t.name + "'");
    Exec("INSERT INTO sqlite_sequence (name, seq) VALUES ('" + t.name + "', " +
         std::to_string(next - 1) + ")");
  }

  void Finish() override {
    Exec("BEGIN");
    for (const char* statement : kRebuildHistoryLinks) Exec(statement);
    Exec("COMMIT");
    Exec("PRAGMA synchronous = FULL");
    Exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }

 private:
  void Open(int flags) {
    if (sqlite_api::sqlite3_open_v2(path_.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      std::string why = db_ != nullptr ? sqlite_api::sqlite3_errmsg(db_) : "out of memory";
      sqlite_api::sqlite3_close_v2(db_);
      db_ = nullptr;
      throw CopyError("cannot open SQLite file " + path_ + ": " + why);
    }
    sqlite_api::sqlite3_busy_timeout(db_, 5000);
  }

  // The copy's writes: a large page cache for the indexes, and one sync per checkpoint (the
  // copy can be run again into a new target if the machine fails; Finish restores FULL).
  void PrepareForWrites() {
    if (prepared_) return;
    prepared_ = true;
    Exec("PRAGMA cache_size = -262144");
    Exec("PRAGMA synchronous = NORMAL");
  }

  bool WithoutRowid(const std::string& table) {
    Stmt st(db_, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?");
    sqlite_api::sqlite3_bind_text(st.get(), 1, table.c_str(), -1, SQLITE_TRANSIENT);
    if (!st.Step()) return false;
    std::string sql = st.Text(0);
    for (char& ch : sql) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return sql.find("WITHOUT ROWID") != std::string::npos;
  }

  bool HasSequenceTable() {
    Stmt st(db_, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'");
    return st.Step();
  }

  void Exec(const std::string& sql) {
    char* error = nullptr;
    if (sqlite_api::sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      std::string why = error != nullptr ? error : "error";
      sqlite_api::sqlite3_free(error);
      throw CopyError("sqlite: " + why + " (in " + sql.substr(0, 80) + ")");
    }
  }

  std::string path_;
  std::unique_ptr<Connection> conn_;  // when the schema was created here; owns db_
  sqlite3* db_ = nullptr;
  bool prepared_ = false;
};

}  // namespace

std::unique_ptr<CopyEndpoint> OpenSqliteEndpoint(const std::string& path, bool source) {
  return std::make_unique<SqliteEndpoint>(path, source);
}

}  // namespace rogatory::store_internal
