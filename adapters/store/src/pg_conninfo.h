// PostgreSQL connection settings from the `store:` URL, in either of libpq's forms, and the one
// connect string the store hands SOCI.
#ifndef ROGATORY_ADAPTERS_STORE_PG_CONNINFO_H_
#define ROGATORY_ADAPTERS_STORE_PG_CONNINFO_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rogatory/status.h"

namespace rogatory::store_internal {

// libpq connection parameters in the order given, e.g. {"host", "db"}, {"dbname", "r"}.
using PgParams = std::vector<std::pair<std::string, std::string>>;

// Reads a libpq URI, postgresql://[user[:password]@][host[:port],...][/dbname][?key=value&...],
// %-escapes decoded. InvalidArgument (never echoing the password) for a malformed one.
Result<PgParams> ParsePgUri(std::string_view uri);

// Reads libpq's keyword form, `key=value key='quoted \' value' ...`.
Result<PgParams> ParsePgKeywords(std::string_view text);

// The connect string for `params`: a URI carrying every parameter in its query string, each
// value %-escaped. SOCI 4.0 re-splits the connect string at spaces and re-joins each piece as
// name=value before libpq sees it, which corrupted a URI without a query string (its path
// became dbname "rogatory=") and any quoted keyword value with a space; this form has neither
// spaces nor a piece without '='. Empty for no parameters (libpq's defaults).
std::string PgConnectString(const PgParams& params);

}  // namespace rogatory::store_internal

#endif  // ROGATORY_ADAPTERS_STORE_PG_CONNINFO_H_
