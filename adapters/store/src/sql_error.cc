#include "sql_error.h"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <spdlog/spdlog.h>

#include <exception>
#include <string>

namespace rogatory::store_internal {
namespace {

Status Make(StatusCode code, std::string_view what) {
  const char* why = code == StatusCode::kUnavailable ? "database unavailable"
                    : code == StatusCode::kAborted   ? "concurrent update, retry"
                                                     : "database error";
  return Status(code, std::string("store: ") + std::string(what) + ": " + why);
}

StatusCode FromSqlite(int result) {
  switch (result & 0xff) {  // the primary result code
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
      return StatusCode::kUnavailable;
    default:
      return StatusCode::kInternal;
  }
}

StatusCode FromSqlState(const std::string& state) {
  if (state == "40001" || state == "40P01") return StatusCode::kAborted;
  // 08: connection exception; 57P: operator intervention (shutdown); 53: out of resources.
  if (state.rfind("08", 0) == 0 || state.rfind("57P", 0) == 0 || state.rfind("53", 0) == 0) {
    return StatusCode::kUnavailable;
  }
  // No SQLSTATE at all: libpq lost the server before an answer came back.
  if (state.empty() || state == std::string(5, '\0')) return StatusCode::kUnavailable;
  return StatusCode::kInternal;
}

}  // namespace

Status StatusFromCurrentException(std::string_view what) {
  try {
    throw;
  } catch (const soci::sqlite3_soci_error& e) {
    StatusCode code = FromSqlite(e.result());
    spdlog::warn("store: {}: sqlite error {}: {}", what, e.result(), e.get_error_message());
    return Make(code, what);
  } catch (const soci::postgresql_soci_error& e) {
    std::string state = e.sqlstate();
    StatusCode code = FromSqlState(state);
    spdlog::warn("store: {}: postgresql error {}: {}", what, state, e.get_error_message());
    return Make(code, what);
  } catch (const soci::soci_error& e) {
    StatusCode code = e.get_error_category() == soci::soci_error::connection_error
                          ? StatusCode::kUnavailable
                          : StatusCode::kInternal;
    spdlog::warn("store: {}: {}", what, e.get_error_message());
    return Make(code, what);
  } catch (const std::exception& e) {
    spdlog::warn("store: {}: {}", what, e.what());
    return Make(StatusCode::kInternal, what);
  } catch (...) {
    spdlog::warn("store: {}: unknown exception", what);
    return Make(StatusCode::kInternal, what);
  }
}

}  // namespace rogatory::store_internal
