#include "store_url.h"

#include <regex>
#include <string_view>

#include "rogatory/sql_store.h"

namespace rogatory {
namespace store_internal {
namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

}  // namespace

Result<StoreUrl> ParseStoreUrl(const std::string& url) {
  if (url == "memory:" || url == "memory://") return StoreUrl{Backend::kMemory, ""};
  if (url == "sqlite::memory:" || url == "sqlite://:memory:") {
    return StoreUrl{Backend::kSqlite, ":memory:"};
  }
  if (StartsWith(url, "sqlite://")) {
    // sqlite:///abs/path keeps the third slash (absolute); sqlite://rel/path is relative.
    std::string path = url.substr(std::string_view("sqlite://").size());
    if (path.empty() || path == "/") return InvalidArgumentError("store URL has no SQLite path");
    return StoreUrl{Backend::kSqlite, path};
  }
  if (StartsWith(url, "sqlite:")) {
    std::string path = url.substr(std::string_view("sqlite:").size());
    if (path.empty()) return InvalidArgumentError("store URL has no SQLite path");
    return StoreUrl{Backend::kSqlite, path};
  }
  for (std::string_view scheme : {"postgresql://", "postgres://"}) {
    if (!StartsWith(url, scheme)) continue;
    std::string rest = url.substr(scheme.size());
    // The keyword form, postgresql://host=... dbname=..., starts with `keyword=`; libpq takes
    // it without the scheme. Anything else is a libpq URI, passed on whole.
    static const std::regex kKeywordForm(R"(^\s*[A-Za-z_]+\s*=)");
    if (std::regex_search(rest, kKeywordForm)) return StoreUrl{Backend::kPostgres, rest};
    return StoreUrl{Backend::kPostgres, url};  // a libpq URI as is
  }
  return InvalidArgumentError("store URL must start with memory:, sqlite: or postgresql:// (got " +
                              RedactStoreUrl(url).substr(0, 40) + ")");
}

}  // namespace store_internal

std::string RedactStoreUrl(const std::string& url) {
  // URI form: scheme://user:password@host -> scheme://user:***@host.
  static const std::regex kUriPassword(R"(^([a-z]+://[^:/@\s]*):[^@/\s]*@)");
  // Keyword form: password=secret or password='se cret'.
  static const std::regex kKeywordPassword(R"((password\s*=\s*)('[^']*'|\S+))");
  std::string out = std::regex_replace(url, kUriPassword, "$1:***@");
  out = std::regex_replace(out, kKeywordPassword, "$1***");
  return out;
}

}  // namespace rogatory
