// The PostgreSQL side of `rogatory store copy`: libpq on one connection, rows streamed with
// COPY ... TO STDOUT and written with COPY ... FROM STDIN (text format), one batch per
// transaction.
#include <libpq-fe.h>
#include <soci/soci.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "connection.h"
#include "copy_endpoint.h"
#include "schema.h"

namespace rogatory::store_internal {
namespace {

using ResultPtr = std::unique_ptr<PGresult, decltype(&PQclear)>;

// A string literal for SQL ('...', inner quotes doubled).
std::string Literal(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

// Appends `text` in COPY's text format (backslash escapes for the separators).
void AppendCopyText(std::string* out, const std::string& text) {
  for (char c : text) {
    switch (c) {
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      default:
        *out += c;
    }
  }
}

// Reads one field of COPY's text format, from `p` up to a tab or the end of the line.
CopyValue ParseCopyField(const char*& p, const char* end) {
  if (end - p >= 2 && p[0] == '\\' && p[1] == 'N' && (end - p == 2 || p[2] == '\t')) {
    p += 2;
    return std::nullopt;
  }
  std::string out;
  while (p < end && *p != '\t') {
    if (*p != '\\' || p + 1 >= end) {
      out += *p++;
      continue;
    }
    const char c = p[1];
    p += 2;
    switch (c) {
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'v':
        out += '\v';
        break;
      case 'x': {  // \xHH: one or two hex digits
        int value = 0, digits = 0;
        while (digits < 2 && p < end && std::isxdigit(static_cast<unsigned char>(*p))) {
          value = value * 16 + (std::isdigit(static_cast<unsigned char>(*p))
                                    ? *p - '0'
                                    : std::tolower(static_cast<unsigned char>(*p)) - 'a' + 10);
          ++p;
          ++digits;
        }
        out += static_cast<char>(value);
        break;
      }
      default:
        if (c >= '0' && c <= '7') {  // \ooo: one to three octal digits
          int value = c - '0', digits = 1;
          while (digits < 3 && p < end && *p >= '0' && *p <= '7') {
            value = value * 8 + (*p++ - '0');
            ++digits;
          }
          out += static_cast<char>(value);
        } else {
          out += c;
        }
    }
  }
  return out;
}

class PostgresEndpoint : public CopyEndpoint {
 public:
  explicit PostgresEndpoint(std::string conninfo) : conninfo_(std::move(conninfo)) {
    conn_ = PQconnectdb(conninfo_.c_str());
    if (PQstatus(conn_) != CONNECTION_OK) {
      std::string why = PQerrorMessage(conn_);
      while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
      PQfinish(conn_);
      conn_ = nullptr;
      throw CopyError("cannot connect to PostgreSQL: " + why);
    }
    Exec("SET client_min_messages = warning");
  }
  ~PostgresEndpoint() override { PQfinish(conn_); }

  bool Exists() override { return true; }

  std::vector<std::string> Tables() override {
    return Column(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        " AND table_type = 'BASE TABLE' ORDER BY table_name COLLATE \"C\"");
  }

  CopyTable Describe(const std::string& table) override {
    CopyTable t;
    t.name = table;
    ResultPtr columns = Query(
        "SELECT column_name, data_type, is_identity, COALESCE(column_default, '')"
        " FROM information_schema.columns WHERE table_schema = current_schema()"
        " AND table_name = " +
        Literal(table) + " ORDER BY ordinal_position");
    for (int i = 0; i < PQntuples(columns.get()); ++i) {
      CopyColumn c;
      c.name = PQgetvalue(columns.get(), i, 0);
      const std::string type = PQgetvalue(columns.get(), i, 1);
      c.integer = type == "bigint" || type == "integer" || type == "smallint";
      const std::string identity = PQgetvalue(columns.get(), i, 2);
      const std::string default_value = PQgetvalue(columns.get(), i, 3);
      if (identity == "YES" || default_value.rfind("nextval(", 0) == 0) t.serial = c.name;
      t.columns.push_back(c);
    }
    t.key = Column(
        "SELECT k.column_name FROM information_schema.table_constraints c"
        " JOIN information_schema.key_column_usage k ON k.constraint_name = c.constraint_name"
        " AND k.table_schema = c.table_schema AND k.table_name = c.table_name"
        " WHERE c.constraint_type = 'PRIMARY KEY' AND c.table_schema = current_schema()"
        " AND c.table_name = " +
        Literal(table) + " ORDER BY k.ordinal_position");
    if (t.key.empty()) {
      for (const CopyColumn& c : t.columns) t.key.push_back(c.name);
    }
    return t;
  }

  int64_t CountRows(const std::string& table) override {
    ResultPtr r = Query("SELECT COUNT(*) FROM " + QuoteIdent(table));
    return std::stoll(PQgetvalue(r.get(), 0, 0));
  }

  std::optional<int> SchemaVersion() override {
    ResultPtr has =
        Query("SELECT to_regclass(" + Literal(QuoteIdent("schema_version")) + ") IS NOT NULL");
    if (std::string(PQgetvalue(has.get(), 0, 0)) != "t") return std::nullopt;
    ResultPtr r = Query("SELECT MAX(version) FROM schema_version");
    if (PQgetisnull(r.get(), 0, 0)) return std::nullopt;
    return std::stoi(PQgetvalue(r.get(), 0, 0));
  }

  void BeginSnapshot() override { Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); }
  void EndSnapshot() override { Exec("COMMIT"); }

  void ReadRows(const std::string& table, const std::vector<CopyColumn>& columns,
                const std::vector<std::string>& key,
                const std::function<void(const CopyRow&)>& each) override {
    std::string sql = "COPY (SELECT ";
    for (size_t i = 0; i < columns.size(); ++i) {
      sql += (i ? ", " : "") + QuoteIdent(columns[i].name);
    }
    sql += " FROM " + QuoteIdent(table) + " ORDER BY ";
    for (size_t i = 0; i < key.size(); ++i) sql += (i ? ", " : "") + QuoteIdent(key[i]);
    sql += ") TO STDOUT";
    ResultPtr started(PQexec(conn_, sql.c_str()), PQclear);
    if (PQresultStatus(started.get()) != PGRES_COPY_OUT) Fail("COPY " + table + " TO STDOUT");
    CopyRow row(columns.size());
    for (;;) {
      char* line = nullptr;
      const int n = PQgetCopyData(conn_, &line, 0);
      if (n == -1) break;  // done
      if (n < 0) Fail("reading " + table);
      const char* p = line;
      const char* end = line + n;
      if (end > p && end[-1] == '\n') --end;
      for (size_t i = 0; i < columns.size(); ++i) {
        row[i] = ParseCopyField(p, end);
        if (p < end && *p == '\t') ++p;
      }
      PQfreemem(line);
      each(row);
    }
    ResultPtr done(PQgetResult(conn_), PQclear);
    if (PQresultStatus(done.get()) != PGRES_COMMAND_OK) Fail("COPY " + table + " TO STDOUT");
    while (PGresult* rest = PQgetResult(conn_)) PQclear(rest);
  }

  int64_t NextSerial(const CopyTable& t) override {
    ResultPtr max = Query("SELECT COALESCE(MAX(" + QuoteIdent(t.serial) + "), 0) + 1 FROM " +
                          QuoteIdent(t.name));
    int64_t next = std::stoll(PQgetvalue(max.get(), 0, 0));
    ResultPtr seq = Query("SELECT pg_get_serial_sequence(" + Literal(QuoteIdent(t.name)) + ", " +
                          Literal(t.serial) + ")");
    if (!PQgetisnull(seq.get(), 0, 0)) {
      // The sequence runs ahead of the rows when the newest ones were deleted.
      ResultPtr value =
          Query(std::string("SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END"
                            " FROM ") +
                PQgetvalue(seq.get(), 0, 0));
      next = std::max(next, static_cast<int64_t>(std::stoll(PQgetvalue(value.get(), 0, 0))));
    }
    return next;
  }

  void CreateSchema() override {
    try {
      std::unique_ptr<Connection> conn =
          OpenConnection(StoreUrl{Backend::kPostgres, conninfo_}, SqlStoreOptions{});
      Status migrated = MigrateSchema(conn->sql(), conn->dialect());
      if (!migrated.ok()) throw CopyError(migrated.message());
    } catch (const soci::soci_error& e) {
      throw CopyError(std::string("postgresql: ") + e.what());
    }
  }

  void ClearTable(const std::string& table) override { Exec("DELETE FROM " + QuoteIdent(table)); }

  void WriteRows(const CopyTable& t, const std::vector<CopyColumn>& columns,
                 const std::vector<CopyRow>& rows) override {
    std::string sql = "COPY " + QuoteIdent(t.name) + " (";
    for (size_t i = 0; i < columns.size(); ++i) {
      sql += (i ? ", " : "") + QuoteIdent(columns[i].name);
    }
    sql += ") FROM STDIN";
    Exec("BEGIN");
    try {
      ResultPtr started(PQexec(conn_, sql.c_str()), PQclear);
      if (PQresultStatus(started.get()) != PGRES_COPY_IN) Fail("COPY " + t.name + " FROM STDIN");
      std::string buffer;
      buffer.reserve(1 << 20);
      for (const CopyRow& row : rows) {
        for (size_t i = 0; i < row.size(); ++i) {
          if (i) buffer += '\t';
          if (row[i]) {
            AppendCopyText(&buffer, *row[i]);
          } else {
            buffer += "\\N";
          }
        }
        buffer += '\n';
        if (buffer.size() >= (1 << 20)) Put(&buffer, t.name);
      }
      Put(&buffer, t.name);
      if (PQputCopyEnd(conn_, nullptr) != 1) Fail("COPY " + t.name);
      ResultPtr done(PQgetResult(conn_), PQclear);
      if (PQresultStatus(done.get()) != PGRES_COMMAND_OK) Fail("COPY " + t.name + " FROM STDIN");
      while (PGresult* rest = PQgetResult(conn_)) PQclear(rest);
      Exec("COMMIT");
    } catch (...) {
      while (PGresult* rest = PQgetResult(conn_)) PQclear(rest);
      PQclear(PQexec(conn_, "ROLLBACK"));
      throw;
    }
  }

  void SetNextSerial(const CopyTable& t, int64_t next) override {
    Exec("SELECT setval(pg_get_serial_sequence(" + Literal(QuoteIdent(t.name)) + ", " +
         Literal(t.serial) + "), " + std::to_string(next) + ", false)");
  }

  void Finish() override { Exec("ANALYZE"); }

 private:
  void Put(std::string* buffer, const std::string& table) {
    if (buffer->empty()) return;
    if (PQputCopyData(conn_, buffer->data(), static_cast<int>(buffer->size())) != 1) {
      Fail("COPY " + table);
    }
    buffer->clear();
  }

  [[noreturn]] void Fail(const std::string& what) {
    std::string why = PQerrorMessage(conn_);
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    throw CopyError("postgresql: " + what + ": " + why);
  }

  ResultPtr Query(const std::string& sql) {
    ResultPtr r(PQexec(conn_, sql.c_str()), PQclear);
    const ExecStatusType s = PQresultStatus(r.get());
    if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) Fail(sql.substr(0, 80));
    return r;
  }

  void Exec(const std::string& sql) { Query(sql); }

  std::vector<std::string> Column(const std::string& sql) {
    ResultPtr r = Query(sql);
    std::vector<std::string> out;
    for (int i = 0; i < PQntuples(r.get()); ++i) out.emplace_back(PQgetvalue(r.get(), i, 0));
    return out;
  }

  std::string conninfo_;
  PGconn* conn_ = nullptr;
};

}  // namespace

std::unique_ptr<CopyEndpoint> OpenPostgresEndpoint(const std::string& conninfo) {
  return std::make_unique<PostgresEndpoint>(conninfo);
}

}  // namespace rogatory::store_internal
