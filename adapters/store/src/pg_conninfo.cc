#include "pg_conninfo.h"

#include <cctype>

namespace rogatory::store_internal {
namespace {

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes %XX escapes, as libpq does in every part of a URI.
Result<std::string> PercentDecode(std::string_view s, std::string_view what) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    const int hi = i + 2 < s.size() ? HexDigit(s[i + 1]) : -1;
    const int lo = i + 2 < s.size() ? HexDigit(s[i + 2]) : -1;
    if (hi < 0 || lo < 0) {
      return InvalidArgumentError("store URL has a bad %-escape in its " + std::string(what));
    }
    if (hi == 0 && lo == 0) {
      return InvalidArgumentError("store URL has %00 in its " + std::string(what));
    }
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

bool IsParamName(std::string_view key) {
  if (key.empty()) return false;
  for (char c : key) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

// Splits "host[:port]" (host may be a bracketed IPv6 address) into its parts.
Status SplitHostPort(std::string_view hostport, std::string* host, std::string* port) {
  std::string_view host_part = hostport, port_part;
  bool has_port = false;
  if (!hostport.empty() && hostport.front() == '[') {
    const size_t close = hostport.find(']');
    if (close == std::string_view::npos) {
      return InvalidArgumentError("store URL has an unclosed [ in its host");
    }
    host_part = hostport.substr(1, close - 1);
    if (close + 1 < hostport.size()) {
      if (hostport[close + 1] != ':') {
        return InvalidArgumentError("store URL has text after the ] of its host");
      }
      port_part = hostport.substr(close + 2);
      has_port = true;
    }
  } else if (size_t colon = hostport.find(':'); colon != std::string_view::npos) {
    host_part = hostport.substr(0, colon);
    port_part = hostport.substr(colon + 1);
    has_port = true;
  }
  ROGATORY_ASSIGN_OR_RETURN(*host, PercentDecode(host_part, "host"));
  port->clear();
  if (has_port) {
    ROGATORY_ASSIGN_OR_RETURN(*port, PercentDecode(port_part, "port"));
  }
  return OkStatus();
}

}  // namespace

Result<PgParams> ParsePgUri(std::string_view uri) {
  const size_t scheme_end = uri.find("://");
  if (scheme_end == std::string_view::npos) {
    return InvalidArgumentError("a PostgreSQL store URL starts with postgresql://");
  }
  std::string_view rest = uri.substr(scheme_end + 3);
  std::string_view query, path;
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
    path = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
  }
  PgParams out;
  if (size_t at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    const size_t colon = userinfo.find(':');
    ROGATORY_ASSIGN_OR_RETURN(std::string user,
                              PercentDecode(userinfo.substr(0, colon), "user name"));
    if (!user.empty()) out.emplace_back("user", std::move(user));
    if (colon != std::string_view::npos) {
      ROGATORY_ASSIGN_OR_RETURN(std::string password,
                                PercentDecode(userinfo.substr(colon + 1), "password"));
      out.emplace_back("password", std::move(password));
    }
  }
  if (!rest.empty()) {
    // host1[:port1],host2[:port2]: libpq takes matching comma lists.
    std::string hosts, ports;
    bool any_port = false;
    for (size_t start = 0;;) {
      const size_t comma = rest.find(',', start);
      std::string host, port;
      ROGATORY_RETURN_IF_ERROR(SplitHostPort(rest.substr(start, comma - start), &host, &port));
      hosts += (start == 0 ? "" : ",") + host;
      ports += (start == 0 ? "" : ",") + port;
      any_port = any_port || !port.empty();
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    if (hosts.find_first_not_of(',') != std::string::npos) out.emplace_back("host", hosts);
    if (any_port) out.emplace_back("port", ports);
  }
  if (!path.empty()) {
    ROGATORY_ASSIGN_OR_RETURN(std::string dbname, PercentDecode(path, "database name"));
    out.emplace_back("dbname", std::move(dbname));
  }
  while (!query.empty()) {
    const size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    if (eq == std::string_view::npos) {
      return InvalidArgumentError("store URL query parameters must be key=value");
    }
    ROGATORY_ASSIGN_OR_RETURN(std::string key, PercentDecode(pair.substr(0, eq), "query"));
    ROGATORY_ASSIGN_OR_RETURN(std::string value, PercentDecode(pair.substr(eq + 1), "query"));
    if (!IsParamName(key)) return InvalidArgumentError("store URL has a bad query parameter name");
    out.emplace_back(std::move(key), std::move(value));
  }
  return out;
}

Result<PgParams> ParsePgKeywords(std::string_view text) {
  PgParams out;
  size_t i = 0;
  auto skip_space = [&] {
    while (i < text.size() && IsSpace(text[i])) ++i;
  };
  for (skip_space(); i < text.size(); skip_space()) {
    const size_t name = i;
    while (i < text.size() && !IsSpace(text[i]) && text[i] != '=') ++i;
    std::string key(text.substr(name, i - name));
    skip_space();
    if (!IsParamName(key) || i >= text.size() || text[i] != '=') {
      return InvalidArgumentError("store URL keyword form must be key=value pairs");
    }
    ++i;
    skip_space();
    std::string value;
    if (i < text.size() && text[i] == '\'') {
      for (++i;; ++i) {
        if (i >= text.size()) return InvalidArgumentError("store URL has an unclosed quote");
        if (text[i] == '\'') break;
        if (text[i] == '\\' && i + 1 < text.size()) ++i;
        value += text[i];
      }
      ++i;
    } else {
      for (; i < text.size() && !IsSpace(text[i]); ++i) {
        if (text[i] == '\\' && i + 1 < text.size()) ++i;
        value += text[i];
      }
    }
    out.emplace_back(std::move(key), std::move(value));
  }
  return out;
}

std::string PgConnectString(const PgParams& params) {
  if (params.empty()) return "";
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "postgresql://?";
  for (size_t p = 0; p < params.size(); ++p) {
    if (p > 0) out += '&';
    out += params[p].first;
    out += '=';
    for (unsigned char c : params[p].second) {
      if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/' || c == ',' ||
          c == ':') {
        out += static_cast<char>(c);
      } else {
        out += '%';
        out += kHex[c >> 4];
        out += kHex[c & 15];
      }
    }
  }
  return out;
}

}  // namespace rogatory::store_internal
