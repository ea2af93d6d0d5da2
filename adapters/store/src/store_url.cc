#include "store_url.h"

#include <cctype>
#include <string_view>

#include "pg_conninfo.h"
#include "rogatory/sql_store.h"

namespace rogatory {
namespace store_internal {
namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

// Whether `s` starts with `keyword=` (spaces allowed around the keyword), as libpq's keyword form.
bool IsKeywordForm(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && store_internal::IsSpace(s[i])) ++i;
  const size_t name = i;
  while (i < s.size() && (std::isalpha(static_cast<unsigned char>(s[i])) || s[i] == '_')) ++i;
  if (i == name) return false;
  while (i < s.size() && store_internal::IsSpace(s[i])) ++i;
  return i < s.size() && s[i] == '=';
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
    // it without the scheme. Anything else is a libpq URI. Either is read here and handed on
    // in the one form SOCI passes to libpq intact (see PgConnectString).
    Result<PgParams> params = IsKeywordForm(rest) ? ParsePgKeywords(rest) : ParsePgUri(url);
    if (!params.ok()) return params.status();
    return StoreUrl{Backend::kPostgres, PgConnectString(*params)};
  }
  return InvalidArgumentError("store URL must start with memory:, sqlite: or postgresql:// (got " +
                              RedactStoreUrl(url).substr(0, 40) + ")");
}

}  // namespace store_internal

std::string RedactStoreUrl(const std::string& url) {
  std::string out = url;
  // URI form: scheme://user:password@host -> scheme://user:***@host.
  size_t i = 0;
  while (i < out.size() && out[i] >= 'a' && out[i] <= 'z') ++i;
  if (i > 0 && out.compare(i, 3, "://") == 0) {
    i += 3;
    while (i < out.size() && out[i] != ':' && out[i] != '/' && out[i] != '@' &&
           !store_internal::IsSpace(out[i])) {
      ++i;
    }
    if (i < out.size() && out[i] == ':') {
      size_t end = i + 1;
      while (end < out.size() && out[end] != '@' && out[end] != '/' &&
             !store_internal::IsSpace(out[end]))
        ++end;
      if (end < out.size() && out[end] == '@') out.replace(i + 1, end - i - 1, "***");
    }
  }
  // Keyword form: password=secret or password='se cret' (every occurrence).
  constexpr std::string_view kKey = "password";
  for (size_t at = out.find(kKey); at != std::string::npos; at = out.find(kKey, at + 1)) {
    size_t v = at + kKey.size();
    while (v < out.size() && store_internal::IsSpace(out[v])) ++v;
    if (v >= out.size() || out[v] != '=') continue;
    ++v;
    while (v < out.size() && store_internal::IsSpace(out[v])) ++v;
    size_t end = v;
    if (end < out.size() && out[end] == '\'' && out.find('\'', end + 1) != std::string::npos) {
      end = out.find('\'', end + 1) + 1;
    } else {
      while (end < out.size() && !store_internal::IsSpace(out[end])) ++end;
    }
    if (end == v) continue;
    out.replace(v, end - v, "***");
  }
  return out;
}

}  // namespace rogatory
